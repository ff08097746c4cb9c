"""user.locale and user.timezone: the reader's language and time zone

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 12:15:00

Both are NULL for every existing account: the page then follows the
browser's Accept-Language and DISPLAY_TIMEZONE, as before.
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('timezone')
        batch_op.drop_column('locale')
