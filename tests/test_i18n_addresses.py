"""The saved-address and account deletion pages in English: nothing Chinese
left outside book data and user content, form errors and flashes included."""
import pytest
from sqlalchemy import select

from app.models.address import Address
from app.models.base import db
from app.models.gift import Gift
from app.services import addresses
from tests.helpers import DRIFT_FORM, SANTI, login_client, make_user, text_of
from tests.i18n_helpers import chinese_left, english

HOME = {"recipient_name": "John Smith", "mobile": "13800138000", "address": "221B Baker Street, London"}
WORK = {"recipient_name": "Jane Smith", "mobile": "13900139000", "address": "10 Downing Street, London"}


@pytest.fixture
def alice(app, books):
    return make_user("alice", "alice@example.com", beans=2)


@pytest.fixture
def as_alice(app, alice):
    return english(login_client(app, alice))


def test_addresses_page_in_english(as_alice, alice):
    """The list with a default and another address, and the add form, are all English."""
    addresses.add_address(alice, HOME)
    addresses.add_address(alice, WORK)
    page = text_of(as_alice.get("/settings/addresses"))
    assert chinese_left(page) == []
    for text in ("Mailing addresses", "My addresses (2 / 10)", "Default", "Make default", "Save address"):
        assert text in page


def test_empty_addresses_page_and_errors_in_english(as_alice):
    """Form errors of a bad address are English."""
    assert "No saved addresses yet." in text_of(as_alice.get("/settings/addresses"))
    page = text_of(as_alice.post("/settings/addresses", data={**HOME, "mobile": "1", "address": "short"}))
    assert chinese_left(page) == []
    assert "Please enter a valid mobile number" in page and "Please give more detail" in page


def test_flashes_and_cap_in_english(as_alice, alice):
    """Saving, deleting and the cap's refusal are told in English."""
    page = text_of(as_alice.post("/settings/addresses", data=HOME, follow_redirects=True))
    assert "Address saved" in page and chinese_left(page) == []
    for n in range(9):
        addresses.add_address(alice, {**WORK, "mobile": f"138{n:08d}"})
    page = text_of(as_alice.post("/settings/addresses", data=WORK))
    assert "You can save at most 10 addresses" in page and chinese_left(page) == []
    aid = db.session.scalar(select(Address.id).order_by(Address.id).limit(1))
    page = text_of(as_alice.post(f"/settings/addresses/{aid}/delete", follow_redirects=True))
    assert "Address deleted" in page and chinese_left(page) == []


def test_edit_page_in_english(as_alice, alice):
    """The edit page is English."""
    address = addresses.add_address(alice, HOME)
    page = text_of(as_alice.get(f"/settings/addresses/{address.id}/edit"))
    assert "Edit address" in page and chinese_left(page) == []


def test_request_form_choice_in_english(app, as_alice, alice):
    """The saved-address choice on the request form is English."""
    bob = make_user("bob", "bob@example.com")
    assert english(login_client(app, bob)).post(f"/gifts/book/{SANTI}").status_code == 302
    gid = db.session.scalar(select(Gift.id))
    addresses.add_address(alice, HOME)
    page = text_of(as_alice.get(f"/gifts/{gid}/request"))
    assert "Use a saved address" in page and "Fill in this address" in page
    assert chinese_left(page) == []


def test_delete_page_in_english(as_alice):
    """The deletion page, with its export offer and password form, is English; so is a wrong password."""
    page = text_of(as_alice.get("/settings/delete"))
    assert "Export my data" in page and "Delete my account for good" in page and chinese_left(page) == []
    page = text_of(as_alice.post("/settings/delete", data={"password": "wrong-one"}))
    assert "The password is not correct" in page and chinese_left(page) == []


def test_refusal_with_an_open_drift_in_english(app, as_alice):
    """The refusal names the drift in English (the book title is book data)."""
    bob = make_user("bob", "bob@example.com")
    english(login_client(app, bob)).post(f"/gifts/book/{SANTI}")
    gid = db.session.scalar(select(Gift.id))
    assert as_alice.post(f"/gifts/{gid}/request", data={**DRIFT_FORM, **HOME}).status_code == 302
    page = text_of(as_alice.get("/settings/delete"))
    assert "You still have open drifts: 三体 (with bob)" in page and chinese_left(page) == []
    page = text_of(as_alice.post("/settings/delete", data={"password": "secret123"}))
    assert "三体 (with bob)" in page and chinese_left(page) == []


def test_goodbye_flash_in_english(as_alice):
    """After deletion the home page says goodbye in English."""
    page = text_of(as_alice.post("/settings/delete", data={"password": "secret123"}, follow_redirects=True))
    assert "Your account has been deleted" in page and chinese_left(page) == []
