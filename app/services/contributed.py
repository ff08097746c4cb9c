"""Books people add by hand when no source knows them, and the care of them.

A contributed book is an ordinary row of the book table that remembers who
added it. Its contributor may correct it while it is theirs alone: once
someone else lists it, wishes for it, or any drift carries it, others rely on
what it says and only an operator (``flask books edit``) changes it. The
cover photo is written after the book's unit of work commits, so a failed
commit never leaves a photo behind.
"""
import logging
import os
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from functools import cache

from sqlalchemy import bindparam, func, or_, select

from app.libs.book_record import RecordError, clean_record
from app.libs.cover_photo import cover_jpeg
from app.libs.covers import KINDS, covers_dir, store_cover
from app.models.base import LIVE, db
from app.models.book import Book, upsert_books
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.unit_of_work import retry_on_deadlock
from app.models.user import User
from app.models.wish import Wish
from app.services.errors import NotFound, Refused

log = logging.getLogger(__name__)
KNOWN = _l("书库里已经有这本书了")


def checked_photo(data: bytes | None) -> bytes | None:
    """The JPEG to keep for an uploaded photo (PhotoError when unusable)."""
    if data is None:
        return None
    return cover_jpeg(data, current_app.config["COVER_PHOTO_MAX_BYTES"])


def _clean(record: dict) -> dict:
    try:
        return clean_record(record)
    except RecordError as exc:  # the form checks first; this is the importer's rule
        raise Refused(_("这本书的信息无法保存：%(reason)s", reason=exc)) from exc


@retry_on_deadlock
def add_book(user: User, record: dict, photo: bytes | None = None) -> dict:
    """Store a book nobody had, contributed by ``user``; Refused when the
    table already has a live book with that ISBN (a deleted one is revived)."""
    record = _clean(record)
    with db.auto_commit():
        existing = db.session.scalar(select(Book).where(Book.isbn == record["isbn"])
                                     .execution_options(include_deleted=True))
        if existing is not None and existing.status == LIVE:
            raise Refused(str(KNOWN))
        upsert_books([record])
        book = db.session.scalar(select(Book).where(Book.isbn == record["isbn"]))
        book.contributor_id = user.id
    _keep_photo(record["isbn"], photo)
    return record


def editable_by(book: Book, user: User) -> bool:
    """True while ``user`` contributed the book and nobody else relies on it."""
    return _may_edit(book.contributor_id, book.isbn, user)


def _may_edit(contributor_id: int | None, isbn: str, user) -> bool:
    return contributor_id == user.id and not _relied_on(isbn, exclude_uid=user.id)


def _relied_on(isbn: str, exclude_uid: int | None = None) -> bool:
    """Whether a gift or wish (of anyone but ``exclude_uid``) or any drift
    refers to the ISBN, deleted rows included: they are history that names it."""
    for model in (Gift, Wish):
        query = select(func.count()).select_from(model).where(model.isbn == isbn)
        if exclude_uid is not None:
            query = query.where(model.uid != exclude_uid)
        if db.session.scalar(query.execution_options(include_deleted=True)):
            return True
    return bool(db.session.scalar(select(func.count()).select_from(Drift).where(Drift.isbn == isbn)
                                  .execution_options(include_deleted=True)))


@dataclass
class Contribution:
    nickname: str
    editable: bool


@cache
def _contributor():
    return (select(Book.contributor_id, User).join(User, User.id == Book.contributor_id)
            .where(Book.isbn == bindparam("isbn")))


def contribution(isbn: str, viewer) -> Contribution | None:
    """Who added the book by hand, and whether ``viewer`` may still edit it
    (None for a book that came from a catalog or a source)."""
    row = db.session.execute(_contributor(), {"isbn": isbn}).first()
    if row is None:
        return None
    contributor_id, user = row
    # editable_by's rule, from the contributor's id alone (the page has the book already)
    editable = getattr(viewer, "is_authenticated", False) and _may_edit(contributor_id, isbn, viewer)
    return Contribution(user.display_nickname, bool(editable))


def contributed_book(isbn: str, user: User) -> Book:
    """The live book ``user`` contributed and may still edit, or NotFound."""
    book = db.session.scalar(select(Book).where(Book.isbn == isbn))
    if book is None or book.contributor_id != user.id:
        raise NotFound(isbn)
    if not editable_by(book, user):
        raise Refused(_("已经有其他人赠送、想要或请求了这本书，不能再修改；如有错误请联系管理员"))
    return book


@retry_on_deadlock
def edit_book(user: User | None, isbn: str, record: dict, photo: bytes | None = None) -> dict:
    """Correct a book; ``user`` None is an operator, who may edit any book.
    The ISBN cannot change."""
    record = _clean(dict(record, isbn=isbn))
    with db.auto_commit():
        if user is not None:
            contributed_book(isbn, user)
        elif db.session.scalar(select(Book.id).where(Book.isbn == isbn)) is None:
            raise NotFound(isbn)
        if record["isbn"] != isbn:
            raise Refused(_("ISBN 不能修改"))
        upsert_books([record])
    _keep_photo(isbn, photo)
    return record


@retry_on_deadlock
def remove_book(isbn: str) -> None:
    """Delete a contributed book no gift, wish or drift refers to (operator)."""
    with db.auto_commit():
        book = db.session.scalar(select(Book).where(Book.isbn == isbn))
        if book is None or book.contributor_id is None:
            raise NotFound(isbn)
        if _relied_on(isbn):
            raise Refused("还有赠送、心愿或鱼漂提到这本书，不能删除")
        book.delete()
    folder = covers_dir(current_app)
    for ext in KINDS.values():
        try:
            os.unlink(os.path.join(folder, f"{isbn}.{ext}"))
        except FileNotFoundError:
            pass


def contributed_books() -> list[tuple[Book, User]]:
    """Every live contributed book with its contributor, newest first."""
    return db.session.execute(
        select(Book, User).join(User, User.id == Book.contributor_id)
        .order_by(Book.create_time.desc(), Book.id.desc())).all()


def _keep_photo(isbn: str, photo: bytes | None) -> None:
    if photo is None:
        return
    try:
        store_cover(current_app, isbn, photo, "jpg")
    except OSError:
        log.exception("could not store the cover photo of %s", isbn)
        raise Refused(_("书已保存，但封面照片没能保存，请稍后在编辑页重新上传")) from None
