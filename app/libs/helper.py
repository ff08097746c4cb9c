"""Small helpers shared by views and the catalog importer."""
from urllib.parse import urlsplit

from stdnum import isbn as stdisbn
from stdnum.exceptions import ValidationError


def normalize_isbn(text: str) -> str | None:
    """The ISBN-13 for an ISBN-10 or ISBN-13 (hyphens, spaces and an ``x``
    check digit allowed), or None when ``text`` is not a valid ISBN."""
    if not text or len(text) > 32:
        return None
    if len(text) == 13 and text.isascii() and text.isdigit() and text.startswith(("978", "979")):
        # The common case, without stdnum's parsing (an import checks a million).
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(text))
        return text if total % 10 == 0 else None
    try:
        number = stdisbn.validate(text.strip())
    except ValidationError:
        return None
    return stdisbn.to_isbn13(number)


def is_safe_next(target: str | None) -> bool:
    """True for a same-site relative path usable as a redirect target."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
