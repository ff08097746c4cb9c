"""Shape book dicts (Yushu shape) for templates."""
import math


class BookViewModel:
    def __init__(self, data: dict):
        self.isbn = data.get("isbn", "")
        self.title = data.get("title", "")
        self.subtitle = data.get("subtitle", "")
        self.authors = list(data.get("author") or [])
        self.translators = list(data.get("translator") or [])
        self.publisher = data.get("publisher", "")
        self.pubdate = data.get("pubdate", "")
        self.price = data.get("price", "")
        self.pages = data.get("pages", "")
        self.binding = data.get("binding", "")
        self.summary = data.get("summary", "")
        self.image = data.get("image", "")

    @property
    def author(self) -> str:
        return "、".join(self.authors)

    @property
    def translator(self) -> str:
        return "、".join(self.translators)

    @property
    def intro(self) -> str:
        """"author / publisher / price" with the empty parts left out."""
        return " / ".join(part for part in (self.author, self.publisher, self.price) if part)


class BookCollection:
    """One page of search results."""

    def __init__(self, keyword: str, page: int, per_page: int, total: int, books: list[dict],
                 max_page: int = 99):
        self.keyword = keyword
        self.page = page
        self.total = total
        self.books = [BookViewModel(book) for book in books]
        self.pages = min(math.ceil(total / per_page), max_page) if total else 0

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
