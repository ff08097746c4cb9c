"""The local book catalog and its search index."""
from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, String, Table, Text, delete, insert, select
from sqlalchemy.orm import Mapped, load_only, mapped_column

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
    # Normalised copies used by keyword search (see libs/search_text and search_columns).
    search_title: Mapped[str] = mapped_column(String(512), default="")
    search_author: Mapped[str] = mapped_column(Text, default="")
    search_body: Mapped[str] = mapped_column(Text, default="")
    pinyin_title: Mapped[str] = mapped_column(Text, default="")
    pinyin_author: Mapped[str] = mapped_column(Text, default="")
    # The person who added the book by hand (None: it came from a catalog or a source).
    contributor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True, default=None)

    def to_dict(self) -> dict:
        return {field: getattr(self, field) for field in BOOK_FIELDS}

    def refresh_search_fields(self) -> None:
        self.set_attrs(search_columns(self.to_dict()))

    def gram_rows(self) -> list[dict]:
        columns = {name: getattr(self, name) for name in ("search_body", "pinyin_title", "pinyin_author")}
        return [{"gram": key, "book_id": self.id} for key in index_keys(columns)]


def record_only():
    """A loader option: the book's record fields (``to_dict``), not its search
    columns, for reads that only show the book."""
    return load_only(*(getattr(Book, name) for name in BOOK_FIELDS))


def search_columns(record: dict) -> dict:
    """The search columns of a book record: the title alone and the authors
    (for ranking), every searched field (for matching) and the pinyin words
    of the title and of each author. A plain function, so a migration can
    fill old rows the way new ones are filled."""
    authors = record.get("author") or []
    texts = (record.get("title", ""), record.get("subtitle", ""), " ".join(authors),
             " ".join(record.get("translator") or []), record.get("publisher", ""), record.get("isbn", ""))
    return {"search_title": st.search_text(record.get("title", ""))[:512],
            "search_author": st.search_text(*authors),
            "search_body": st.search_text(*texts),
            "pinyin_title": st.pinyin_text(record.get("title", "")),
            "pinyin_author": st.pinyin_text(*authors)}


def index_keys(columns: dict) -> set[int]:
    """Every book_gram key of a book, from its ``search_columns``: the text
    keys of each run of the searched fields, and the pinyin keys of the
    pinyin words and of the Latin words of every field."""
    words = f"{columns['pinyin_title']} {columns['pinyin_author']} {st.latin_words(columns['search_body'])}"
    return st.run_keys(columns["search_body"].split()) | st.pinyin_keys(words)


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
