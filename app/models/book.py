"""The local book catalog and its search index."""
from collections import Counter

from sqlalchemy import (JSON, BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text, delete, insert,
                        select)
from sqlalchemy.orm import Mapped, load_only, mapped_column

from app.libs import search_text as st
from app.libs.book_record import BOOK_FIELDS, TEXT_LIMITS
from app.models.base import LIVE, SoftDeleteMixin, db

# The inverted index: which books contain which key (see libs/search_text),
# and the book's rank for that key (rank_key): ``field * RANK_SPAN + title length``,
# field 0 when the title starts with the key, 1 in the title, 2 in an author,
# 3 elsewhere. ix_book_gram_rank lists a key's books best first, so a search
# reads a page of them without sorting every match (see book_search). The
# primary key starts with the book: rewriting one book's keys, and a bulk
# import's appends, touch one place. No rowid on SQLite: the rows are the index.
RANK_SPAN = 1024
TITLE_START, IN_TITLE, IN_AUTHOR, ELSEWHERE = range(4)
book_gram = Table(
    "book_gram", db.metadata,
    Column("book_id", ForeignKey("book.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("gram", BigInteger, primary_key=True, autoincrement=False),
    Column("rank_key", Integer, nullable=False),
    Index("ix_book_gram_rank", "gram", "rank_key"),
    sqlite_with_rowid=False,
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

    def gram_rows(self) -> list[tuple[int, int, int]]:
        """(book_id, gram, rank) of every index key of the book."""
        columns = {name: getattr(self, name) for name in SEARCH_COLUMNS}
        return [(self.id, key, rank) for key, rank in ranked_keys(columns, self.title).items()]


SEARCH_COLUMNS = ("search_title", "search_author", "search_body", "pinyin_title", "pinyin_author")


def record_only():
    """A loader option: the book's record fields (``to_dict``), not its search
    columns, for reads that only show the book."""
    return load_only(*(getattr(Book, name) for name in BOOK_FIELDS))


CARD_FIELDS = ("isbn", "title", "author", "publisher", "price")  # what a book card shows


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
    keys (bigrams, trigrams) of each run of the searched fields, the pinyin
    keys (two, three and six letters) of the pinyin words and of the Latin
    words of every field, and the syllable pair keys of the pinyin words
    (ranked ELSEWHERE: a search only counts their books)."""
    spoken = f"{columns['pinyin_title']} {columns['pinyin_author']}"
    body = columns["search_body"].split()
    return (st.run_keys(body) | st.trigram_keys(body) | st.syllable_pair_keys(spoken)
            | st.pinyin_keys(f"{spoken} {st.latin_words(columns['search_body'])}"))


def _field_keys(text: str, pinyin: str) -> set[int]:
    runs = text.split()
    return st.run_keys(runs) | st.trigram_keys(runs) | st.pinyin_keys(f"{pinyin} {st.latin_words(text)}")


def ranked_keys(columns: dict, title: str) -> dict[int, int]:
    """Every index key of a book (``index_keys``) with its book_gram rank:
    the best field holding it, then the length of the title."""
    search_title = columns["search_title"]
    starts = st.pinyin_start_keys(columns["pinyin_title"])
    leading = st.latin_words(search_title).split(" ", 1)[0]
    if leading and search_title.startswith(leading):
        starts |= st.pinyin_start_keys(leading)
    starts |= st.text_start_keys(search_title)
    in_title = _field_keys(search_title, columns["pinyin_title"])
    in_author = _field_keys(columns["search_author"], columns["pinyin_author"])
    length = min(len(title or ""), RANK_SPAN - 1)
    ranks = dict.fromkeys(index_keys(columns), ELSEWHERE * RANK_SPAN + length)
    for field, keys in ((IN_AUTHOR, in_author), (IN_TITLE, in_title), (TITLE_START, starts)):
        ranks.update(dict.fromkeys(keys, field * RANK_SPAN + length))
    return ranks


def write_gram_rows(rows: list[tuple[int, int, int]]) -> None:
    """Insert (book_id, gram, rank) rows through the driver's executemany:
    a book has some sixty, and SQLAlchemy's per-row parameter handling
    would cost more than the database's work."""
    if not rows:
        return
    connection = db.session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(f"INSERT INTO book_gram (book_id, gram, rank_key) VALUES ({mark}, {mark}, {mark})", rows)
    finally:
        cursor.close()


def reindex_books(books: list[Book]) -> None:
    """Rewrite the index rows of ``books`` (which must have ids)."""
    ids = [book.id for book in books]
    if not ids:
        return
    db.session.execute(delete(book_gram).where(book_gram.c.book_id.in_(ids)))
    write_gram_rows([row for book in books for row in book.gram_rows()])


def _merged(records: list[dict]) -> dict[str, dict]:
    """The records by ISBN, later fields of a repeated ISBN over earlier ones."""
    merged: dict[str, dict] = {}
    for rec in records:
        merged[rec["isbn"]] = {**merged.get(rec["isbn"], {}), **{k: rec[k] for k in BOOK_FIELDS if k in rec}}
    return merged


def _insert_new(records: list[dict], prepared: dict) -> None:
    """Insert books nobody stored yet and their index rows, without
    building ORM objects (a catalog import inserts a million). ``prepared``
    holds (search columns, ranked keys) computed already, by ISBN."""
    rows, keys = [], []
    for rec in records:
        columns, ranked = prepared.get(rec["isbn"]) or (None, None)
        if columns is None:
            columns = search_columns(rec)
            ranked = ranked_keys(columns, rec.get("title", ""))
        rows.append({**rec, **columns, "status": LIVE})
        keys.append(ranked)
    ids = db.session.scalars(insert(Book).returning(Book.id, sort_by_parameter_order=True), rows).all()
    write_gram_rows([(book_id, key, rank) for book_id, ranked in zip(ids, keys) for key, rank in ranked.items()])


def upsert_books(records: list[dict], prepared: dict | None = None) -> tuple[int, int]:
    """Insert or update books by ISBN from clean records; returns
    (inserted, updated). ``prepared``: (search columns, ranked keys) of
    records already computed, by ISBN (the bulk import's). The caller commits."""
    merged = _merged(records)
    if prepared and len(merged) < len(records):  # a repeated ISBN's fields are merged
        seen = Counter(rec["isbn"] for rec in records)
        prepared = {isbn: value for isbn, value in prepared.items() if seen[isbn] == 1}
    existing = {book.isbn: book for book in db.session.scalars(
        select(Book).where(Book.isbn.in_(list(merged))).execution_options(include_deleted=True))}
    for isbn, fields in merged.items():
        if (book := existing.get(isbn)) is not None:
            book.set_attrs(fields)
            book.status = LIVE
            book.refresh_search_fields()
    new = [fields for isbn, fields in merged.items() if isbn not in existing]
    if existing:
        db.session.flush()
        reindex_books(list(existing.values()))
    if new:
        _insert_new(new, prepared or {})
    return len(new), len(records) - len(new)
