"""search forms: traditional/simplified folding, pinyin of titles and authors, title-only ranking

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 09:00:00

Adds the authors' search text and the pinyin words of the title and the
authors, and fills every search column and the book_gram index of the books
already stored, in chunks, with the app's current text forms (so old books
are found by pinyin and by their other script). The downgrade writes the
columns and keys back in the form 0001 defined (NFKC and lower case only,
title with subtitle), kept here as it was so it cannot drift.
"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

NEW_COLUMNS = ("search_author", "pinyin_title", "pinyin_author")
CHUNK = 1000

book = sa.table("book", sa.column("id", sa.Integer), sa.column("isbn", sa.String),
                sa.column("title", sa.String), sa.column("subtitle", sa.String),
                sa.column("author", sa.JSON), sa.column("translator", sa.JSON),
                sa.column("publisher", sa.String), sa.column("search_title", sa.String),
                sa.column("search_author", sa.Text), sa.column("search_body", sa.Text),
                sa.column("pinyin_title", sa.Text), sa.column("pinyin_author", sa.Text))
book_gram = sa.table("book_gram", sa.column("gram", sa.BigInteger), sa.column("book_id", sa.Integer))


def _rewrite(conn, columns_of, keys_of) -> None:
    """Chunk by chunk of ids: set the search columns ``columns_of(record)``
    and replace the book's keys with ``keys_of(columns)``."""
    last = 0
    while True:
        rows = conn.execute(sa.select(book.c.id, book.c.isbn, book.c.title, book.c.subtitle, book.c.author,
                                      book.c.translator, book.c.publisher)
                            .where(book.c.id > last).order_by(book.c.id).limit(CHUNK)).mappings().all()
        if not rows:
            return
        updates, grams = [], []
        for row in rows:
            columns = columns_of(dict(row))

            updates.append({"row_id": row["id"], **{f"v_{name}": value for name, value in columns.items()}})
            grams += [{"gram": key, "book_id": row["id"]} for key in keys_of(columns)]
        names = list(columns)
        conn.execute(book.update().where(book.c.id == sa.bindparam("row_id"))
                     .values({name: sa.bindparam(f"v_{name}") for name in names}), updates)
        ids = [row["id"] for row in rows]
        conn.execute(book_gram.delete().where(book_gram.c.book_id.in_(ids)))
        if grams:
            conn.execute(book_gram.insert(), grams)
        last = ids[-1]


def upgrade():
    from app.models.book import index_keys, search_columns

    # Added with a default so existing rows are valid, which SQLite does in
    # place; dropping the default then copies the table on SQLite, and
    # dropping the old table there cascades to book_gram, so the index is
    # rebuilt only after that.
    with op.batch_alter_table('book', schema=None) as batch_op:
        for name in NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table('book', schema=None) as batch_op:
        for name in NEW_COLUMNS:
            batch_op.alter_column(name, existing_type=sa.Text(), existing_nullable=False, server_default=None)
    _rewrite(op.get_bind(), search_columns, index_keys)


# The text forms of 0001, frozen for the downgrade.
_SPAN = 0x110000
_RUN = re.compile(r"[^\W_]+")


def _old_runs(text: str) -> list[str]:
    return _RUN.findall(unicodedata.normalize("NFKC", text or "").lower())


def _old_columns(record: dict) -> dict:
    texts = (record["title"], record["subtitle"], " ".join(record["author"] or []),
             " ".join(record["translator"] or []), record["publisher"], record["isbn"])
    return {"search_title": " ".join(_old_runs(record["title"]) + _old_runs(record["subtitle"]))[:512],
            "search_body": " ".join(run for text in texts for run in _old_runs(text))}


def _old_keys(columns: dict) -> set[int]:
    keys = set()
    for run in columns["search_body"].split():
        codes = [ord(ch) for ch in run]
        keys |= {a * _SPAN + b for a, b in zip(codes, codes[1:])} | {codes[-1] * _SPAN}
    return keys


def downgrade():
    # Columns first: on SQLite that copies the table and empties book_gram.
    with op.batch_alter_table('book', schema=None) as batch_op:
        for name in reversed(NEW_COLUMNS):
            batch_op.drop_column(name)
    _rewrite(op.get_bind(), _old_columns, _old_keys)
