"""The chain of book sources named by ``BOOK_SOURCES``.

An ISBN is looked up source by source, in order, until one knows the book.
A keyword search answers from the local table first and asks the remote
sources in parallel, each in its own thread, all within one budget
(``BOOK_SEARCH_BUDGET`` seconds); a source that fails or runs out of time is
named in ``BookPage.unavailable`` and the others still answer.

The merged list a keyword search pages through is every local match first,
then the remote answers taken in turns (first of source 1, first of source 2,
second of source 1, ...). Books a remote source answers that the local table
already matches are left out, so no book shows twice. Remote totals are the
sources' own counts, so the merged total is an estimate, as on any search
engine, and the last pages may be short.
"""
import logging
import math
from concurrent.futures import ThreadPoolExecutor, wait

from flask import current_app
from sqlalchemy import select

from app.models.base import db
from app.models.book import Book
from app.models.book_search import book_match
from app.spider.source import BookPage, BookSource, BookSourceError

log = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="book-source")


class BookChain:
    def __init__(self, local: BookSource, remotes: list[BookSource], per_page: int, budget: float):
        self.local, self.remotes = local, remotes
        self.per_page, self.budget = per_page, budget

    @property
    def sources(self) -> list[BookSource]:
        return [self.local, *self.remotes]

    def search_by_isbn(self, isbn: str) -> BookPage:
        """The first source's answer that has the book; empty, naming the
        sources that failed, when none has it."""
        unavailable = []
        for source in self.sources:
            try:
                page = source.search_by_isbn(isbn)
            except BookSourceError as exc:
                log.warning("%s could not look up %s: %s", source.label, isbn, exc)
                unavailable.append(source.label)
                continue
            if page.first:
                page.unavailable = unavailable
                return page
        return BookPage(unavailable=unavailable)

    def search_by_keyword(self, keyword: str, page: int = 1) -> BookPage:
        local = self.local.search_by_keyword(keyword, page)
        if not self.remotes:
            return local
        start = (page - 1) * self.per_page
        # The part of this page that lies past the local matches, in the
        # remote region of the merged list.
        remote_from = max(0, start - local.total)
        wanted = self.per_page - len(local.books)
        answers, unavailable = self._ask_remotes(keyword, remote_from, wanted)
        # The turn at position remote_from is source remote_from % count's.
        turn = remote_from % len(self.remotes)
        slices = [books for books, _total in answers[turn:] + answers[:turn]]
        remote_books = _take_turns(slices, wanted)
        fresh = _unmatched(keyword, remote_books, {b["isbn"] for b in local.books})
        total = local.total + sum(total for _books, total in answers)
        fetched = [book for books, _t in answers for book in books]
        return BookPage(total, local.books + fresh, fetched=fetched, unavailable=unavailable,
                        at_least=local.at_least)

    def _ask_remotes(self, keyword: str, remote_from: int, wanted: int):
        """Each remote source's slice of the turns and its total, asked in
        parallel within the budget."""
        count = len(self.remotes)
        app = current_app._get_current_object()
        futures = {}
        for i, source in enumerate(self.remotes):
            # Turn positions remote_from .. remote_from + wanted - 1 that are this source's.
            first = math.ceil(max(0, remote_from - i) / count)
            last = (remote_from + wanted - 1 - i) // count if wanted > 0 else first - 1
            futures[_pool.submit(_slice, app, source, keyword, first, last - first + 1)] = source
        _done, late = wait(futures, timeout=self.budget)
        answers, unavailable = [], []
        for future, source in futures.items():  # in the chain's order
            answer = ([], 0)
            if future in late:
                log.warning("%s did not answer %r within %.1f s", source.label, keyword, self.budget)
                unavailable.append(source.label)
            else:
                try:
                    answer = future.result()
                except BookSourceError as exc:
                    log.warning("%s could not search %r: %s", source.label, keyword, exc)
                    unavailable.append(source.label)
            answers.append(answer)
        return answers, unavailable


def _slice(app, source: BookSource, keyword: str, first: int, count: int) -> tuple[list[dict], int]:
    """Books ``first .. first + count - 1`` of one source's answer (at most two
    of its pages) and its total, asked in a thread of its own."""
    with app.app_context():
        per_page = app.config["PER_PAGE"]
        page_no = first // per_page + 1
        answer = source.search_by_keyword(keyword, page_no)
        books, total = list(answer.books), answer.total
        if count <= 0:
            return [], total
        offset = first - (page_no - 1) * per_page
        if offset + count > len(books) and len(books) >= per_page and page_no * per_page < total:
            books += source.search_by_keyword(keyword, page_no + 1).books
        return books[offset:offset + count], total


def _take_turns(lists: list[list[dict]], limit: int) -> list[dict]:
    out = []
    for i in range(max((len(books) for books in lists), default=0)):
        out.extend(books[i] for books in lists if i < len(books))
    return out[:max(limit, 0)]


def _unmatched(keyword: str, books: list[dict], shown: set[str]) -> list[dict]:
    """Remote books that are not on the page already and that the local
    search does not find (those are listed among the local matches)."""
    isbns = [b["isbn"] for b in books]
    matched = set(db.session.scalars(select(Book.isbn).where(
        Book.isbn.in_(isbns), book_match(keyword)))) if isbns else set()
    out = []
    for book in books:
        if book["isbn"] in matched or book["isbn"] in shown:
            continue
        shown.add(book["isbn"])
        out.append(book)
    return out
