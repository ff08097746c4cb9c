"""legacy_import: which rows of an original 鱼书 database were brought over

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:30:00

The bean reason of the opening balance (legacy_opening) is a plain string in
bean_ledger.reason, so it needs no schema change.
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'legacy_import',
        sa.Column('table_name', sa.String(length=16), nullable=False),
        sa.Column('legacy_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('new_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('table_name', 'legacy_id', name='pk_legacy_import'),
    )


def downgrade():
    op.drop_table('legacy_import')
