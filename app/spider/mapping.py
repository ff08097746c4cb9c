"""Small helpers that turn the fields of a remote API's answer into the
fields of a Yushu-shape record.

They never validate: a value of a shape they do not know is handed on as it
is, so ``clean_record`` (which every mapped record goes through) refuses it
with the reason, and one bad book is skipped rather than half-mapped.
"""
from app.libs.helper import normalize_isbn


def text_of(value):
    """The text of a field that is either a string or ``{"value": text}``
    (Open Library writes notes and descriptions both ways)."""
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def names_of(value, key: str = "name"):
    """A list of names from a list of strings or of ``{key: name}`` objects."""
    if not isinstance(value, list):
        return value
    return [item.get(key) if isinstance(item, dict) else item for item in value]


def first(value):
    """The first item of a list (None for an empty one); anything else as it is."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def pick_isbn(candidates, wanted: str | None = None) -> str | None:
    """The ISBN-13 a record is stored under: ``wanted`` when it is among the
    candidates (a book has an ISBN-10 and an ISBN-13, a work many), else the
    first candidate written as an ISBN-13, else the first ISBN-10 converted;
    None when no candidate is a valid ISBN."""
    if not isinstance(candidates, list):
        return None
    valid = []
    for raw in candidates:
        if isinstance(raw, str) and (isbn := normalize_isbn(raw)):
            valid.append((isbn, len(raw.replace("-", "").replace(" ", "").strip()) == 13))
    if wanted is not None and any(isbn == wanted for isbn, _ in valid):
        return wanted
    for isbn, written_as_13 in valid:
        if written_as_13:
            return isbn
    return valid[0][0] if valid else None


def https(url):
    """An ``http://`` image address as ``https://`` (both Open Library and
    Google serve their covers on either), so pages need no mixed content."""
    if isinstance(url, str) and url.startswith("http://"):
        return "https://" + url[len("http://"):]
    return url
