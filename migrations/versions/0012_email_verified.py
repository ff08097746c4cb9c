"""user.email_verified: whether the account's address is shown to be its owner's

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:25:00

Every existing account counts as verified (server default true): they signed
up before fisher asked for a confirmation, they have been getting mail at
that address, and marking them unverified would silently stop the notice
mail they rely on until each of them found and used a link. Only accounts
registered from now on start unverified (the register view stores False).
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email_verified')
