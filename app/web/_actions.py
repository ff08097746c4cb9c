"""Running a unit of work from a view that answers with a flash and a redirect."""
from flask import flash

from app.services.errors import Refused


def run_action(action, *args, success: str | None = None) -> bool:
    """Call ``action``: True on success (flashing ``success``), False with the
    refusal flashed when the service refused. NotFound and Conflict are left
    to the blueprint's error handlers (a 404 or 409 page)."""
    try:
        action(*args)
    except Refused as refused:
        flash(refused.message, refused.category)
        return False
    if success:
        flash(success, "success")
    return True
