"""All models, imported so the metadata (and Alembic) sees every table."""
from app.models.base import db  # noqa: F401
from app.models.book import Book, book_gram  # noqa: F401
from app.models.user import User  # noqa: F401
from app.models.gift import Gift  # noqa: F401
from app.models.wish import Wish  # noqa: F401
from app.models.bean_ledger import BeanLedger  # noqa: F401
from app.models.drift import Drift  # noqa: F401
from app.models.notice import Notice  # noqa: F401
from app.models.legacy_import import LegacyImport  # noqa: F401
from app.models.api_token import ApiToken  # noqa: F401
from app.models.address import Address  # noqa: F401
