"""books people add by hand (their contributor) and the condition of a gift

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 21:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('book', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contributor_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_book_contributor_id', ['contributor_id'], unique=False)
        batch_op.create_foreign_key('fk_book_contributor_id_user', 'user', ['contributor_id'], ['id'])
    with op.batch_alter_table('gift', schema=None) as batch_op:
        batch_op.add_column(sa.Column('condition', sa.SmallInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('condition_note', sa.String(length=200), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('gift', schema=None) as batch_op:
        batch_op.drop_column('condition_note')
        batch_op.drop_column('condition')
    with op.batch_alter_table('book', schema=None) as batch_op:
        batch_op.drop_constraint('fk_book_contributor_id_user', type_='foreignkey')
        batch_op.drop_index('ix_book_contributor_id')
        batch_op.drop_column('contributor_id')
