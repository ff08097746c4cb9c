"""book catalog and search index

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 16:22:08.571725
"""
from alembic import op
import sqlalchemy as sa

MYSQL_TABLE = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4",
               "mysql_collate": "utf8mb4_unicode_ci"}


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('book',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('isbn', sa.String(length=13), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('subtitle', sa.String(length=255), nullable=False),
    sa.Column('author', sa.JSON(), nullable=False),
    sa.Column('translator', sa.JSON(), nullable=False),
    sa.Column('publisher', sa.String(length=255), nullable=False),
    sa.Column('pubdate', sa.String(length=32), nullable=False),
    sa.Column('price', sa.String(length=32), nullable=False),
    sa.Column('pages', sa.String(length=32), nullable=False),
    sa.Column('binding', sa.String(length=32), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('image', sa.String(length=512), nullable=False),
    sa.Column('search_title', sa.String(length=512), nullable=False),
    sa.Column('search_body', sa.Text(), nullable=False),
    sa.Column('create_time', sa.DateTime(), nullable=False),
    sa.Column('status', sa.SmallInteger(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_book')),
    sa.UniqueConstraint('isbn', name=op.f('uq_book_isbn')),
    **MYSQL_TABLE
    )
    with op.batch_alter_table('book', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_book_create_time'), ['create_time'], unique=False)

    op.create_table('book_gram',
    sa.Column('gram', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('book_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_book_gram_book_id_book'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gram', 'book_id', name=op.f('pk_book_gram')),
    **MYSQL_TABLE
    )
    with op.batch_alter_table('book_gram', schema=None) as batch_op:
        batch_op.create_index('ix_book_gram_book_id', ['book_id'], unique=False)



def downgrade():
    # Dropping a table drops its indexes; dropping an index first fails on
    # MySQL when a foreign key needs it.
    op.drop_table('book_gram')
    op.drop_table('book')
