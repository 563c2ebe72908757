/* RiskRadar page script: renders the embedded Plotly figures (no inline scripts, CSP-safe),
   drills from the risk map / world map into the supplier list, toggles views, confirms deletes. */
(function () {
  "use strict";

  function drillUrl(base, params) {
    var url = new URL(base, window.location.origin);
    Object.keys(params).forEach(function (k) { url.searchParams.set(k, params[k]); });
    return url.pathname + url.search;
  }

  function renderCharts() {
    if (typeof window.Plotly === "undefined") { return; }
    var charts = document.querySelectorAll("[data-figure]");
    charts.forEach(function (el) {
      var source = document.getElementById(el.dataset.figure);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      var config = {
        responsive: true, displaylogo: false, topojsonURL: "/static/topojson/",
        modeBarButtonsToRemove: ["lasso2d", "select2d", "toImage"],
        locale: document.documentElement.lang === "zh-CN" ? "zh-CN" : "en"
      };
      window.Plotly.newPlot(el, spec.data || [], spec.layout || {}, config).then(function () {
        el.dataset.rendered = "1";
      });
      if (el.dataset.drill) {
        el.style.cursor = "pointer";
        el.on("plotly_click", function (ev) {
          var point = ev && ev.points && ev.points[0];
          if (!point || !point.customdata) { return; }
          var cd = point.customdata;
          if (el.dataset.drillKind === "cell") {
            window.location.href = drillUrl(el.dataset.drill, { lb: cd[0], ib: cd[1] });
          } else if (el.dataset.drillKind === "country") {
            window.location.href = drillUrl(el.dataset.drill, { country: cd[0] });
          }
        });
      }
    });
  }

  function wireTabs() {
    document.querySelectorAll("[data-show]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var show = document.getElementById(btn.dataset.show);
        var hide = document.getElementById(btn.dataset.hide);
        if (hide) { hide.hidden = true; }
        if (show) {
          show.hidden = false;
          show.querySelectorAll("[data-figure]").forEach(function (el) {
            if (window.Plotly && el.dataset.rendered) { window.Plotly.Plots.resize(el); }
          });
        }
        btn.parentElement.querySelectorAll("[role=tab]").forEach(function (b) {
          b.setAttribute("aria-selected", b === btn ? "true" : "false");
        });
      });
    });
  }

  function wireConfirms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.dataset.confirm)) { ev.preventDefault(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderCharts();
    wireTabs();
    wireConfirms();
  });
})();
