"""Reading an original 鱼书 database (the course's schema: user, gift, wish,
drift, book), and turning its values into fisher's.

Only reads: the source is opened with its own engine, never written, and
closed when done. Every value conversion that does not need fisher's
database lives here, so the importer only decides and stores."""
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.libs.book_record import RecordError, clean_record
from app.libs.enums import PendingStatus
from app.libs.helper import normalize_isbn
from app.models.base import utcnow

TABLES = ("user", "book", "gift", "wish", "drift")
# The original drift.pending: 1 waiting, 2 success, 3 reject, 4 redraw (withdrawn).
PENDING = {1: PendingStatus.WAITING, 2: PendingStatus.RECEIVED,
           3: PendingStatus.REJECTED, 4: PendingStatus.WITHDRAWN}


class SourceError(Exception):
    """The source database cannot be read (unreachable, or not the original schema)."""


def read_source(url: str) -> dict[str, list[dict]]:
    """Every row of the five original tables, by table, in id order. The
    tables are small (a course project's site); reading them whole keeps the
    source connection short and the import free of it."""
    try:
        engine = create_engine(url)
    except (SQLAlchemyError, ValueError) as exc:
        raise SourceError(f"bad source URL: {exc}") from None
    try:
        with engine.connect() as conn:
            return {table: [dict(row) for row in conn.execute(
                text(f"SELECT * FROM `{table}` ORDER BY id")).mappings()] for table in TABLES}
    except SQLAlchemyError as exc:
        raise SourceError(f"cannot read the source database: {exc.__class__.__name__}: "
                          f"{getattr(exc, 'orig', exc)}") from None
    finally:
        engine.dispose()


def utc_time(unix) -> datetime:
    """A Unix create_time as fisher's naive UTC datetime (now when missing)."""
    if unix is None or isinstance(unix, bool) or int(unix) <= 0:
        return utcnow()
    return datetime.fromtimestamp(int(unix), timezone.utc).replace(tzinfo=None)


def status_of(row: dict) -> int:
    """1 live, 0 deleted -- the same numbers in both schemas; anything else is live."""
    return 0 if row.get("status") == 0 else 1


def beans_of(row: dict) -> Decimal:
    """The float balance to fisher's one decimal place (0.5 stays 0.5)."""
    return Decimal(str(row.get("beans") or 0)).quantize(Decimal("0.1"))


def book_record(row: dict) -> dict:
    """A clean fisher book record from a source book row (author is one
    string there, a list here), or RecordError."""
    fields = {name: row.get(name) for name in ("isbn", "title", "binding", "publisher", "price",
                                               "pages", "pubdate", "summary", "image")}
    for name in ("price", "pages"):  # numbers in some copies of the schema
        if isinstance(fields[name], (int, float, Decimal)) and not isinstance(fields[name], bool):
            fields[name] = str(fields[name])
    author = row.get("author")
    fields["author"] = [author] if isinstance(author, str) and author.strip() else []
    return clean_record(fields)


def isbn_of(row: dict) -> str | None:
    return normalize_isbn(str(row.get("isbn") or ""))


__all__ = ["PENDING", "RecordError", "SourceError", "TABLES", "beans_of", "book_record",
           "isbn_of", "read_source", "status_of", "utc_time"]
