"""Admin pages: feeds, imports (upload + batch report), users and roles, job runs, channels."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from riskradar.domain.alerts import Channel
from riskradar.domain.base import ROLES
from riskradar.domain.imports import ImportBatch
from riskradar.domain.jobs import JobRun
from riskradar.domain.news import Feed
from riskradar.domain.users import User
from riskradar.web.caching import forget_supplier_names
from riskradar.web.auth import ADMINS, DATA_MANAGERS, FEED_MANAGERS, roles_required
from riskradar.web.common import choice_arg, int_arg, pagination, require, service, settings, text_arg
from riskradar.web.errors import BadParameter

bp = Blueprint("admin", __name__, url_prefix="/admin")

IMPORTERS = {
    "suppliers": ("riskradar.services.suppliers", "import_suppliers"),
    "audits": ("scrapers.audits", "import_audits"),
    "agreements": ("scrapers.agreements", "import_agreements"),
}
UPLOAD_SUFFIXES = (".csv", ".xlsx", ".json", ".txt", ".tsv")
CHANNEL_KINDS = ("email", "webhook", "wecom", "dingtalk", "feishu", "slack")


# --- feeds ------------------------------------------------------------------------------------

def list_feeds(session: Any) -> list[Feed]:
    func_ = service("riskradar.services.feeds", "list_feeds")
    if func_ is not None:
        return list(func_(session))
    return list(session.scalars(select(Feed).order_by(Feed.name)))


def add_feed_from(session: Any, form: Any) -> Feed:
    """Validate the feed form and call ``riskradar.services.feeds.add_feed``."""
    url = text_arg(form, "url", max_len=2048)
    if not url:
        raise BadParameter("field 'url' is required", param="url")
    credibility_raw = form.get("credibility") or "0.7"
    try:
        credibility = float(credibility_raw)
    except ValueError:
        raise BadParameter(f"'credibility' must be a number between 0 and 1, got {credibility_raw!r}",
                           param="credibility") from None
    if not 0 <= credibility <= 1:
        raise BadParameter("'credibility' must be between 0 and 1", param="credibility")
    interval = int_arg(form, "poll_interval_minutes", 0, lo=1, hi=10080) or None if form.get("poll_interval_minutes") else None
    lang = choice_arg(form, "lang", ("zh", "en"))
    add_feed = require("riskradar.services.feeds", "add_feed", "feed management (riskradar.services.feeds)")
    try:
        return add_feed(session, url, name=text_arg(form, "name", max_len=255), lang=lang, credibility=credibility,
                        poll_interval_minutes=interval, settings=settings())
    except ValueError as exc:
        raise BadParameter(str(exc), param="url") from exc


@bp.route("/feeds", methods=["GET", "POST"])
@roles_required(*FEED_MANAGERS)
def feeds() -> Any:
    """List feeds with their last error; add one."""
    error, status = None, 200
    if request.method == "POST":
        try:
            add_feed_from(g.db, request.form)
            g.db.commit()
            flash("feed_added")
            return redirect(url_for("admin.feeds"))
        except BadParameter as exc:
            g.db.rollback()
            error, status = exc.message, 400
    return render_template("admin/feeds.html", feeds=list_feeds(g.db), error=error, form=request.form,
                           available=service("riskradar.services.feeds", "add_feed") is not None), status


@bp.route("/feeds/<id:feed_id>/delete", methods=["POST"])
@roles_required(*FEED_MANAGERS)
def delete_feed(feed_id: int) -> Any:
    """Remove a feed."""
    remove = require("riskradar.services.feeds", "remove_feed", "feed management (riskradar.services.feeds)")
    if not remove(g.db, feed_id):
        abort(404, description=f"no feed {feed_id}")
    g.db.commit()
    flash("feed_removed")
    return redirect(url_for("admin.feeds"))


# --- imports ----------------------------------------------------------------------------------

def run_upload(session: Any, kind: str | None, upload: Any, created_by: str, source: str = "web") -> ImportBatch:
    """Store an uploaded file, run the importer of ``kind`` on it, return the batch."""
    if kind not in IMPORTERS:
        raise BadParameter(f"'kind' must be one of {', '.join(IMPORTERS)}; got {kind!r}", param="kind")
    if upload is None or not upload.filename:
        raise BadParameter("no file uploaded (multipart field 'file')", param="file")
    name = secure_filename(upload.filename) or "upload"
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise BadParameter(f"file {upload.filename!r}: expected one of {', '.join(UPLOAD_SUFFIXES)}", param="file")
    importer = require(*IMPORTERS[kind], f"{kind} import ({'.'.join(IMPORTERS[kind])})")
    tmp_dir = settings().data_dir / "uploads" / uuid.uuid4().hex
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path = tmp_dir / name
    try:
        upload.save(path)
        try:
            batch = importer(session, settings(), path, source=source, created_by=created_by)
        except ValueError as exc:  # includes NotATableError and similar whole-file problems
            session.rollback()
            raise BadParameter(f"file {upload.filename!r}: {exc}", param="file") from exc
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return batch


@bp.route("/imports", methods=["GET", "POST"])
@roles_required(*DATA_MANAGERS)
def imports() -> Any:
    """Upload a file and list recent import batches."""
    error, status = None, 200
    if request.method == "POST":
        try:
            batch = run_upload(g.db, request.form.get("kind"), request.files.get("file"), current_user.username)
            g.db.commit()
            forget_supplier_names()
            return redirect(url_for("admin.batch", batch_id=batch.id))
        except BadParameter as exc:
            error, status = exc.message, 400
    page, per_page = pagination(request.args, default_per_page=30)
    batches = list(g.db.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(per_page)
                                .offset((page - 1) * per_page)))
    available = {k: service(*v) is not None for k, v in IMPORTERS.items()}
    return render_template("admin/imports.html", batches=batches, error=error, kinds=list(IMPORTERS),
                           available=available, max_bytes=settings().max_upload_bytes), status


@bp.route("/imports/<id:batch_id>")
@roles_required(*DATA_MANAGERS)
def batch(batch_id: int) -> Any:
    """The report of one import batch: counts and every rejected row."""
    row = g.db.get(ImportBatch, batch_id)
    if row is None:
        abort(404, description=f"no import batch {batch_id}")
    return render_template("admin/batch.html", b=row)


# --- users ------------------------------------------------------------------------------------

@bp.route("/users", methods=["GET", "POST"])
@roles_required(*ADMINS)
def users() -> Any:
    """List users; create one (the generated password is shown once); change roles."""
    from riskradar.services.users import UserError, create_user, generate_password, get_user, set_role

    error, status, created = None, 200, None
    if request.method == "POST":
        op = request.form.get("op", "create")
        try:
            if op == "create":
                role = choice_arg(request.form, "role", ROLES)
                if role is None:
                    raise BadParameter("field 'role' is required", param="role")
                password = generate_password()
                user = create_user(g.db, request.form.get("username", ""), password, role,
                                   language=request.form.get("language") or "zh")
                g.db.commit()
                created = (user.username, password)
            elif op == "role":
                user = get_user(g.db, int_arg(request.form, "user_id", 0, lo=1))
                role = choice_arg(request.form, "role", ROLES)
                if user is None or role is None:
                    raise BadParameter("unknown user or missing role", param="user_id")
                if user.id == current_user.id and role != "admin":
                    raise BadParameter("you cannot remove your own admin role", param="role")
                set_role(g.db, user, role)
                g.db.commit()
                flash("role_changed")
                return redirect(url_for("admin.users"))
            else:
                raise BadParameter(f"unknown operation {op!r}", param="op")
        except (BadParameter, UserError) as exc:
            g.db.rollback()
            error, status = getattr(exc, "message", str(exc)), 400
    rows = list(g.db.scalars(select(User).order_by(User.username)))
    return render_template("admin/users.html", users=rows, roles=ROLES, error=error, created=created), status


# --- job runs, channels -------------------------------------------------------------------------

@bp.route("/jobs")
@roles_required(*ADMINS)
def jobs() -> Any:
    """Recent scheduler job runs with their counts and errors."""
    job = text_arg(request.args, "job", max_len=64)
    runs = list_job_runs(g.db, job=job, limit=int_arg(request.args, "limit", 100, lo=1, hi=500))
    return render_template("admin/jobs.html", runs=runs, job=job)


def list_job_runs(session: Any, *, job: str | None, limit: int) -> list[JobRun]:
    func_ = service("riskradar.jobs", "list_job_runs")
    if func_ is not None:
        return list(func_(session, job=job, limit=limit))
    stmt = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if job:
        stmt = stmt.where(JobRun.job == job)
    return list(session.scalars(stmt))


@bp.route("/channels", methods=["GET", "POST"])
@roles_required(*ADMINS)
def channels() -> Any:
    """Alert delivery channels: list and add."""
    error, status = None, 200
    if request.method == "POST":
        try:
            add_channel_from(g.db, request.form)
            g.db.commit()
            flash("channel_added")
            return redirect(url_for("admin.channels"))
        except BadParameter as exc:
            g.db.rollback()
            error, status = exc.message, 400
    rows = list(g.db.scalars(select(Channel).order_by(Channel.id)))
    return render_template("admin/channels.html", channels=rows, kinds=CHANNEL_KINDS, error=error,
                           available=service("riskradar.alerts.service", "add_channel") is not None), status


def add_channel_from(session: Any, form: Any) -> Channel:
    """Validate the channel form and call ``riskradar.alerts.service.add_channel``."""
    kind = choice_arg(form, "kind", CHANNEL_KINDS)
    target = text_arg(form, "target", max_len=2048)
    if kind is None or not target:
        raise BadParameter("fields 'kind' and 'target' are required", param="kind" if kind is None else "target")
    language = choice_arg(form, "language", ("zh", "en"), "zh")
    add_channel = require("riskradar.alerts.service", "add_channel", "alert channels (riskradar.alerts.service)")
    try:
        return add_channel(session, kind, target, name=text_arg(form, "name", max_len=255),
                           secret=text_arg(form, "secret", max_len=255), language=language)
    except ValueError as exc:
        raise BadParameter(str(exc), param="target") from exc


def count_rows(session: Any, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


_ = Path
