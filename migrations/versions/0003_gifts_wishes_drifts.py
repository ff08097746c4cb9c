"""gifts wishes drifts and bean ledger

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 16:30:50.259510
"""
from alembic import op
import sqlalchemy as sa

MYSQL_TABLE = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4",
               "mysql_collate": "utf8mb4_unicode_ci"}


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('gift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.Integer(), nullable=False),
    sa.Column('isbn', sa.String(length=13), nullable=False),
    sa.Column('launched', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('create_time', sa.DateTime(), nullable=False),
    sa.Column('status', sa.SmallInteger(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['uid'], ['user.id'], name=op.f('fk_gift_uid_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift')),
    **MYSQL_TABLE
    )
    with op.batch_alter_table('gift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_create_time'), ['create_time'], unique=False)
        batch_op.create_index('ix_gift_isbn_launched', ['isbn', 'launched'], unique=False)
        batch_op.create_index(batch_op.f('ix_gift_uid'), ['uid'], unique=False)

    op.create_table('wish',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.Integer(), nullable=False),
    sa.Column('isbn', sa.String(length=13), nullable=False),
    sa.Column('launched', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('create_time', sa.DateTime(), nullable=False),
    sa.Column('status', sa.SmallInteger(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['uid'], ['user.id'], name=op.f('fk_wish_uid_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wish')),
    **MYSQL_TABLE
    )
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wish_create_time'), ['create_time'], unique=False)
        batch_op.create_index('ix_wish_isbn_launched', ['isbn', 'launched'], unique=False)
        batch_op.create_index(batch_op.f('ix_wish_uid'), ['uid'], unique=False)

    op.create_table('drift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_name', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('isbn', sa.String(length=13), nullable=False),
    sa.Column('book_title', sa.String(length=255), nullable=False),
    sa.Column('book_author', sa.String(length=255), nullable=False),
    sa.Column('book_img', sa.String(length=512), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('requester_nickname', sa.String(length=24), nullable=False),
    sa.Column('gifter_id', sa.Integer(), nullable=False),
    sa.Column('gifter_nickname', sa.String(length=24), nullable=False),
    sa.Column('gift_id', sa.Integer(), nullable=False),
    sa.Column('pending', sa.SmallInteger(), server_default='1', nullable=False),
    sa.Column('create_time', sa.DateTime(), nullable=False),
    sa.Column('status', sa.SmallInteger(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['gift_id'], ['gift.id'], name=op.f('fk_drift_gift_id_gift')),
    sa.ForeignKeyConstraint(['gifter_id'], ['user.id'], name=op.f('fk_drift_gifter_id_user')),
    sa.ForeignKeyConstraint(['requester_id'], ['user.id'], name=op.f('fk_drift_requester_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drift')),
    **MYSQL_TABLE
    )
    with op.batch_alter_table('drift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drift_create_time'), ['create_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_drift_gift_id'), ['gift_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drift_gifter_id'), ['gifter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drift_requester_id'), ['requester_id'], unique=False)

    op.create_table('bean_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.Integer(), nullable=False),
    sa.Column('delta', sa.Numeric(precision=10, scale=1), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('gift_id', sa.Integer(), nullable=True),
    sa.Column('drift_id', sa.Integer(), nullable=True),
    sa.Column('create_time', sa.DateTime(), nullable=False),
    sa.Column('status', sa.SmallInteger(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['drift_id'], ['drift.id'], name=op.f('fk_bean_ledger_drift_id_drift')),
    sa.ForeignKeyConstraint(['gift_id'], ['gift.id'], name=op.f('fk_bean_ledger_gift_id_gift')),
    sa.ForeignKeyConstraint(['uid'], ['user.id'], name=op.f('fk_bean_ledger_uid_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bean_ledger')),
    **MYSQL_TABLE
    )
    with op.batch_alter_table('bean_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bean_ledger_create_time'), ['create_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_bean_ledger_uid'), ['uid'], unique=False)



def downgrade():
    # Dropping a table drops its indexes; dropping an index first fails on
    # MySQL when a foreign key needs it.
    op.drop_table('bean_ledger')
    op.drop_table('drift')
    op.drop_table('wish')
    op.drop_table('gift')
