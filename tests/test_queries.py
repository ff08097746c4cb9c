"""The list pages, the book page and the home page run a fixed number of SQL
statements whatever the number of rows (no query per row)."""
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

import pytest
from sqlalchemy import event

from app.models.base import db
from tests.helpers import add_books, login_client, make_gift, make_user, make_wish, numbered_books, text_of

N = 50


@contextmanager
def statements_run():
    """Collect every SQL statement sent to the database inside the block."""
    seen = []

    def record(_conn, _cursor, statement, _params, _context, _executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@dataclass
class Scene:
    """A page and how to give it one more row: ``add(me, other, isbns, k)`` adds row ``k``."""
    url: Callable[[list], str]
    add: Callable
    marker: str
    shown: int
    setup: Callable = lambda me, isbns: None


def _pair(mine, theirs):
    def add(me, other, isbns, k):
        mine(me, isbns[k])
        theirs(other, isbns[k])
    return add


def _one_bean(user) -> None:
    from app.models.bean_ledger import BeanReason, change_beans
    with db.auto_commit():
        change_beans(user.id, 1, BeanReason.LEGACY_OPENING)


SCENES = {
    "my_gifts": Scene(lambda isbns: "/my/gifts", _pair(make_gift, make_wish), "1 人想要", N),
    "my_wishes": Scene(lambda isbns: "/my/wishes", _pair(make_wish, make_gift), "1 人可赠送", N),
    "detail_gifters": Scene(lambda isbns: f"/book/{isbns[0]}/detail",
                           lambda me, other, isbns, k: make_gift(other, isbns[0]), "向 TA 请求此书", N,
                           setup=lambda me, isbns: _one_bean(me)),  # the request button shows only to who can pay
    "detail_wishers": Scene(lambda isbns: f"/book/{isbns[0]}/detail",
                            lambda me, other, isbns, k: make_wish(other, isbns[0]), "向 TA 赠送此书", N,
                            setup=lambda me, isbns: make_gift(me, isbns[0])),
    "home": Scene(lambda isbns: "/", lambda me, other, isbns, k: make_gift(other, isbns[k]),
                  " 赠送</p>", 30),
}


@pytest.mark.parametrize("name", SCENES)
def test_page_runs_same_number_of_queries_for_1_and_50_rows(app, name):
    """The page sends as many SQL statements with 50 rows as with 1."""
    scene = SCENES[name]
    records = numbered_books(N)
    add_books(records)
    isbns = [record["isbn"] for record in records]
    me = make_user("我")
    others = [make_user(f"书友{k:02d}") for k in range(N)]
    client = login_client(app, me)
    url = scene.url(isbns)
    scene.setup(me, isbns)
    scene.add(me, others[0], isbns, 0)
    assert client.get(url).status_code == 200  # warm up
    with statements_run() as one:
        text = text_of(client.get(url))
    assert text.count(scene.marker) == 1
    for k in range(1, N):
        scene.add(me, others[k], isbns, k)
    with statements_run() as fifty:
        text = text_of(client.get(url))
    assert text.count(scene.marker) == scene.shown
    assert 0 < len(one) == len(fifty), "\n".join(fifty)
