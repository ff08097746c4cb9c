"""Bringing over an original 鱼书 database: users (with their password
hashes and beans), the books their gifts and wishes name, gifts, wishes and
drifts, keeping deleted rows deleted and every state.

New rows get new ids and ``legacy_import`` remembers (table, legacy id, new
id): fisher's tables need not be empty, foreign keys are mapped through it,
and a second run skips what the first brought over, so it changes nothing.
Each table is one unit of work; a dry run does the same work in one
transaction and rolls it back. Rows that cannot come over are skipped and
reported with the reason, never merged or guessed."""
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select

from app.models.base import db, utcnow
from app.models.bean_ledger import BeanReason, change_beans
from app.models.book import Book, upsert_books
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.legacy_import import imported_ids, remember
from app.models.user import User, normalize_email
from app.models.wish import Wish
from app.services import legacy_source as src
from app.services.legacy_drift import drift_values
from app.spider import BookSourceError, get_book_source

EMAIL_LIMIT = 64


@dataclass
class Summary:
    counts: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    problems: list = field(default_factory=list)  # (table, legacy id or ISBN, reason)

    def skip(self, table: str, key, reason: str) -> None:
        self.counts[table]["skipped"] += 1
        self.problems.append((table, key, reason))

    def lines(self) -> list[str]:
        out = [f"{table}: " + ", ".join(f"{n} {what}" for what, n in sorted(self.counts[table].items()))
               for table in src.TABLES if table in self.counts]
        out += [f"  skipped {table} {key}: {reason}" for table, key, reason in self.problems]
        return out


