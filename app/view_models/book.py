"""Shape book dicts (Yushu shape) for templates."""
import math
from functools import cached_property

from app.libs.book_record import TEXT_LIMITS
from app.libs.request_domain import gettext as _


class BookViewModel:
    """Every text field of the book as an attribute ("" when missing), the
    names as ``authors``/``translators`` lists and joined as ``author``/``translator``
    (joined once: a card shows the author in its line and its cover's address)."""

    def __init__(self, data: dict):
        self.isbn = data.get("isbn", "")
        for name in TEXT_LIMITS:
            setattr(self, name, data.get(name, ""))
        self.authors = list(data.get("author") or [])
        self.translators = list(data.get("translator") or [])

    @cached_property
    def author(self) -> str:
        return _("、").join(self.authors)  # the list separator of the page's language

    @cached_property
    def translator(self) -> str:
        return _("、").join(self.translators)

    @cached_property
    def intro(self) -> str:
        """"author / publisher / price" with the empty parts left out."""
        return " / ".join(part for part in (self.author, self.publisher, self.price) if part)


class BookCollection:
    """One page of search results."""

    def __init__(self, *, keyword: str, page: int, per_page: int, total: int, books: list[dict],
                 max_page: int = 99, isbn: str | None = None, unavailable: list[str] = (),
                 offered: bool = False, offers: dict[str, int] | None = None, at_least: bool = False):
        self.keyword = keyword
        self.offered = offered  # only books someone gives away now
        self.offers = offers or {}  # ISBN -> copies on offer now
        self.isbn = isbn  # the ISBN-13 when the query was an ISBN
        self.unavailable = list(unavailable)  # labels of the sources that could not answer
        self.page = page
        self.total = total
        self.at_least = at_least  # the total is where the search stopped counting
        self.books = [BookViewModel(book) for book in books]
        self.pages = min(math.ceil(total / per_page), max_page) if total else 0

    @property
    def count_text(self) -> str:
        """The total as shown: "1,000+" when the search stopped counting."""
        return f"{self.total:,}+" if self.at_least else f"{self.total:,}"

    def page_args(self, page: int) -> dict:
        """The query arguments of another page of these results."""
        return {"q": self.keyword, "page": page, "offered": 1 if self.offered else None}

    @property
    def past_last_page(self) -> bool:
        """Books were found, but this page lies beyond the last one."""
        return bool(self.total) and not self.books

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to show, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
        shown = {1, self.pages} | set(range(self.page - around, self.page + around + 1))
        numbers, last = [], 0
        for number in sorted(n for n in shown if 1 <= n <= self.pages):
            if number - last > 1:
                numbers.append(None)
            numbers.append(number)
            last = number
        return numbers
