"""Downloading covers of catalog books into the site's covers folder."""
from flask import current_app
from sqlalchemy import select

from app.libs.covers import fetch_cover, local_cover
from app.models.base import db
from app.models.book import Book


def fetch_missing_covers(limit: int = 0) -> tuple[int, list[tuple[str, str]]]:
    """Fetch every cover not stored yet; returns (stored, [(isbn, reason)])."""
    app = current_app._get_current_object()
    rows = db.session.execute(select(Book.isbn, Book.image).where(Book.image != "")
                              .order_by(Book.id)).all()
    missing = [(isbn, url) for isbn, url in rows if not local_cover(app, isbn)]
    stored, failed = 0, []
    for isbn, url in missing[:limit or None]:
        try:
            fetch_cover(app, isbn, url)
            stored += 1
        except (ValueError, OSError) as exc:  # OSError: the covers folder
            failed.append((isbn, str(exc) or exc.__class__.__name__))
    return stored, failed
