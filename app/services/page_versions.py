"""Versions of the cached pages, so a change is seen at once.

A cached page (app/web/_page_cache.py) is keyed by the versions of the
*scopes* it shows: ``home`` (the recent gifts), ``search`` (results and their
"N 人可赠送" counts) and ``book:<isbn>`` (one book page). A unit of work that
changes what a scope shows marks it in ``db.session.info``; once the
transaction commits every marked version gets a new random token, so the next
visitor's key is new and the old copies are never read again (they expire
with PAGE_CACHE_TTL). A rollback drops the marks.

Marks come from one place for row objects: ``before_flush`` looks at the new,
changed and deleted Gift, Wish, Drift, Book and User rows. Bulk ``update()``
statements are not seen by it, so the services that run them call
``touch``/``touch_books``/``touch_user`` next to the statement.

The tokens live in the same cache as the pages: with RedisCache every
instance (and the CLI, and the job worker) reads and bumps the same ones. A
token is random, never a counter, so a version key lost to eviction or expiry
can never bring an old page back. When the cache cannot be reached a page is
rendered uncached; a bump that fails is kept and retried, and until it is delivered
this process serves no cached page (another instance may, for at most
PAGE_CACHE_TTL).
"""
import logging
import secrets
import threading

from flask import current_app
from sqlalchemy import event, inspect, select

from app.extensions import cache
from app.libs.redis_reads import direct_reads
from app.libs.version_watch import VersionWatch
from app.libs.enums import PROMISED_STATES
from app.models.base import Session, db
from app.models.book import Book
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.user import User
from app.models.wish import Wish

log = logging.getLogger(__name__)

HOME, SEARCH = "home", "search"
_MARKS = "page_scopes"
_PROMISED = {int(s) for s in PROMISED_STATES}
_lock = threading.Lock()
WATCH_TRUST_SECONDS = 1.0  # longest a version read from Redis is used without reading it again


def book(isbn: str) -> str:
    """The scope of one book's page."""
    return f"book:{isbn}"


def touch(*scopes: str) -> None:
    """Mark scopes changed by the current unit of work (bumped after its commit)."""
    db.session.info.setdefault(_MARKS, set()).update(scopes)


def touch_books(isbns, home: bool = True) -> None:
    """Gifts of these books changed: their pages, search counts and (unless
    ``home`` is False) the home page's recent gifts."""
    isbns = set(isbns)
    if isbns:
        touch(SEARCH, *(book(isbn) for isbn in isbns), *((HOME,) if home else ()))


def touch_user(uid: int) -> None:
    """The user's nickname or account changed: every page that names them or
    counts their copies -- books they offer, wish for or contributed, and home
    and search when they offer one."""
    with db.session.no_autoflush:
        gifts = set(db.session.scalars(select(Gift.isbn).where(Gift.uid == uid, Gift.launched.is_(False))))
        wishes = set(db.session.scalars(select(Wish.isbn).where(Wish.uid == uid, Wish.launched.is_(False))))
        added = set(db.session.scalars(select(Book.isbn).where(Book.contributor_id == uid)))
    touch(*(book(isbn) for isbn in gifts | wishes | added), *((HOME, SEARCH) if gifts else ()))


def _changed(obj, *names) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _scopes_of_row(obj, whole: str | None) -> None:
    """Mark what one row shows on: ``whole`` is "new" or "gone" for a row
    added or deleted, None for a changed one (nothing when it did not really change)."""
    if isinstance(obj, Gift):
        if whole or _changed(obj, "isbn", "launched", "status", "condition", "condition_note", "uid"):
            touch_books([obj.isbn])
    elif isinstance(obj, Wish):
        if whole or _changed(obj, "isbn", "launched", "status", "uid"):
            touch(book(obj.isbn))
    elif isinstance(obj, Book):
        fields = [attr.key for attr in inspect(Book).column_attrs if attr.key not in ("id", "create_time")]
        if whole or _changed(obj, *fields):
            touch_books([obj.isbn], home=whole != "new")  # a new book is on no gift yet
    elif isinstance(obj, Drift):
        history = inspect(obj).attrs.pending.history
        before = {int(v) for v in history.deleted if v is not None}
        if (whole and obj.pending in _PROMISED) or (not whole and history.added and (
                (history.added[0] in _PROMISED) != bool(before & _PROMISED))):
            touch_books([obj.isbn])  # the copy is no longer, or again, on offer
    elif isinstance(obj, User) and whole != "new" and (whole or _changed(obj, "nickname", "status")):
        touch_user(obj.id)


