"""Builders for test data, the sample books' ISBNs, and small checks the tests share."""
import functools
import json
from contextlib import contextmanager

from sqlalchemy import select, text

from app.models.base import db
from app.models.book import upsert_books

# The sample books (SAMPLE_BOOKS) by name; each constant is an ISBN-13 string.
SANTI = "9787536692930"       # 三体, 刘慈欣, 重庆出版社
SANTI2 = "9787536693968"      # 三体Ⅱ
HUOZHE = "9787506365437"      # 活着, 余华, 作家出版社
BAINIAN = "9787544253994"     # 百年孤独
PYTHON = "9787115428028"      # Python编程
HONGLOU = "9787020002207"     # 红楼梦
# Not in SAMPLE_BOOKS.
UNKNOWN_VALID_ISBN = "9787111111115"  # valid check digit, but no book source knows it
BAD_CHECK_DIGIT = "9787536692931"     # 三体's ISBN with a wrong check digit

SAMPLE_BOOKS = [
    {"isbn": SANTI, "title": "三体", "author": ["刘慈欣"], "publisher": "重庆出版社",
     "pubdate": "2008-1", "price": "23.00", "pages": "302", "binding": "平装",
     "summary": "文化大革命中的一次秘密军事工程，让人类第一次与外星文明有了联系。"},
    {"isbn": SANTI2, "title": "三体Ⅱ", "subtitle": "黑暗森林", "author": ["刘慈欣"],
     "publisher": "重庆出版社", "pubdate": "2008-5", "price": "32.00", "pages": "470"},
    {"isbn": HUOZHE, "title": "活着", "author": ["余华"], "publisher": "作家出版社",
     "pubdate": "2012-8", "price": "20.00元", "pages": "191页"},
    {"isbn": BAINIAN, "title": "百年孤独", "author": ["加西亚·马尔克斯"],
     "translator": ["范晔"], "publisher": "南海出版公司", "pubdate": "2011-6", "price": "39.50"},
    {"isbn": PYTHON, "title": "Python编程", "subtitle": "从入门到实践",
     "author": ["Eric Matthes"], "translator": ["袁国忠"], "publisher": "人民邮电出版社"},
    {"isbn": HONGLOU, "title": "红楼梦", "author": ["曹雪芹", "高鹗"],
     "publisher": "人民文学出版社", "pubdate": "1996-12", "price": "59.70"},
]


def book_record(isbn: str, title: str, **fields) -> dict:
    """A clean book record with every field present."""
    record = {"isbn": isbn, "title": title, "subtitle": "", "author": [], "translator": [],
              "publisher": "", "pubdate": "", "price": "", "pages": "", "binding": "",
              "summary": "", "image": ""}
    record.update(fields)
    return record


def add_books(records=None) -> None:
    """Store books (the sample set by default) in the catalog."""
    records = SAMPLE_BOOKS if records is None else records
    with db.auto_commit():
        upsert_books([book_record(**r) for r in records])


def isbn13(body12: str) -> str:
    """Complete a 12-digit ISBN body with its check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def numbered_books(count: int, title: str = "测试书", body: str = "978711100") -> list[dict]:
    """``count`` records titled "<title> 01", "<title> 02", … with valid ISBNs
    ``isbn13(body + "001")`` and so on (``body`` is nine digits)."""
    return [book_record(isbn13(f"{body}{n:03d}"), f"{title} {n:02d}", author=["编者"])
            for n in range(1, count + 1)]


def write_jsonl(path, lines) -> str:
    """Write ``lines`` (dicts become JSON, strings are written as they are)
    to a JSON Lines file; returns its path as a string."""
    text = "".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False))
                   + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return str(path)


def register(client, email, nickname, password="secret123"):
    """Register (and so log in) a user through the real form; returns the client."""
    resp = client.post("/register", data={"email": email, "nickname": nickname, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return client


# The flash shown when a book is already on the user's gift or wish list.
DUPLICATE = "这本书已添加至你的赠送清单或已存在于你的心愿清单，请不要重复添加"

DRIFT_FORM = {"recipient_name": "王小明", "mobile": "13800138000",
              "address": "北京市海淀区中关村大街 27 号 3 单元 501", "message": "谢谢你！"}


# -- users, gifts and wishes ------------------------------------------------

@functools.cache
def _fast_hash() -> str:
    """A cheap hash of "secret123": builders skip the slow default scrypt."""
    from werkzeug.security import generate_password_hash
    return generate_password_hash("secret123", method="pbkdf2:sha256:1000")


def make_user(nickname: str, email: str | None = None, beans=0, mail_off: str = ""):
    """A stored user (password "secret123"); ``beans`` are granted through the
    bean ledger, so the balance always equals the ledger's sum."""
    from app.models.bean_ledger import change_beans
    from app.models.user import User

    with db.auto_commit():
        user = User(nickname=nickname, email=email or f"{nickname}@example.com",
                    mail_off=mail_off)
        user._password = _fast_hash()
        db.session.add(user)
        db.session.flush()
        if beans:
            change_beans(user.id, beans, "test_grant")
    return user


