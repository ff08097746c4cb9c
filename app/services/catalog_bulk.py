"""The bulk import's parallel part: parsing lines and computing each book's
search columns and index keys (pypinyin and OpenCC, most of an import's
time) in worker processes, while this process writes the previous batch.

Only two windows of lines are in memory at a time, so a file of any size
imports in flat memory.
"""
import multiprocessing
from itertools import islice
from typing import Callable, Iterable

from app.libs.book_record import RecordError
from app.models.book import ranked_keys, search_columns

WORKERS = 2
CHUNKS_PER_WINDOW = 4


def prepare(chunk: tuple[int, list[str]]) -> tuple[list[tuple[dict, dict, dict]], list[tuple[int, str]]]:
    """(records with their search columns and ranked keys, rejects) of the
    lines of ``chunk`` (its first line number and lines); runs in a worker."""
    from app.services.catalog import parse_line

    first, lines = chunk
    done, rejected = [], []
    for number, line in enumerate(lines, start=first):
        if not line.strip():
            continue
        try:
            rec = parse_line(line)
        except RecordError as exc:
            rejected.append((number, str(exc)))
            continue
        columns = search_columns(rec)
        done.append((rec, columns, ranked_keys(columns, rec.get("title", ""))))
    return done, rejected


def _windows(lines: Iterable[str], size: int, progress: Callable[[int], None]):
    """Lists of CHUNKS_PER_WINDOW (first line number, lines) chunks of ``size`` lines."""
    lines, number = iter(lines), 1
    while True:
        window = []
        for _ in range(CHUNKS_PER_WINDOW):
            chunk = list(islice(lines, size))
            if not chunk:
                break
            for line in chunk:
                progress(len(line.encode("utf-8")))
            window.append((number, chunk))
            number += len(chunk)
        if not window:
            return
        yield window


def prepared_batches(lines: Iterable[str], size: int, progress: Callable[[int], None]):
    """Yield each chunk's ``prepare`` result in file order, the next window
    being prepared while the caller writes this one."""
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        pending = None
        for window in _windows(lines, size, progress):
            upcoming = pool.map_async(prepare, window)
            if pending is not None:
                yield from pending.get()
            pending = upcoming
        if pending is not None:
            yield from pending.get()