@event.listens_for(Session, "before_flush")
def _mark_rows(session, _context, _instances):
    for whole, objects in (("new", session.new), (None, session.dirty), ("gone", session.deleted)):
        for obj in objects:
            _scopes_of_row(obj, whole)


@event.listens_for(Session, "after_commit")
def _bump_marked(session):
    scopes = session.info.pop(_MARKS, None)
    if scopes:
        bump(scopes)


@event.listens_for(Session, "after_rollback")
def _drop_marks(session):
    session.info.pop(_MARKS, None)


def _key(scope: str) -> str:
    return f"pagever:{scope}"


def _lifetime() -> int:
    # A version may be forgotten at any time (a page under it is then just
    # rendered again), so it need not outlive the pages: one key per book
    # ever changed would otherwise stay in the cache for good.
    return max(2 * int(current_app.config.get("PAGE_CACHE_TTL") or 0), 600)


def _undelivered() -> set:
    return current_app.extensions.setdefault("page_versions_undelivered", set())


def bump(scopes) -> None:
    """Give each scope a new version now. A cache that fails keeps the bump
    for a retry (see the module docstring); it never fails the caller, whose
    work is already committed. On Redis the changed keys are then published
    to every process's VersionWatch (app/libs/version_watch.py), and a PING
    after the PUBLISH returns once Redis has handed the message to each."""
    with _lock:
        pending = _undelivered()
        pending.update(scopes)
        keys = [_key(scope) for scope in pending]
        watch = _redis_side()[1]
        if watch is not None:
            watch.forget(keys)
        try:
            cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout=_lifetime())
            if watch is not None:
                client = cache.cache._write_client
                client.publish(watch.channel, "\n".join(keys))
                client.ping()
        except Exception:  # the cache's own errors (redis.ConnectionError, ...) vary by backend
            log.warning("page cache: could not bump %s; pages are served uncached until it is",
                        sorted(pending), exc_info=True)
            return
        pending.clear()


def _redis_side() -> tuple:
    """(DirectReads, VersionWatch) of the app's RedisCache, or (None, None)
    on any other cache; made on first use."""
    side = current_app.extensions.get("fisher_page_redis")
    if side is None:
        reads = direct_reads(cache.cache)
        watch = None
        if reads is not None:
            channel = f"{cache.cache._get_prefix()}pagever"
            watch = VersionWatch(cache.cache._read_client, channel, WATCH_TRUST_SECONDS)
        side = current_app.extensions["fisher_page_redis"] = (reads, watch)
    return side


def _get_many(*keys: str) -> list:
    """``cache.get_many``; on RedisCache through app/libs/redis_reads (the
    same values, at a third of the CPU time)."""
    return (_redis_side()[0] or cache).get_many(*keys)


def current(scopes, also: str | None = None) -> tuple | None:
    """``(value of also, versions of scopes)``, read in one round trip and
    the versions made on first use; None when pages must not be cached: the
    cache cannot be reached or a bump of this process is still undelivered.
    ``also`` is one more cache key to read with them (the page itself)."""
    if _undelivered():
        bump(())
        if _undelivered():
            return None
    keys = [_key(scope) for scope in scopes]
    extra = [also] if also else []
    watch = _redis_side()[1]
    if watch is not None and keys and also is None:
        known = watch.known(keys)
        if known is not None:
            return None, known
    mark = watch.mark() if watch is not None else None
    try:
        values = _get_many(*extra, *keys) if extra or keys else []
        found, tokens = (values[0] if also else None), values[len(extra):]
        missing = [key for key, value in zip(keys, tokens) if value is None]
        for key in missing:
            cache.add(key, secrets.token_hex(8), timeout=_lifetime())
        if missing:
            found, tokens = None, _get_many(*keys)  # the page cannot be of versions just made
    except Exception:
        log.warning("page cache: versions unreadable; page rendered uncached", exc_info=True)
        return None
    if any(value is None for value in tokens):  # a cache that keeps nothing (NullCache)
        return None
    if watch is not None:
        watch.learn(keys, tokens, mark)
    return found, tuple(tokens)


__all__ = ["HOME", "SEARCH", "book", "touch", "touch_books", "touch_user", "bump", "current"]
