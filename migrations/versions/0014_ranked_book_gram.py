"""book_gram: each key's books in rank order, keyed by book first

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 19:00:00

The search index gains rank_key (the best field holding the key, then the
title's length) and an index (gram, rank_key), so a search reads a key's
books best first and stops after a page; its primary key becomes
(book_id, gram), without a rowid on SQLite. Pinyin words also get a key for
every two letters. The table is rebuilt and filled from the books' search
columns, in chunks; the downgrade puts back the (gram, book_id) table and
its keys.
"""
from alembic import op
import sqlalchemy as sa

MYSQL_TABLE = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4",
               "mysql_collate": "utf8mb4_unicode_ci"}
CHUNK = 2000

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

book = sa.table("book", sa.column("id", sa.Integer), sa.column("title", sa.String),
                sa.column("search_title", sa.String), sa.column("search_author", sa.Text),
                sa.column("search_body", sa.Text), sa.column("pinyin_title", sa.Text),
                sa.column("pinyin_author", sa.Text))


def _fill(conn, rows_of, insert) -> None:
    """Chunk by chunk of books, insert ``rows_of(book row)``."""
    last = 0
    while True:
        books = conn.execute(sa.select(book).where(book.c.id > last).order_by(book.c.id)
                             .limit(CHUNK)).mappings().all()
        if not books:
            return
        rows = [row for found in books for row in rows_of(found)]
        if rows:
            conn.execute(insert, rows)
        last = books[-1]["id"]


def upgrade():
    from app.models.book import ranked_keys

    op.drop_table('book_gram')
    op.create_table(
        'book_gram',
        sa.Column('book_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('gram', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('rank_key', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_book_gram_book_id_book'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('book_id', 'gram', name=op.f('pk_book_gram')),
        sqlite_with_rowid=False,
        **MYSQL_TABLE
    )
    new = sa.table("book_gram", sa.column("book_id"), sa.column("gram"), sa.column("rank_key"))
    _fill(op.get_bind(), lambda found: [{"book_id": found["id"], "gram": key, "rank_key": rank}
                                        for key, rank in ranked_keys(found, found["title"]).items()],
          new.insert())
    op.create_index('ix_book_gram_rank', 'book_gram', ['gram', 'rank_key'], unique=False)


def downgrade():
    from app.models.book import index_keys

    op.drop_table('book_gram')
    op.create_table(
        'book_gram',
        sa.Column('gram', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('book_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_book_gram_book_id_book'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('gram', 'book_id', name=op.f('pk_book_gram')),
        **MYSQL_TABLE
    )
    old = sa.table("book_gram", sa.column("gram"), sa.column("book_id"))
    _fill(op.get_bind(), lambda found: [{"gram": key, "book_id": found["id"]} for key in index_keys(found)],
          old.insert())
    op.create_index('ix_book_gram_book_id', 'book_gram', ['book_id'], unique=False)
