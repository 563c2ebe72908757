"""Offline assets: plotly.js from the installed ``plotly`` package (no CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from flask import Blueprint, send_file

from riskradar.web.auth import public

bp = Blueprint("assets", __name__)
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@bp.route("/assets/plotly.min.js")
@public
def plotly_js() -> Any:
    """plotly.js as shipped inside the Python package (cached by the browser for a day)."""
    return send_file(PLOTLY_JS, mimetype="application/javascript", max_age=86400)
