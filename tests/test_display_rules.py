"""How the pages write beans, counts and limits (view models and filters), and
the SQLite connection settings of the app's own engine."""
import re
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text

from app.forms.book import KEYWORD_MAX
from app.libs.beans import beans_text
from app.models.base import db
from app.view_models.book import BookCollection
from app.view_models.ledger import ledger_rows
from app.view_models.lists import BookLists

WHEN = datetime(2026, 1, 2, 3, 4)


@pytest.mark.parametrize("amount, signed, expected", [
    (0.5, False, "0.5 个鱼豆"), (Decimal("1.0"), False, "1 个鱼豆"), (Decimal("0.0"), False, "0 个鱼豆"),
    (Decimal("12.5"), False, "12.5 个鱼豆"), (Decimal("10"), False, "10 个鱼豆"),
    (1, True, "+1 个鱼豆"), (Decimal("-0.5"), True, "-0.5 个鱼豆"), (Decimal("-1.0"), True, "-1 个鱼豆"),
    (0, True, "0 个鱼豆")])
def test_beans_are_written_one_way(amount, signed, expected):
    """Beans read "0.5 个鱼豆", "1 个鱼豆" (never 1.0), and "+1"/"-0.5" when signed."""
    assert beans_text(amount, signed=signed) == expected


def _rows(*uids):
    return [SimpleNamespace(id=n, uid=uid, create_time=WHEN, nickname=f"u{uid}") for n, uid in enumerate(uids, start=1)]


@pytest.mark.parametrize("my_uid, wanted, offered, mine", [
    (None, 2, 1, (False, False)), (1, 2, 1, (True, False)), (2, 2, 1, (False, True)), (9, 2, 1, (False, False))])
def test_book_lists_count_me_once(my_uid, wanted, offered, mine):
    """The book page's "N 人想要/可赠送" counts everyone on the list, me included, once."""
    lists = BookLists.build(gift_rows=_rows(1), wish_rows=_rows(2, 3), my_uid=my_uid)
    assert (lists.wanted, lists.offered) == (wanted, offered)
    assert (lists.in_my_gifts, lists.in_my_wishes) == mine
    assert all(e.uid != my_uid for e in lists.gifts + lists.wishes)


@pytest.mark.parametrize("page, total, shown, past", [(1, 0, 0, False), (2, 20, 5, False), (3, 20, 0, True)])
def test_a_page_past_the_last_is_told_apart_from_no_result(page, total, shown, past):
    """past_last_page holds only when books were found but this page has none."""
    books = [{"isbn": str(n), "title": "t"} for n in range(shown)]
    result = BookCollection(keyword="x", page=page, per_page=15, total=total, books=books)
    assert result.past_last_page is past


def test_ledger_rows_name_the_book_and_the_other_person():
    """A drift's ledger row names its book and who the other person was to me; a list row only the book."""
    drift = SimpleNamespace(requester_id=2, gifter_id=1, requester_nickname="鲍勃", gifter_nickname="爱丽丝",
                            book_title="三体")
    entry = lambda reason, delta: SimpleNamespace(reason=reason, delta=Decimal(delta), create_time=WHEN)  # noqa: E731
    rows = [(entry("request", "-1.0"), drift, None), (entry("mailed_reward", "1.0"), drift, None),
            (entry("list_gift", "0.5"), None, "活着")]
    as_bob = ledger_rows(rows=rows[:1], viewer_id=2)[0]
    assert (as_bob.label, as_bob.book_title, as_bob.person_role, as_bob.person, as_bob.delta, as_bob.gain) == (
        "请求书籍", "三体", "赠书人", "爱丽丝", "-1 个鱼豆", False)
    as_alice = ledger_rows(rows=rows[1:], viewer_id=1)
    assert (as_alice[0].person_role, as_alice[0].person, as_alice[0].delta) == ("请求人", "鲍勃", "+1 个鱼豆")
    assert (as_alice[1].label, as_alice[1].book_title, as_alice[1].person) == ("加入赠送清单", "活着", "")


def test_search_input_limit_is_the_servers_and_the_page_says_so(client):
    """Every search box's maxlength is the form's limit; the search page states it, and one more is refused."""
    resp = client.get("/book/search", query_string={"q": "x" * (KEYWORD_MAX + 1)})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and f"1 到 {KEYWORD_MAX} 个字符之间" in page
    assert set(re.findall(r'name="q" maxlength="(\d+)"', page)) == {str(KEYWORD_MAX)}
    assert f"最多 {KEYWORD_MAX} 个字符" in page
    home = client.get("/").get_data(as_text=True)
    assert set(re.findall(r'name="q" maxlength="(\d+)"', home)) == {str(KEYWORD_MAX)}


def test_sqlite_settings_apply_to_the_apps_engine_only(app, tmp_path):
    """The app's SQLite connections use WAL and enforce foreign keys; another engine in the process is untouched."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() in ("wal", "memory")
    other = create_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    with other.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 0
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "delete"
    other.dispose()
