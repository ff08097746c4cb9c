"""Importing book catalogs (JSON Lines in the Yushu book shape).

A big file on SQLite (BULK_BYTES or more) is imported in bulk mode: without
fsync or foreign-key checks (the import writes a book before its index rows),
with a bigger page cache, and with the search index's rank index dropped and
built again at the end (once, sorted, rather than row by row). Searches
during such an import are slow, so run it when the site is quiet.
"""
import contextlib
import json
import os
from dataclasses import dataclass, field
from typing import Callable, Iterable

from sqlalchemy import func, select, text

from app.libs.book_record import RecordError, clean_record
from app.models.base import db
from app.models.book import Book, upsert_books

BUNDLED_CATALOG = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "catalog.jsonl")
BATCH = 2000
BULK_BYTES = 16 * 2**20
_BULK_PRAGMAS = ("PRAGMA synchronous=OFF", "PRAGMA foreign_keys=OFF", "PRAGMA cache_size=-65536")
_RANK_INDEX = "CREATE INDEX IF NOT EXISTS ix_book_gram_rank ON book_gram (gram, rank_key)"


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


def import_lines(lines: Iterable[str], progress: Callable[[int], None] = lambda n: None,
                 bulk: bool = False) -> ImportReport:
    """Validate and upsert every line; a bad line is reported, never fatal.
    ``progress`` is told how many bytes each line took."""
    if bulk:
        return _import_bulk(lines, progress)
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


def _import_bulk(lines: Iterable[str], progress) -> ImportReport:
    """import_lines with the lines prepared in worker processes (see
    catalog_bulk), each batch written on a connection set for bulk mode
    (before the batch's transaction begins: SQLite ignores foreign_keys
    inside one)."""
    from app.services.catalog_bulk import prepared_batches

    report = ImportReport()
    for done, rejected in prepared_batches(lines, BATCH, progress):
        report.rejected += rejected
        if not done:
            continue
        for pragma in _BULK_PRAGMAS:
            db.session.execute(text(pragma))
        with db.auto_commit():
            inserted, updated = upsert_books([rec for rec, _columns, _keys in done],
                                             prepared={rec["isbn"]: (columns, keys) for rec, columns, keys in done})
        report.imported += inserted
        report.updated += updated
    return report


@contextlib.contextmanager
def _bulk_mode(path: str):
    """Yield whether ``path`` is imported in bulk mode, and set it up."""
    bulk = db.engine.dialect.name == "sqlite" and os.path.getsize(path) >= BULK_BYTES
    if not bulk:
        yield False
        return
    with db.engine.begin() as conn:
        conn.execute(text("DROP INDEX IF EXISTS ix_book_gram_rank"))
    try:
        yield True
    finally:
        db.session.remove()
        db.engine.dispose()  # no pooled connection keeps the bulk pragmas
        with db.engine.begin() as conn:
            conn.execute(text(_RANK_INDEX))


def import_file(path: str, progress=lambda n: None) -> ImportReport:
    with _bulk_mode(path) as bulk, open(path, encoding="utf-8-sig", errors="replace") as fh:
        report = import_lines(fh, progress, bulk)
    if db.engine.dialect.name == "sqlite":
        # Fold the write-ahead log into the database: until then every read
        # looks pages up in it, which after a big import slows each search.
        db.session.remove()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return report


def load_bundled_catalog_if_empty() -> ImportReport | None:
    """Load the catalog that ships with the app when the book table is empty."""
    count = select(func.count()).select_from(Book).execution_options(include_deleted=True)
    if db.session.scalar(count):
        return None
    return import_file(BUNDLED_CATALOG)
