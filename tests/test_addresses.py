"""Saved mailing addresses: the pages, the one-default rule, the cap, bad
input, other users' ids, and the drift request form they fill."""
import re

import pytest
from sqlalchemy import func, select

from app.models.address import Address
from app.models.base import db
from app.models.gift import Gift
from app.services import addresses
from tests.helpers import DRIFT_FORM, SANTI, login_client, make_gift, make_user, text_of, unchanged

HOME = {"recipient_name": "王小明", "mobile": "13800138000", "address": "北京市海淀区中关村大街 27 号 3 单元 501"}
WORK = {"recipient_name": "王小明", "mobile": "13900139000", "address": "上海市浦东新区世纪大道 100 号 20 楼"}


def rows(uid) -> list[Address]:
    db.session.expire_all()
    return list(db.session.scalars(select(Address).where(Address.uid == uid).order_by(Address.id)))


def defaults(uid) -> list[int]:
    return [a.id for a in rows(uid) if a.is_default]


def add(client, **fields):
    return client.post("/settings/addresses", data=fields)


def test_list_page_needs_login(client):
    """A visitor is sent to the login page."""
    assert client.get("/settings/addresses").status_code == 302


def test_first_address_becomes_the_default(as_alice, alice):
    """The first saved address is the default even when not asked for; the second is not."""
    assert add(as_alice, **HOME).status_code == 302
    assert add(as_alice, **WORK).status_code == 302
    saved = rows(alice.id)
    assert [a.address for a in saved] == [HOME["address"], WORK["address"]]
    assert defaults(alice.id) == [saved[0].id]
    page = text_of(as_alice.get("/settings/addresses"))
    assert HOME["address"] in page and WORK["address"] in page and "默认" in page


def test_adding_as_default_moves_the_default(as_alice, alice):
    """An address saved with 设为默认地址 becomes the only default."""
    add(as_alice, **HOME)
    add(as_alice, **WORK, is_default="y")
    saved = rows(alice.id)
    assert defaults(alice.id) == [saved[1].id]


def test_make_default(as_alice, alice):
    """POST …/default makes that address the only default."""
    add(as_alice, **HOME)
    add(as_alice, **WORK)
    second = rows(alice.id)[1].id
    assert as_alice.post(f"/settings/addresses/{second}/default").status_code == 302
    assert defaults(alice.id) == [second]


def test_deleting_the_default_promotes_the_oldest_left(as_alice, alice):
    """Removing the default hands it to the oldest remaining address, and blanks the removed one."""
    for fields in (HOME, WORK, {**WORK, "mobile": "13700137000"}):
        add(as_alice, **fields)
    first, second, third = (a.id for a in rows(alice.id))
    assert as_alice.post(f"/settings/addresses/{first}/delete").status_code == 302
    assert [a.id for a in rows(alice.id)] == [second, third]
    assert defaults(alice.id) == [second]
    gone = db.session.get(Address, first, execution_options={"include_deleted": True})
    assert gone.status == 0 and gone.address == "" and gone.mobile == ""


def test_deleting_the_last_address_leaves_none(as_alice, alice):
    """With the last address gone there is no default and nothing left to list."""
    add(as_alice, **HOME)
    only = rows(alice.id)[0].id
    as_alice.post(f"/settings/addresses/{only}/delete")
    assert rows(alice.id) == []
    assert "还没有保存的地址" in text_of(as_alice.get("/settings/addresses"))


def test_edit_changes_the_fields(as_alice, alice):
    """The edit page shows the address and saves the changes."""
    add(as_alice, **HOME)
    aid = rows(alice.id)[0].id
    page = text_of(as_alice.get(f"/settings/addresses/{aid}/edit"))
    assert HOME["address"] in page
    assert as_alice.post(f"/settings/addresses/{aid}/edit", data=WORK).status_code == 302
    saved = rows(alice.id)[0]
    assert (saved.address, saved.mobile, saved.is_default) == (WORK["address"], WORK["mobile"], True)


@pytest.mark.parametrize("field, value, message", [
    ("mobile", "12345", "请输入正确的手机号"),
    ("mobile", "", "请填写手机号"),
    ("recipient_name", "王", "收件人姓名长度必须在2到20个字符之间"),
    ("address", "北京", "地址还不到10个字吗"),
    ("address", "北" * 71, "地址还不到10个字吗"),
])
def test_bad_input_is_refused_with_the_request_forms_messages(as_alice, alice, field, value, message):
    """The drift request form's rules apply: the page shows its message and nothing is saved."""
    resp = add(as_alice, **{**HOME, field: value})
    assert resp.status_code == 200 and message in text_of(resp)
    assert rows(alice.id) == []


def test_bad_edit_changes_nothing(as_alice, alice):
    """An edit with a wrong phone number is shown again and the row stays as it was."""
    add(as_alice, **HOME)
    aid = rows(alice.id)[0].id
    with unchanged():
        resp = as_alice.post(f"/settings/addresses/{aid}/edit", data={**HOME, "mobile": "1"})
    assert "请输入正确的手机号" in text_of(resp)


def test_the_cap(app, as_alice, alice):
    """Beyond ADDRESSES_MAX (10) live addresses the next one is refused with a message."""
    for n in range(10):
        add(as_alice, **{**HOME, "mobile": f"138{n:08d}"})
    assert len(rows(alice.id)) == 10
    assert add(as_alice, **WORK).status_code == 200  # refused: the page again, with the flash
    assert len(rows(alice.id)) == 10
    as_alice.post(f"/settings/addresses/{rows(alice.id)[0].id}/delete")
    assert add(as_alice, **WORK).status_code == 302
    assert len(rows(alice.id)) == 10


