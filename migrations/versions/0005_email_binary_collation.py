"""user.email compared byte for byte (utf8mb4_bin on MySQL) and stored canonical

MySQL's *_ci collations made "vïctim@…" find the row "victim@…", while the
per-account rate limit and the forms saw two addresses. The column now
compares exactly, and every stored address is put in the canonical form the
app looks up (NFKC, case-folded, stripped). An address whose canonical form is
taken by another row or is too long is left as it is and reported.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:00:00
"""
import logging
import unicodedata

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
USER = sa.table("user", sa.column("id", sa.Integer), sa.column("email", sa.String(64)))


def _canonical(email: str) -> str:
    # The same rule as app.models.user.normalize_email, copied so this
    # revision keeps meaning what it meant when the app changes.
    return unicodedata.normalize("NFKC", email or "").strip().casefold()


def _is_mysql() -> bool:
    return op.get_bind().dialect.name in ("mysql", "mariadb")


def upgrade():
    if _is_mysql():
        op.alter_column('user', 'email', existing_type=sa.String(length=64),
                        type_=mysql.VARCHAR(length=64, collation='utf8mb4_bin'), existing_nullable=False)
    _store_canonical_emails()


def _store_canonical_emails() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(USER.c.id, USER.c.email)).all()
    taken = {email for _, email in rows}
    kept = []
    for uid, email in rows:
        canonical = _canonical(email)
        if canonical == email:
            continue
        if canonical in taken or len(canonical) > 64:
            kept.append(uid)
            continue
        bind.execute(sa.update(USER).where(USER.c.id == uid).values(email=canonical))
        taken.discard(email)
        taken.add(canonical)
    if kept:
        log.warning("user.email: %d address(es) left as they were (canonical form taken or too long): "
                    "ids %s", len(kept), ", ".join(map(str, kept)))
    foreign = [uid for uid, email in rows if not _canonical(email).isascii()]
    if foreign:
        log.warning("user.email: %d account(s) have a non-ASCII address, which the forms now refuse "
                    "and mail cannot reach; ids %s", len(foreign), ", ".join(map(str, foreign)))


def downgrade():
    # Back to the table's default (case- and accent-insensitive) collation.
    # The canonical addresses stay: they were already lower case.
    if _is_mysql():
        op.alter_column('user', 'email', existing_type=mysql.VARCHAR(length=64, collation='utf8mb4_bin'),
                        type_=sa.String(length=64), existing_nullable=False)
