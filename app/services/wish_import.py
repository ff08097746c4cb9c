"""Importing a wish list from a file: a Goodreads library export (CSV) or a
plain list of ISBNs, one a line.

Parsing only reads the file; applying adds each book through
``lists.add_wish``, the same unit of work as the 想要 button, so its rules
(a book on my gifts or wishes is not added again) live in one place. Every
line gets an outcome, so nothing is dropped silently, and importing the same
file again adds nothing.
"""
import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from app.libs.helper import normalize_isbn
from app.models.base import db
from app.models.book import Book
from app.services import lists
from app.services.errors import NotFound, Refused
from app.spider import BookSourceError

ADDED, ALREADY, UNKNOWN, INVALID, UNAVAILABLE = "added", "already", "unknown", "invalid", "unavailable"
LABELS = {ADDED: _l("已添加"), ALREADY: _l("已在你的清单上"), UNKNOWN: _l("找不到这本书"),
          INVALID: _l("ISBN 无效"), UNAVAILABLE: _l("书籍来源暂时无法访问，请稍后再导入")}
GOODREADS_COLUMNS = {"Title", "ISBN", "ISBN13", "Exclusive Shelf"}
TO_READ = "to-read"


class ImportRefused(ValueError):
    """The file as a whole cannot be imported; the message says why."""


@dataclass
class Entry:
    """One line of the file to import: its line number, the text shown for
    it and the ISBN-13 it names (None when it names no valid ISBN)."""
    line: int
    text: str
    isbn: str | None
    outcome: str = ""

    @property
    def label(self) -> str:
        return str(LABELS.get(self.outcome, ""))


def decode(data: bytes) -> str:
    """The file's text; ImportRefused for a binary or non-UTF-8 file."""
    if b"\x00" in data:
        raise ImportRefused(_("这不是文本文件，请上传 CSV 或每行一个 ISBN 的文本文件"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_("文件不是 UTF-8 编码的文本，请另存为 UTF-8 后再上传")) from None


def _is_goodreads(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    header = next(csv.reader([first]), [])
    return GOODREADS_COLUMNS <= {name.strip() for name in header}


def _goodreads_isbn(value: str | None) -> str:
    """Goodreads writes ISBNs as ="9780140449136" (or ="") so spreadsheets keep them text."""
    value = (value or "").strip()
    if value.startswith("="):
        value = value[1:]
    return value.strip('"').strip()


def _goodreads(text: str) -> list[Entry]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:  # reads the header row
        return []
    entries, line = [], reader.line_num + 1
    for row in reader:
        start, line = line, reader.line_num + 1
        if (row.get("Exclusive Shelf") or "").strip() != TO_READ:
            continue
        raw = _goodreads_isbn(row.get("ISBN13")) or _goodreads_isbn(row.get("ISBN"))
        title = (row.get("Title") or "").strip()
        text = _("%(title)s（%(isbn)s）", title=title, isbn=raw or _("没有 ISBN"))
        entries.append(Entry(start, text, normalize_isbn(raw) if raw else None))
    return entries


def _isbn_list(text: str) -> list[Entry]:
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if value:
            entries.append(Entry(number, value[:40], normalize_isbn(value)))
    return entries


def parse(data: bytes, max_lines: int) -> tuple[str, list[Entry]]:
    """("goodreads" or "isbn", the entries to import); ImportRefused for a
    file that is not text, has nothing to import or has more than
    ``max_lines`` entries (each is a lookup, so the file is refused whole)."""
    text = decode(data)
    kind = "goodreads" if _is_goodreads(text) else "isbn"
    try:
        entries = _goodreads(text) if kind == "goodreads" else _isbn_list(text)
    except csv.Error:
        raise ImportRefused(_("CSV 文件格式有误，无法读取")) from None
    if not entries:
        raise ImportRefused(_("文件里没有要导入的书（Goodreads 导出只导入 to-read 书架上的书）")
                            if kind == "goodreads" else _("文件里没有 ISBN"))
    if len(entries) > max_lines:
        raise ImportRefused(_("一次最多导入 %(max)s 本书，这个文件有 %(count)s 本，请分成几个文件",
                              max=max_lines, count=len(entries)))
    return kind, entries


def apply(user, entries: list[Entry]) -> list[Entry]:
    """Add each entry's book to the user's wishes and record its outcome.
    Once a book source has failed, books not stored here yet are reported
    unavailable without asking again: a source that is down would otherwise
    make every remaining line wait for its timeout. Importing the file again
    later adds those and nothing twice."""
    source_failed = False
    for entry in entries:
        if source_failed and entry.isbn and not _stored(entry.isbn):
            entry.outcome = UNAVAILABLE
            continue
        entry.outcome = _add(user, entry)
        source_failed = source_failed or entry.outcome == UNAVAILABLE
    return entries


def _stored(isbn: str) -> bool:
    return db.session.scalar(select(Book.id).where(Book.isbn == isbn)) is not None


def _add(user, entry: Entry) -> str:
    if entry.isbn is None:
        return INVALID
    try:
        lists.add_wish(user, entry.isbn)
    except NotFound:
        return UNKNOWN
    except Refused:
        return ALREADY
    except BookSourceError:
        return UNAVAILABLE
    return ADDED


def summary(entries: list[Entry]) -> dict[str, int]:
    """How many entries had each outcome, in ``LABELS`` order (zeros left out)."""
    counts = {outcome: 0 for outcome in LABELS}
    for entry in entries:
        counts[entry.outcome] += 1
    return {outcome: count for outcome, count in counts.items() if count}
