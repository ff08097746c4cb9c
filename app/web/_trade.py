"""Running a unit of work from a view: errors become a 404 or a flash."""
from flask import abort, flash

from app.services.errors import NotFound, Refused


def run_action(action, *args, success: str | None = None) -> bool:
    """Call ``action``; 404 on NotFound, flash on Refused. True on success."""
    try:
        action(*args)
    except NotFound:
        abort(404)
    except Refused as refused:
        flash(refused.message, refused.category)
        return False
    if success:
        flash(success, "success")
    return True
