"""A user's own data: download all of it, import a wish list from a file."""
from flask import current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import limiter, user_key, wish_import_rate_limit
from app.forms.wish_import import WishImportForm
from app.libs.export_files import export_zip
from app.models.base import utcnow
from app.services import export, wish_import
from app.web import web


@web.get("/personal/export")
@login_required
def export_data():
    """One ZIP with everything fisher holds about me (JSON, CSV, README.txt)."""
    date = utcnow().date().isoformat()
    data = export_zip(export.user_data(current_user), date)
    return current_app.response_class(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="fisher-export-{date}.zip"',
        "Cache-Control": "no-store"})


@web.route("/personal/import", methods=["GET", "POST"])
@login_required
@limiter.limit(wish_import_rate_limit, key_func=user_key, methods=["POST"])
def import_wishes():
    """Add the books a file names to my wishes and show each line's outcome."""
    form = WishImportForm()
    entries, kind = None, None
    if form.validate_on_submit():
        limit = current_app.config["WISH_IMPORT_MAX_BYTES"]
        data = form.file_bytes(limit)
        try:
            if len(data) > limit:
                raise wish_import.ImportRefused(_("文件太大，最大 %(kb)s KB", kb=limit // 1024))
            kind, entries = wish_import.parse(data, current_app.config["WISH_IMPORT_MAX_LINES"])
        except wish_import.ImportRefused as refused:
            form.file.errors.append(str(refused))
        else:
            wish_import.apply(current_user._get_current_object(), entries)
    status = 400 if form.file.errors else 200
    summary = wish_import.summary(entries) if entries else {}
    return render_template("personal/import.html", form=form, entries=entries, kind=kind,
                           summary=summary, labels=wish_import.LABELS), status
