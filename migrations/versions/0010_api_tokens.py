"""api_token: personal access tokens for /api/v1

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:00:00

Only the SHA-256 digest of each token is stored (unique: the lookup of an
API request); a revoked token is a soft-deleted row.
"""
from alembic import op
import sqlalchemy as sa

MYSQL_TABLE = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4",
               "mysql_collate": "utf8mb4_unicode_ci"}

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('scope', sa.String(length=8), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=8), nullable=False),
        sa.Column('last_used_time', sa.DateTime(), nullable=True),
        sa.Column('create_time', sa.DateTime(), nullable=False),
        sa.Column('status', sa.SmallInteger(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['uid'], ['user.id'], name=op.f('fk_api_token_uid_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash')),
        **MYSQL_TABLE
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_create_time'), ['create_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_token_uid'), ['uid'], unique=False)


def downgrade():
    # The indexes go with the table (MySQL refuses to drop the uid one while
    # the foreign key needs it).
    op.drop_table('api_token')
