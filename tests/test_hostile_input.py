"""Hostile input on every form and query: never a 5xx, clear messages, escaped output."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.models.base import db
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.user import User
from tests.helpers import BAINIAN, DRIFT_FORM, PYTHON, add_books, register

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NASTY = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["' OR 1=1 --", "\"; DROP TABLE user; --", "<script>alert(1)</script>",
                     "\x00\x01\x02", "\u202e\u200b", "%00", "../../etc/passwd", "{{ 7*7 }}",
                     "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🐟" * 20, "a" * 10_000, "", " ", "\r\n\t"]))


@FUZZ
@given(q=NASTY, page=st.one_of(NASTY, st.integers(-10**20, 10**20).map(str)))
def test_search_never_fails(client, books, q, page):
    """Any query and page answer 200 or 400, never a server error."""
    resp = client.get("/book/search", query_string={"q": q, "page": page})
    assert resp.status_code in (200, 400)


@FUZZ
@given(isbn=st.one_of(NASTY, st.from_regex(r"97[89][0-9\- ]{10,14}X?", fullmatch=True)))
def test_detail_never_fails(client, books, isbn):
    """Malformed and near-valid ISBNs in the detail URL give 404 or a redirect."""
    resp = client.get(f"/book/{isbn}/detail".replace("?", "%3F").replace("#", "%23"))
    assert resp.status_code in (200, 301, 308, 404)


@FUZZ
@given(email=NASTY, nickname=NASTY, password=NASTY)
def test_register_never_fails(client, email, nickname, password):
    """Registration with any field values answers without a server error."""
    resp = client.post("/register", data={"email": email, "nickname": nickname, "password": password})
    assert resp.status_code in (200, 302)
    client.post("/logout")


@FUZZ
@given(fields=st.fixed_dictionaries({k: NASTY for k in DRIFT_FORM}))
def test_drift_form_never_fails(app, fields):
    """A drift request with any field values is accepted or refused, never a 5xx,
    and nothing over-long is stored."""
    if not hasattr(app, "_fuzz_world"):
        add_books()
        app._fuzz_world = {
            "alice": register(app.test_client(), "alice@example.com", "爱丽丝"),
            "bob": register(app.test_client(), "bob@example.com", "鲍勃")}
        app._fuzz_world["alice"].post("/gifts/book/9787536692930")
        for isbn in (BAINIAN, PYTHON):  # one bean, so the form is validated
            app._fuzz_world["bob"].post(f"/gifts/book/{isbn}")
        app._fuzz_world["gid"] = db.session.scalar(select(Gift.id))
    resp = app._fuzz_world["bob"].post(f"/gifts/{app._fuzz_world['gid']}/request", data=fields)
    assert resp.status_code in (200, 302)
    for drift in db.session.scalars(select(Drift)):
        assert len(drift.address) <= 70 and len(drift.message) <= 200 and len(drift.recipient_name) <= 20


def test_stored_text_is_escaped(client, books, auth):
    """A nickname full of HTML is shown as text, never as markup."""
    auth.register(nickname="<b>x</b>&")
    text = client.get("/personal").get_data(as_text=True)
    assert "<b>x</b>" not in text and "&lt;b&gt;x&lt;/b&gt;&amp;" in text


def test_missing_and_duplicated_fields(client, books):
    """Missing fields get messages; duplicated fields do not break the form."""
    resp = client.post("/register", data={})
    assert resp.status_code == 200 and "电子邮件不能为空" in resp.get_data(as_text=True)
    resp = client.post("/register", data=MultiDict([
        ("email", "a@example.com"), ("email", "b@example.com"), ("nickname", "甲乙"),
        ("nickname", "丙丁"), ("password", "secret123"), ("password", "other-one")]))
    assert resp.status_code in (200, 302)
    assert db.session.scalar(select(func.count()).select_from(User)) <= 1


def test_oversized_body_is_413(client):
    """A request body over MAX_CONTENT_LENGTH is refused with a friendly 413."""
    resp = client.post("/login", data={"email": "a@example.com", "password": "x" * 100_000})
    assert resp.status_code == 413 and "提交的内容太大" in resp.get_data(as_text=True)


@pytest.mark.parametrize("page", ["0", "-1", "100", "1e9", "99999999999999999999", "0x10", "abc", "1.5"])
def test_bad_page_numbers(client, books, page):
    """Out-of-range and non-numeric page numbers get a clear 400."""
    resp = client.get("/book/search", query_string={"q": "三体", "page": page})
    assert resp.status_code == 400 and "页码" in resp.get_data(as_text=True)