def _make_row(model, user, isbn: str, launched: bool, deleted: bool, create_time):
    with db.auto_commit():
        row = model(uid=user.id, isbn=isbn, launched=launched, status=0 if deleted else 1)
        if create_time is not None:
            row.create_time = create_time
        db.session.add(row)
    return row


def make_gift(user, isbn: str, launched: bool = False, deleted: bool = False, create_time=None):
    """A gift row stored directly (no beans, no mail)."""
    from app.models.gift import Gift
    return _make_row(Gift, user, isbn, launched, deleted, create_time)


def make_wish(user, isbn: str, launched: bool = False, deleted: bool = False, create_time=None):
    """A wish row stored directly."""
    from app.models.wish import Wish
    return _make_row(Wish, user, isbn, launched, deleted, create_time)


def login_client(app, user):
    """A new test client of ``app`` logged in as ``user`` (through the session,
    so it never meets the login rate limit)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def minutes_ago(minutes: float):
    """A naive UTC timestamp ``minutes`` ago, for ordering rows."""
    from datetime import timedelta

    from app.models.base import utcnow
    return utcnow() - timedelta(minutes=minutes)


def outbox_messages(folder) -> list:
    """The messages written to an outbox folder, oldest first."""
    from email import message_from_bytes, policy
    from pathlib import Path

    return [message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(Path(folder).glob("*.eml"))]


def mail_links(message) -> list[str]:
    """Every http(s) link in a message's plain-text and HTML bodies."""
    import re

    bodies = [message.get_body(preferencelist=(kind,)).get_content() for kind in ("plain", "html")]
    return [link for body in bodies for link in re.findall(r'https?://[^\s"<>]+', body)]


# -- reading results --------------------------------------------------------

def text_of(resp) -> str:
    """A response's body as text."""
    return resp.get_data(as_text=True)


def snapshot() -> dict:
    """Every row of every table, deleted rows included, read fresh from the
    database: for before/after comparisons."""
    db.session.expire_all()
    return {t.name: db.session.execute(text(f"SELECT * FROM {t.name} ORDER BY 1")).all()
            for t in db.metadata.sorted_tables}


@contextmanager
def unchanged():
    """Assert that the block leaves every table as it found it (a refused
    request, a GET, a lost race changes nothing)."""
    before = snapshot()
    yield
    after = snapshot()
    changed = {name: {"before": before[name], "after": rows} for name, rows in after.items()
               if rows != before[name]}
    assert not changed, f"the block changed these tables: {changed}"


def wait_until(check, timeout: float = 10.0) -> bool:
    """Poll ``check`` until it returns true or ``timeout`` seconds pass (for work a
    background thread finishes); returns its last answer."""
    import time

    deadline = time.monotonic() + timeout
    while not (done := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return done


def beans_of(user) -> tuple:
    """(balance, ledger sum) of a user, read fresh from the database."""
    from app.models.bean_ledger import ledger_sum
    from app.models.user import User

    db.session.expire_all()
    return db.session.get(User, user.id).beans, ledger_sum(user.id)


def live(model, **where) -> list:
    """Live rows of ``model`` matching ``where``, oldest first."""
    db.session.expire_all()
    return db.session.scalars(select(model).filter_by(**where).order_by(model.id)).all()
