"""user accounts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 16:25:25.479362
"""
from alembic import op
import sqlalchemy as sa

MYSQL_TABLE = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4",
               "mysql_collate": "utf8mb4_unicode_ci"}


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nickname', sa.String(length=24), nullable=False),
    sa.Column('email', sa.String(length=64), nullable=False),
    sa.Column('password', sa.String(length=255), nullable=False),
    sa.Column('beans', sa.Numeric(precision=10, scale=1), server_default='0', nullable=False),
    sa.Column('send_counter', sa.Integer(), server_default='0', nullable=False),
    sa.Column('receive_counter', sa.Integer(), server_default='0', nullable=False),
    sa.Column('wish_alerts', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('create_time', sa.DateTime(), nullable=False),
    sa.Column('status', sa.SmallInteger(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email')),
    sa.UniqueConstraint('nickname', name=op.f('uq_user_nickname')),
    **MYSQL_TABLE
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_create_time'), ['create_time'], unique=False)



def downgrade():
    # Dropping a table drops its indexes; dropping an index first fails on
    # MySQL when a foreign key needs it.
    op.drop_table('user')
