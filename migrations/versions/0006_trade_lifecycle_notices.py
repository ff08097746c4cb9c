"""trade lifecycle (accept, mail, receive, deadlines), notices, bean debt and mail settings

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:00:00
"""
from alembic import op
import sqlalchemy as sa

MYSQL_TABLE = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4",
               "mysql_collate": "utf8mb4_unicode_ci"}
CLOSED = (2, 3, 4)  # the states a drift could end in before this revision

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('drift', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_erased', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('moved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminded', sa.SmallInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('tracking', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('problem', sa.String(length=200), server_default='', nullable=False))
    # Old drifts: each entered its state when it was made (the best we know);
    # a closed one closed then, so its address retention counts from there.
    drift = sa.table('drift', sa.column('moved_at'), sa.column('closed_at'),
                     sa.column('create_time'), sa.column('pending'))
    op.execute(drift.update().values(moved_at=drift.c.create_time))
    op.execute(drift.update().where(drift.c.pending.in_(CLOSED)).values(closed_at=drift.c.create_time))
    with op.batch_alter_table('drift', schema=None) as batch_op:
        batch_op.alter_column('moved_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index('ix_drift_pending_moved_at', ['pending', 'moved_at'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bean_debt', sa.Numeric(precision=10, scale=1), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('mail_off', sa.String(length=128), server_default='', nullable=False))
    user = sa.table('user', sa.column('mail_off'), sa.column('wish_alerts'))
    op.execute(user.update().where(user.c.wish_alerts == sa.false()).values(mail_off='wish'))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('wish_alerts')

    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('drift_id', sa.Integer(), nullable=True),
    sa.Column('gift_id', sa.Integer(), nullable=True),
    sa.Column('isbn', sa.String(length=13), nullable=False),
    sa.Column('book_title', sa.String(length=255), nullable=False),
    sa.Column('actor', sa.String(length=24), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('read', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('mail_state', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('mail_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('mail_claimed_at', sa.DateTime(), nullable=True),
    sa.Column('mail_next_at', sa.DateTime(), nullable=True),
    sa.Column('mailed_at', sa.DateTime(), nullable=True),
    sa.Column('mail_error', sa.String(length=200), server_default='', nullable=False),
    sa.Column('create_time', sa.DateTime(), nullable=False),
    sa.Column('status', sa.SmallInteger(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['drift_id'], ['drift.id'], name=op.f('fk_notice_drift_id_drift')),
    sa.ForeignKeyConstraint(['gift_id'], ['gift.id'], name=op.f('fk_notice_gift_id_gift')),
    sa.ForeignKeyConstraint(['uid'], ['user.id'], name=op.f('fk_notice_uid_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
    **MYSQL_TABLE
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_create_time'), ['create_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_drift_id'), ['drift_id'], unique=False)
        batch_op.create_index('ix_notice_mail_state', ['mail_state', 'create_time'], unique=False)
        batch_op.create_index('ix_notice_uid_read', ['uid', 'read'], unique=False)


def downgrade():
    op.drop_table('notice')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wish_alerts', sa.Boolean(), server_default='1', nullable=False))
    user = sa.table('user', sa.column('mail_off'), sa.column('wish_alerts'))
    op.execute(user.update().where(user.c.mail_off.like('%wish%')).values(wish_alerts=False))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('mail_off')
        batch_op.drop_column('bean_debt')
    with op.batch_alter_table('drift', schema=None) as batch_op:
        batch_op.drop_index('ix_drift_pending_moved_at')
        for column in ('problem', 'tracking', 'reminded', 'closed_at', 'moved_at', 'address_erased'):
            batch_op.drop_column(column)
