"""All models, imported so the metadata (and Alembic) sees every table."""
from app.models.base import db  # noqa: F401
from app.models.book import Book, book_gram  # noqa: F401
from app.models.user import User  # noqa: F401
