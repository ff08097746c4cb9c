"""One path from an error to a page: the services' errors and every HTTP code."""
import pytest
from werkzeug.exceptions import abort

from app.services.errors import Conflict, NotFound, Refused
from tests.helpers import register


def _view_raising(app, endpoint, error):
    def view(*_args, **_kwargs):
        raise error
    app.view_functions[endpoint] = view


def test_refusal_outside_run_action_is_a_400_with_its_message(app, client):
    """A Refused that no view turned into a flash is a 400 page showing the service's message."""
    _view_raising(app, "web.index", Refused("这件事不能这样做"))
    resp = client.get("/")
    assert resp.status_code == 400 and "这件事不能这样做" in resp.get_data(as_text=True)


def test_conflict_is_a_409_with_its_message(app, client):
    """A Conflict from a service is the 409 page with the service's message."""
    _view_raising(app, "web.index", Conflict("已经处理过了"))
    resp = client.get("/")
    assert resp.status_code == 409 and "已经处理过了" in resp.get_data(as_text=True)


def test_not_found_is_the_404_page(app, client):
    """A NotFound from a service is the friendly 404 page."""
    _view_raising(app, "web.index", NotFound(7))
    resp = client.get("/")
    assert resp.status_code == 404 and "页面不存在" in resp.get_data(as_text=True)


@pytest.mark.parametrize("code, heading", [
    (400, "请求无效"), (404, "页面不存在"), (409, "这笔交易的状态已经变化"), (413, "提交的内容太大"),
    (429, "操作太频繁"), (500, "服务器出错了"), (503, "书籍数据暂时不可用")])
def test_each_code_renders_its_own_page(app, client, code, heading):
    """abort(code) renders errors/<code>.html with that status, never werkzeug's English page."""
    app.view_functions["web.index"] = lambda: abort(code)
    resp = client.get("/")
    text = resp.get_data(as_text=True)
    assert resp.status_code == code and heading in text
    assert "The server" not in text and "The browser" not in text


def test_server_error_page_shows_the_logged_in_user_without_a_query(app):
    """After an unhandled error the 500 page still shows the user loaded earlier, from memory."""
    from app.models.base import db

    me = register(app.test_client(), "alice@example.com", "爱丽丝")
    statements = []

    def failing():
        from flask_login import current_user
        assert current_user.nickname == "爱丽丝"  # loaded before the failure
        from sqlalchemy import event
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(a[2]))
        raise RuntimeError("boom")

    app.view_functions["web.index"] = failing
    app.config["PROPAGATE_EXCEPTIONS"] = False
    resp = me.get("/")
    assert resp.status_code == 500 and "爱丽丝" in resp.get_data(as_text=True)
    assert statements == []