def test_the_cap_message(as_alice, alice):
    """The refusal beyond the cap names the limit."""
    for n in range(10):
        add(as_alice, **{**HOME, "mobile": f"138{n:08d}"})
    resp = add(as_alice, **WORK)
    assert "最多保存 10 个地址，请先删除不再使用的地址" in text_of(resp)


@pytest.mark.parametrize("method, path", [
    ("get", "/settings/addresses/{aid}/edit"),
    ("post", "/settings/addresses/{aid}/edit"),
    ("post", "/settings/addresses/{aid}/delete"),
    ("post", "/settings/addresses/{aid}/default"),
    ("get", "/settings/addresses/999999/edit"),
    ("post", "/settings/addresses/999999/delete"),
])
def test_another_users_address_is_404(app, as_alice, alice, bob, method, path):
    """Bob's address, or an unknown id, is a 404 for Alice and nothing changes."""
    addresses.add_address(bob, HOME)
    aid = rows(bob.id)[0].id
    with unchanged():
        resp = getattr(as_alice, method)(path.format(aid=aid), data=WORK)
    assert resp.status_code == 404


def test_a_deleted_address_is_404(as_alice, alice):
    """A removed address can no longer be edited or made the default."""
    add(as_alice, **HOME)
    aid = rows(alice.id)[0].id
    as_alice.post(f"/settings/addresses/{aid}/delete")
    assert as_alice.get(f"/settings/addresses/{aid}/edit").status_code == 404
    assert as_alice.post(f"/settings/addresses/{aid}/default").status_code == 404


def test_csrf_token_on_every_form(app_factory):
    """With CSRF on, the pages carry tokens and a POST without one is refused."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user("爱丽丝", "alice@example.com")
        client = login_client(app, user)
        addresses.add_address(user, HOME)
        second = addresses.add_address(user, WORK)
        page = text_of(client.get("/settings/addresses"))
        for action in ("delete", "default"):
            assert re.search(rf'action="/settings/addresses/{second.id}/{action}"[^>]*>\s*<input type="hidden" '
                             rf'name="csrf_token"', page), action
        assert re.search(r'data-testid="address-form">\s*<input id="csrf_token" name="csrf_token"', page)
        with unchanged():
            assert client.post("/settings/addresses", data=WORK).status_code == 400
            assert client.post(f"/settings/addresses/{rows(user.id)[0].id}/delete").status_code == 400


# -- the drift request form ---------------------------------------------------

@pytest.fixture
def gift(alice):
    make_gift(alice, SANTI)
    return db.session.scalar(select(Gift).where(Gift.isbn == SANTI))


@pytest.fixture
def requester(app, books):
    return make_user("鲍勃", "bob@example.com", beans=2)


def field_value(page, name) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', match.group(0)) if match else None
    return value.group(1) if value else ""


def test_request_form_is_prefilled_from_the_default(app, gift, requester):
    """The request form starts with the default address, and lists every saved one."""
    addresses.add_address(requester, WORK)
    addresses.add_address(requester, HOME, make_default=True)
    page = text_of(login_client(app, requester).get(f"/gifts/{gift.id}/request"))
    assert field_value(page, "address") == HOME["address"]
    assert field_value(page, "mobile") == HOME["mobile"]
    assert WORK["address"] in page  # offered in the choice


def test_request_form_takes_the_chosen_address(app, gift, requester):
    """?address=<id> fills the form with that saved address instead."""
    addresses.add_address(requester, HOME)
    work = addresses.add_address(requester, WORK)
    page = text_of(login_client(app, requester).get(f"/gifts/{gift.id}/request?address={work.id}"))
    assert field_value(page, "address") == WORK["address"]
    assert field_value(page, "mobile") == WORK["mobile"]


def test_request_form_without_addresses_is_empty(app, gift, requester):
    """With no saved address the form starts empty and shows no choice."""
    page = text_of(login_client(app, requester).get(f"/gifts/{gift.id}/request"))
    assert field_value(page, "address") == "" and 'data-testid="address-choice"' not in page


@pytest.mark.parametrize("value", ["other", "abc", "0", "99999999999999999999", "-1"])
def test_request_form_with_a_foreign_or_bad_address_is_404(app, gift, requester, value):
    """Someone else's address id, an unknown one or garbage in ?address= is a 404."""
    carol = make_user("卡罗尔", "carol@example.com")
    foreign = addresses.add_address(carol, HOME)
    value = str(foreign.id) if value == "other" else value
    client = login_client(app, requester)
    assert client.get(f"/gifts/{gift.id}/request?address={value}").status_code == 404
    with unchanged():
        assert client.post(f"/gifts/{gift.id}/request?address={value}", data=DRIFT_FORM).status_code == 404


def test_the_posted_fields_win_over_the_saved_address(app, gift, requester):
    """The request sends what was posted, not the prefilled address."""
    from app.models.drift import Drift
    addresses.add_address(requester, HOME)
    resp = login_client(app, requester).post(f"/gifts/{gift.id}/request", data={**DRIFT_FORM, **WORK})
    assert resp.status_code == 302
    assert db.session.scalar(select(Drift.address)) == WORK["address"]
    assert db.session.scalar(select(func.count()).select_from(Address)) == 1
