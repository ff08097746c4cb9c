"""Importing book catalogs (JSON Lines in the Yushu book shape)."""
import json
import os
from dataclasses import dataclass, field
from typing import Callable, Iterable

from sqlalchemy import func, select

from app.libs.book_record import RecordError, clean_record
from app.models.base import db
from app.models.book import Book, upsert_books

BUNDLED_CATALOG = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "catalog.jsonl")
BATCH = 500


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def parse_line(line: str) -> dict:
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise RecordError(f"invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise RecordError("invalid JSON (nested too deeply)") from None
    return clean_record(obj)


def import_lines(lines: Iterable[str], progress: Callable[[int], None] = lambda n: None) -> ImportReport:
    """Validate and upsert every line; a bad line is reported, never fatal.
    ``progress`` is told how many bytes each line took."""
    report, batch = ImportReport(), []
    for number, line in enumerate(lines, start=1):
        progress(len(line.encode("utf-8")))
        if not line.strip():
            continue
        try:
            batch.append(parse_line(line))
        except RecordError as exc:
            report.rejected.append((number, str(exc)))
            continue
        if len(batch) >= BATCH:
            _flush(batch, report)
            batch = []
    _flush(batch, report)
    return report


def _flush(batch: list[dict], report: ImportReport) -> None:
    if not batch:
        return
    with db.auto_commit():
        inserted, updated = upsert_books(batch)
    report.imported += inserted
    report.updated += updated


def import_file(path: str, progress=lambda n: None) -> ImportReport:
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        return import_lines(fh, progress)


def load_bundled_catalog_if_empty() -> ImportReport | None:
    """Load the catalog that ships with the app when the book table is empty."""
    count = select(func.count()).select_from(Book).execution_options(include_deleted=True)
    if db.session.scalar(count):
        return None
    return import_file(BUNDLED_CATALOG)
