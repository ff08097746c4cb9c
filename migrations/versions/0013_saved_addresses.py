"""address: saved mailing addresses for drift requests

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:15:00

A new table only; no existing row changes. (Written on 0011 next to 0012,
which was built at the same time: the merge puts it after 0012.)
"""
from alembic import op
import sqlalchemy as sa

MYSQL_TABLE = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4",
               "mysql_collate": "utf8mb4_unicode_ci"}

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'address',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.Integer(), nullable=False),
        sa.Column('recipient_name', sa.String(length=20), nullable=False),
        sa.Column('address', sa.String(length=100), nullable=False),
        sa.Column('mobile', sa.String(length=20), nullable=False),
        sa.Column('is_default', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('create_time', sa.DateTime(), nullable=False),
        sa.Column('status', sa.SmallInteger(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['uid'], ['user.id'], name=op.f('fk_address_uid_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_address')),
        **MYSQL_TABLE
    )
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_address_create_time'), ['create_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_address_uid'), ['uid'], unique=False)


def downgrade():
    op.drop_table('address')
