"""The fields of a book, listed once, and the validation of one book record
in the Yushu shape (used by the catalog importer and the Yushu API wrapper).
The ``book`` table, ``Book.to_dict`` and ``BookViewModel`` take their fields
from here."""
import re

from app.libs.helper import normalize_isbn

# Text fields and their longest length (the book table's column sizes).
TEXT_LIMITS = {"title": 255, "subtitle": 255, "publisher": 255, "pubdate": 32,
               "price": 32, "pages": 32, "binding": 32, "image": 512, "summary": 20000}
NAME_FIELDS = ("author", "translator")  # lists of names
BOOK_FIELDS = ("isbn", *TEXT_LIMITS, *NAME_FIELDS)
_LIST_LIMIT = 20
# JSON's \ud800-style escapes decode to lone surrogates (a proper pair becomes
# one character), which cannot be encoded as UTF-8 and so never reach a database.
_SURROGATE = re.compile("[\ud800-\udfff]")


class RecordError(ValueError):
    """A record that cannot become a book; the message says why."""


def _valid(text: str, name: str) -> str:
    if _SURROGATE.search(text):
        raise RecordError(f"invalid text (lone surrogate) in {name}")
    return text


def _text(value, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RecordError(f"{name} must be text")
    text = _valid(str(value).strip(), name)
    if len(text) > TEXT_LIMITS[name]:
        raise RecordError(f"{name} longer than {TEXT_LIMITS[name]} characters")
    return text


def _names(value, name: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError(f"{name} must be a list of names")
    names = [_valid(v.strip()[:100], name) for v in value if v.strip()]
    return names[:_LIST_LIMIT]


def clean_record(obj) -> dict:
    """A clean book dict from a decoded JSON object, or RecordError."""
    if not isinstance(obj, dict):
        raise RecordError("not a JSON object")
    raw_isbn = obj.get("isbn") or obj.get("isbn13") or obj.get("isbn10")
    isbn = normalize_isbn(str(raw_isbn)) if isinstance(raw_isbn, (str, int)) else None
    if not isbn:
        raise RecordError(f"invalid ISBN {raw_isbn!r}")
    record = {"isbn": isbn}
    for name in TEXT_LIMITS:
        record[name] = _text(obj.get(name), name)
    if not record["title"]:
        raise RecordError("title is required")
    for name in NAME_FIELDS:
        record[name] = _names(obj.get(name), name)
    if record["image"] and not record["image"].startswith(("http://", "https://")):
        record["image"] = ""
    return record
