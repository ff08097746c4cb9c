"""The local book catalog and its search index."""
from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, String, Table, Text, case, delete, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from app.libs import search_text as st
from app.libs.book_record import BOOK_FIELDS, TEXT_LIMITS
from app.models.base import LIVE, SoftDeleteMixin, db

# The inverted index: which books contain which bigram key (see libs/search_text).
book_gram = Table(
    "book_gram", db.metadata,
    Column("gram", BigInteger, primary_key=True, autoincrement=False),
    Column("book_id", ForeignKey("book.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Index("ix_book_gram_book_id", "book_id"),
)


class Book(SoftDeleteMixin, db.Model):
    __tablename__ = "book"

    id: Mapped[int] = mapped_column(primary_key=True)
    isbn: Mapped[str] = mapped_column(String(13), unique=True)
    title: Mapped[str] = mapped_column(String(TEXT_LIMITS["title"]))
    subtitle: Mapped[str] = mapped_column(String(TEXT_LIMITS["subtitle"]), default="")
    author: Mapped[list] = mapped_column(JSON, default=list)
    translator: Mapped[list] = mapped_column(JSON, default=list)
    publisher: Mapped[str] = mapped_column(String(TEXT_LIMITS["publisher"]), default="")
    pubdate: Mapped[str] = mapped_column(String(TEXT_LIMITS["pubdate"]), default="")
    price: Mapped[str] = mapped_column(String(TEXT_LIMITS["price"]), default="")
    pages: Mapped[str] = mapped_column(String(TEXT_LIMITS["pages"]), default="")
    binding: Mapped[str] = mapped_column(String(TEXT_LIMITS["binding"]), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    image: Mapped[str] = mapped_column(String(TEXT_LIMITS["image"]), default="")
    # Normalised copies used by keyword search (see libs/search_text).
    search_title: Mapped[str] = mapped_column(String(512), default="")
    search_body: Mapped[str] = mapped_column(Text, default="")
    # The person who added the book by hand (None: it came from a catalog or a source).
    contributor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True, default=None)

    def to_dict(self) -> dict:
        return {field: getattr(self, field) for field in BOOK_FIELDS}

    def _index_texts(self) -> tuple[str, ...]:
        return (self.title, self.subtitle, " ".join(self.author or []),
                " ".join(self.translator or []), self.publisher, self.isbn)

    def refresh_search_fields(self) -> None:
        self.search_title = st.search_text(self.title, self.subtitle)[:512]
        self.search_body = st.search_text(*self._index_texts())

    def gram_rows(self) -> list[dict]:
        keys = set()
        for text in self._index_texts():
            keys |= st.gram_keys(text)
        return [{"gram": key, "book_id": self.id} for key in keys]


def reindex_books(books: list[Book]) -> None:
    """Rewrite the index rows of ``books`` (which must have ids)."""
    ids = [book.id for book in books]
    if not ids:
        return
    db.session.execute(delete(book_gram).where(book_gram.c.book_id.in_(ids)))
    rows = [row for book in books for row in book.gram_rows()]
    if rows:
        db.session.execute(insert(book_gram), rows)


def upsert_books(records: list[dict]) -> tuple[int, int]:
    """Insert or update books by ISBN from clean records; returns
    (inserted, updated). The caller commits."""
    isbns = [rec["isbn"] for rec in records]
    existing = {book.isbn: book for book in db.session.scalars(
        select(Book).where(Book.isbn.in_(isbns)).execution_options(include_deleted=True))}
    touched, inserted = {}, 0
    for rec in records:
        book = existing.get(rec["isbn"])
        if book is None:
            book = Book(isbn=rec["isbn"])
            db.session.add(book)
            existing[rec["isbn"]] = book
            inserted += 1
        book.set_attrs({k: rec[k] for k in BOOK_FIELDS if k in rec})
        book.status = LIVE
        book.refresh_search_fields()
        touched[book.isbn] = book
    db.session.flush()
    reindex_books(list(touched.values()))
    return inserted, len(records) - inserted


def _key_filters(runs: list[str]):
    """Index conditions for a query: bigrams of the longer runs, or the key
    range of a lone character when every run is one character."""
    keys = set()
    for run in runs:
        if len(run) > 1:
            keys |= st.bigram_keys(run)
    if keys:
        return (select(book_gram.c.book_id).where(book_gram.c.gram.in_(keys))
                .group_by(book_gram.c.book_id).having(func.count() == len(keys)))
    low, high = st.char_key_range(runs[0])
    return select(book_gram.c.book_id).where(book_gram.c.gram.between(low, high)).distinct()


def search_books(query: str, page: int, per_page: int) -> tuple[int, list[Book]]:
    """Keyword search over title, subtitle, authors, translators, publisher
    and ISBN; title matches first. Returns (total, books of that page)."""
    runs = st.runs(query)
    if not runs:
        return 0, []
    matches = select(Book).where(
        Book.id.in_(_key_filters(runs)),
        *[Book.search_body.like(f"%{run}%") for run in runs])
    total = db.session.scalar(select(func.count()).select_from(matches.subquery()))
    if not total:
        return 0, []
    in_title = case((db.and_(*[Book.search_title.like(f"%{run}%") for run in runs]), 0), else_=1)
    books = db.session.scalars(
        matches.order_by(in_title, func.length(Book.title), Book.id)
        .limit(per_page).offset((page - 1) * per_page)).all()
    return total, books


def book_match(query: str):
    """The condition "this book matches the keyword" (a false condition for a
    query with nothing to search), for queries that filter by keyword."""
    runs = st.runs(query)
    if not runs:
        return db.false()
    return db.and_(Book.id.in_(_key_filters(runs)), *[Book.search_body.like(f"%{run}%") for run in runs])