class LegacyImport:
    def __init__(self, rows: dict[str, list[dict]], dry_run: bool = False):
        self.rows, self.dry_run, self.summary = rows, dry_run, Summary()

    def run(self) -> Summary:
        try:
            for step in (self._users, self._books, self._gifts, self._wishes, self._drifts):
                with self._batch():
                    step()
        finally:
            if self.dry_run:
                db.session.rollback()
        return self.summary

    @contextmanager
    def _batch(self):
        """One table's unit of work; in a dry run only flushed, never committed."""
        if not self.dry_run:
            with db.auto_commit():
                yield
            return
        yield
        db.session.flush()

    def _fresh(self, table: str):
        """The rows of ``table`` not imported yet; counts the others."""
        done = imported_ids(table)
        for row in self.rows[table]:
            if row["id"] in done:
                self.summary.counts[table]["already imported"] += 1
            else:
                yield row

    # -- users -----------------------------------------------------------
    def _users(self) -> None:
        first_with = {}  # canonical email -> the legacy id that keeps it
        for row in self.rows["user"]:
            first_with.setdefault(normalize_email(row.get("email") or ""), row["id"])
        for row in self._fresh("user"):
            reason = self._user_refusal(row, first_with)
            if reason:
                self.summary.skip("user", row["id"], reason)
                continue
            self._add_user(row)

    def _user_refusal(self, row: dict, first_with: dict) -> str | None:
        email, nickname = normalize_email(row.get("email") or ""), (row.get("nickname") or "").strip()
        if not email or len(email) > EMAIL_LIMIT:
            return f"email {row.get('email')!r} is empty or longer than {EMAIL_LIMIT} characters"
        if first_with[email] != row["id"]:
            return f"email {email} (after normalising) is legacy user {first_with[email]}'s"
        if User.email_taken(email):
            return f"email {email} is already registered here"
        if not nickname or len(nickname) > 24 or User.nickname_taken(nickname):
            return f"nickname {nickname!r} is empty, too long or already taken"
        if src.beans_of(row) < 0:
            return f"negative beans {row.get('beans')}"
        return None

    def _add_user(self, row: dict) -> None:
        user = User(nickname=row["nickname"].strip(), email=normalize_email(row["email"]),
                    send_counter=row.get("send_counter") or 0,
                    receive_counter=row.get("receive_counter") or 0,
                    create_time=src.utc_time(row.get("create_time")), status=src.status_of(row))
        user._password = row.get("_password") or ""  # Werkzeug hashes verify as they are
        db.session.add(user)
        db.session.flush()
        beans = src.beans_of(row)
        if beans > 0:
            change_beans(user.id, beans, BeanReason.LEGACY_OPENING)
        remember("user", row["id"], user.id)
        self.summary.counts["user"]["imported"] += 1

    # -- books -----------------------------------------------------------
    def _books(self) -> None:
        """The books named by the gifts and wishes still to import (of users
        brought over): fisher's own, else the source's book table, else
        fisher's book sources."""
        users = imported_ids("user")
        wanted = {src.isbn_of(r) for t in ("gift", "wish") for r in self._peek(t)
                  if r.get("uid") in users} - {None}
        have = set(db.session.scalars(select(Book.isbn).where(Book.isbn.in_(wanted))))
        by_isbn = {src.isbn_of(r): r for r in self.rows["book"]}
        records = []
        for isbn in sorted(wanted - have):
            record, note = self._source_book(by_isbn.get(isbn))
            record = record or self._fetched_book(isbn, note)
            if record:
                records.append(record)
        if records:
            upsert_books(records)
        self.summary.counts["book"]["imported"] += len(records)
        self.known_isbns = have | {r["isbn"] for r in records}

    def _peek(self, table: str) -> list[dict]:
        done = imported_ids(table)
        return [r for r in self.rows[table] if r["id"] not in done]

    @staticmethod
    def _source_book(row: dict | None) -> tuple[dict | None, str]:
        """(the clean record, "") or (None, why the source's row would not do)."""
        if row is None:
            return None, ""
        try:
            return src.book_record(row), ""
        except src.RecordError as exc:
            return None, f"the source's book {row['id']} is invalid ({exc}); "

    def _fetched_book(self, isbn: str, note: str) -> dict | None:
        # The source chain itself, not services.books.find_by_isbn: that one
        # commits what it fetched in its own unit of work, which would end
        # this batch's transaction (and a dry run's).
        try:
            page = get_book_source().search_by_isbn(isbn)
        except BookSourceError as exc:
            self.summary.skip("book", isbn, f"{note}the book sources could not answer: {exc}")
            return None
        if page.first is None:
            self.summary.skip("book", isbn, f"{note}no book source knows it" +
                              (f" ({'、'.join(page.unavailable)} could not answer)" if page.unavailable else ""))
        return page.first

    # -- gifts and wishes ------------------------------------------------
    def _gifts(self) -> None:
        self._entries("gift", Gift)

    def _wishes(self) -> None:
        self._entries("wish", Wish)

    def _entries(self, table: str, model) -> None:
        users = imported_ids("user")
        for row in self._fresh(table):
            isbn = src.isbn_of(row)
            if row.get("uid") not in users:
                self.summary.skip(table, row["id"], f"its user {row.get('uid')} was not brought over")
            elif isbn is None:
                self.summary.skip(table, row["id"], f"invalid ISBN {row.get('isbn')!r}")
            elif isbn not in self.known_isbns:
                self.summary.skip(table, row["id"], f"no book found for ISBN {isbn}")
            else:
                entry = model(uid=users[row["uid"]], isbn=isbn, launched=bool(row.get("launched")),
                              create_time=src.utc_time(row.get("create_time")), status=src.status_of(row))
                db.session.add(entry)
                db.session.flush()
                remember(table, row["id"], entry.id)
                self.summary.counts[table]["imported"] += 1

    # -- drifts ----------------------------------------------------------
    def _drifts(self) -> None:
        users, gifts = imported_ids("user"), imported_ids("gift")
        for row in self._fresh("drift"):
            values = drift_values(row, users, gifts, utcnow())
            if isinstance(values, str):
                self.summary.skip("drift", row["id"], values)
                continue
            drift = Drift(**values)
            db.session.add(drift)
            db.session.flush()
            remember("drift", row["id"], drift.id)
            self.summary.counts["drift"]["imported"] += 1


def import_legacy(url: str, dry_run: bool = False) -> Summary:
    """Read the source at ``url`` and bring it over (SourceError if it cannot be read)."""
    return LegacyImport(src.read_source(url), dry_run).run()
