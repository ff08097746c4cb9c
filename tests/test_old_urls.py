"""Addresses users may still hold (mail, bookmarks) redirect to the renamed pages."""
from sqlalchemy import select

from app.models.gift import Gift
from tests.helpers import DRIFT_FORM, add_books, register

SANTI = "9787536692930"


def _gift_id(app) -> int:
    add_books()
    alice = register(app.test_client(), "alice@example.com", "爱丽丝")
    assert alice.post(f"/gifts/book/{SANTI}").status_code == 302
    from app.models.base import db
    return db.session.scalar(select(Gift.id))


def test_old_wish_list_url_redirects(client):
    """GET /my/wish answers 301 to /my/wishes."""
    resp = client.get("/my/wish")
    assert resp.status_code == 301 and resp.headers["Location"] == "/my/wishes"


def test_old_request_link_from_mail_reaches_the_request_form(app):
    """A mailed /drift/<gift id> link redirects (301) to /gifts/<gift id>/request, which shows the form."""
    gid = _gift_id(app)
    bob = register(app.test_client(), "bob@example.com", "鲍勃")
    resp = bob.get(f"/drift/{gid}")
    assert resp.status_code == 301 and resp.headers["Location"] == f"/gifts/{gid}/request"
    followed = bob.get(f"/drift/{gid}", follow_redirects=True)  # bob has no bean yet: the rule page
    assert followed.request.path == f"/gifts/{gid}/request"
    assert "暂时不能请求书籍" in followed.get_data(as_text=True)


def test_old_request_url_takes_no_post(app):
    """POST to the old /drift/<gift id> is 405 and makes no drift: requests go to /gifts/<id>/request."""
    gid = _gift_id(app)
    bob = register(app.test_client(), "bob@example.com", "鲍勃")
    assert bob.post(f"/drift/{gid}", data=DRIFT_FORM).status_code == 405
    assert "鱼漂" in bob.get("/pending").get_data(as_text=True)
    assert "三体" not in bob.get("/pending").get_data(as_text=True)


def test_old_drawn_cover_url_redirects_with_its_query(client):
    """GET /cover/<isbn>.svg?title=… answers 301 to /covers/drawn/<isbn>.svg with the same query."""
    resp = client.get(f"/cover/{SANTI}.svg?title=%E4%B8%89%E4%BD%93&author=x")
    assert resp.status_code == 301
    assert resp.headers["Location"] == f"/covers/drawn/{SANTI}.svg?title=%E4%B8%89%E4%BD%93&author=x"
    assert client.get(resp.headers["Location"]).mimetype == "image/svg+xml"


def test_old_post_only_urls_are_gone(app):
    """The renamed POST-only actions have no old address left (only the site's own forms used them)."""
    gid = _gift_id(app)
    alice = app.test_client()
    for path in (f"/gifts/{gid}/redraw", f"/wish/book/{SANTI}", f"/wish/book/{SANTI}/redraw",
                 f"/drift/{gid}/redraw"):
        assert alice.post(path).status_code in (404, 405), path
