"""book_gram: trigram keys of Chinese runs, syllable pair and six-letter keys of pinyin

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 02:00:00

Three kinds of keys join the search index (see app/libs/search_text): the
trigrams of every run with Chinese in it (above every bigram key), so a
query of three or more characters reads a rare key's books; a key for
every two syllables in a row of a pinyin word (below every pinyin key), so
a two-syllable pinyin query counts its many matches without reading books;
and a key for every six letters in a row of a pinyin or Latin word (below
those), so a long pinyin query reads a rare key's books.
The upgrade adds them for the stored books, in chunks, after removing any
(the 0014 upgrade, run by today's code, writes them already); the
downgrade removes them. The table's shape does not change.
"""
from alembic import op
import sqlalchemy as sa

CHUNK = 2000
TRIGRAM_BASE = 0x110000 ** 2  # search_text.TRIGRAM_BASE
PAIR_BASE = -1 - 37 ** 3  # search_text.PAIR_BASE; the six-letter keys are below it

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

book = sa.table("book", sa.column("id", sa.Integer), sa.column("title", sa.String),
                sa.column("search_title", sa.String), sa.column("search_author", sa.Text),
                sa.column("search_body", sa.Text), sa.column("pinyin_title", sa.Text),
                sa.column("pinyin_author", sa.Text))
gram = sa.table("book_gram", sa.column("book_id"), sa.column("gram"), sa.column("rank_key"))


def _remove_new_keys(conn) -> None:
    conn.execute(gram.delete().where(sa.or_(gram.c.gram >= TRIGRAM_BASE, gram.c.gram <= PAIR_BASE)))


def upgrade():
    from app.models.book import ranked_keys

    conn = op.get_bind()
    _remove_new_keys(conn)
    last = 0
    while True:
        books = conn.execute(sa.select(book).where(book.c.id > last).order_by(book.c.id)
                             .limit(CHUNK)).mappings().all()
        if not books:
            return
        rows = [{"book_id": found["id"], "gram": key, "rank_key": rank}
                for found in books for key, rank in ranked_keys(found, found["title"]).items()
                if key >= TRIGRAM_BASE or key <= PAIR_BASE]
        if rows:
            conn.execute(gram.insert(), rows)
        last = books[-1]["id"]


def downgrade():
    _remove_new_keys(op.get_bind())
