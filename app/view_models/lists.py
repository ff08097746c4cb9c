"""Shape gifts and wishes for the list pages and the book page."""
from dataclasses import dataclass
from datetime import datetime

from app.libs.enums import GiftCondition
from app.view_models.book import BookViewModel


@dataclass
class ListedEntry:
    """One person offering or wanting a book, as the book page lists them;
    a gift also says what state the copy is in."""
    id: int
    uid: int
    nickname: str
    time: datetime  # naive UTC; the page shows it |date
    condition: str = ""
    condition_note: str = ""


def condition_of(item) -> tuple[str, str]:
    """(label in the page's language, note) of a gift's condition; empty for a wish."""
    code = getattr(item, "condition", 0) or 0
    return GiftCondition(code).shown_label, getattr(item, "condition_note", "") or ""


def listed_entries(rows) -> list[ListedEntry]:
    """``open_with_users`` rows (the gift or wish and its owner's nickname) → entries."""
    return [ListedEntry(row.id, row.uid, row.nickname, row.create_time, *condition_of(row)) for row in rows]


@dataclass
class MyListItem:
    """One of my gifts or wishes: its book and how many people are on the other side."""
    id: int
    book: BookViewModel
    others: int
    waiting: bool = False
    condition: str = ""
    condition_note: str = ""


def my_list_items(*, rows, counts: dict[str, int], waiting_ids=frozenset()) -> list[MyListItem]:
    """``my_open`` rows (the gift or wish, its book's card columns) with
    per-ISBN counts of the other side and the ids of gifts with a waiting drift."""
    return [MyListItem(item.id, BookViewModel(book), counts.get(item.isbn, 0),
                       item.id in waiting_ids, *condition_of(item))
            for item, book in rows]


@dataclass
class RecentGift:
    book: BookViewModel
    nickname: str


def recent_gift_items(rows) -> list[RecentGift]:
    """``recent_gifts`` rows (card columns, uid, nickname) → cards."""
    return [RecentGift(BookViewModel(dict(row._mapping)), row.nickname) for row in rows]


@dataclass
class BookLists:
    """Who offers and who wants one book, seen by the current user: the
    others' entries, and whether the book is on my own lists."""
    gifts: list[ListedEntry]
    wishes: list[ListedEntry]
    in_my_gifts: bool
    in_my_wishes: bool

    @classmethod
    def build(cls, *, gift_rows, wish_rows, my_uid: int | None) -> "BookLists":
        gifts, wishes = listed_entries(gift_rows), listed_entries(wish_rows)
        mine = lambda entries: my_uid is not None and any(e.uid == my_uid for e in entries)  # noqa: E731
        return cls([e for e in gifts if e.uid != my_uid], [e for e in wishes if e.uid != my_uid],
                   mine(gifts), mine(wishes))

    @property
    def wanted(self) -> int:
        """How many people want the book, me included."""
        return len(self.wishes) + self.in_my_wishes

    @property
    def offered(self) -> int:
        """How many people offer the book, me included."""
        return len(self.gifts) + self.in_my_gifts


@dataclass
class OfferItem:
    """One copy on offer, as /gifts lists it."""
    gift_id: int
    book: BookViewModel
    nickname: str
    time: datetime  # naive UTC; the page shows it |date
    wishers: int
    mine: bool
    condition: str = ""
    condition_note: str = ""


@dataclass
class OfferList:
    """One page of the copies on offer and the filters that chose them."""
    items: list[OfferItem]
    total: int
    page: int
    pages: int
    keyword: str
    wanted: bool

    @classmethod
    def build(cls, found, page: int, per_page: int, keyword: str, wanted: bool, my_uid: int | None):
        items = [OfferItem(gift.id, BookViewModel(book.to_dict()), user.nickname,
                           gift.create_time, wishers, user.id == my_uid,
                           *condition_of(gift))
                 for gift, book, user, wishers in found.rows]
        pages = min(-(-found.total // per_page), 99) if found.total else 0
        return cls(items, found.total, page, pages, keyword, wanted)

    def page_args(self, page: int) -> dict:
        return {"q": self.keyword or None, "wanted": 1 if self.wanted else None,
                "page": page if page > 1 else None}
