"""Two fisher instances under gunicorn share nothing but MariaDB and Redis:
a login session, a rate limit and a drift all work across them."""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests
import sqlalchemy as sa

from app import create_app
from app.models.base import db
from tests.db_servers import need_mysql, need_redis, scratch_database_name
from tests.helpers import BAINIAN, DRIFT_FORM, PYTHON, SAMPLE_BOOKS, SANTI, add_books
from tests.live import free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY_DB = scratch_database_name("deploy")


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    """Two gunicorn processes on two ports over one MariaDB database and one Redis;
    their instance folder (secret, outbox) is a temporary directory."""
    mysql_url, redis_url = need_mysql(), need_redis()
    url = sa.make_url(mysql_url)
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DEPLOY_DB}"))
        conn.execute(sa.text(f"CREATE DATABASE {DEPLOY_DB} CHARACTER SET utf8mb4"))
    db_url = url.set(database=DEPLOY_DB).render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": db_url})
    with app.app_context():
        db.create_all()
        add_books(SAMPLE_BOOKS)
        db.engine.dispose()
    redis.Redis.from_url(redis_url).flushdb()
    env = {**os.environ, "FISHER_SECRET_KEY": "deploy-test-secret", "FISHER_SQLALCHEMY_DATABASE_URI": db_url,
           "FISHER_RATELIMIT_STORAGE_URI": redis_url, "FISHER_CACHE_TYPE": "RedisCache",
           "FISHER_CACHE_REDIS_URL": redis_url, "GUNICORN_WORKERS": "1", "GUNICORN_ACCESS_LOG": "/dev/null"}
    instance = tmp_path_factory.mktemp("instance")
    procs, urls = [], []
    for _ in range(2):
        port = free_port()
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "tests.gunicorn_app:app"],
            cwd=ROOT, env={**env, "FISHER_BIND": f"127.0.0.1:{port}", "TEST_INSTANCE_PATH": str(instance)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for base in urls:
            _wait_healthy(base)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DEPLOY_DB}"))
        admin.dispose()


def _wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not become healthy")


def csrf(session, url) -> str:
    page = session.get(url, timeout=10).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def post_form(session, base, path, data, form_page=None):
    token = csrf(session, base + (form_page or path))
    return session.post(base + path, data={**data, "csrf_token": token}, allow_redirects=False, timeout=10)


def registered(base, email, nickname) -> requests.Session:
    s = requests.Session()
    resp = post_form(s, base, "/register", {"email": email, "nickname": nickname, "password": "secret123"})
    assert resp.status_code == 302
    return s


def test_session_works_on_the_other_instance(instances):
    """A user registered through instance A is logged in on instance B."""
    a, b = instances
    s = registered(a, "one@example.com", "一号")
    resp = s.get(f"{b}/personal", allow_redirects=False, timeout=10)
    assert resp.status_code == 200 and "一号" in resp.text


def test_rate_limit_is_shared(instances):
    """Ten failed logins on A make the eleventh on B a 429."""
    a, b = instances
    s = requests.Session()
    for _ in range(10):
        assert post_form(s, a, "/login", {"email": "victim@example.com", "password": "bad-pass"}).status_code == 200
    assert post_form(s, b, "/login", {"email": "victim@example.com", "password": "bad-pass"}).status_code == 429


def test_drift_across_instances(instances):
    """A gift listed on A, requested on B, accepted and mailed on A and received on B
    completes for both."""
    a, b = instances
    gifter = registered(a, "gifter@example.com", "赠书人")
    taker = registered(b, "taker@example.com", "索书人")
    detail = f"/book/{SANTI}/detail"
    assert post_form(gifter, a, f"/gifts/book/{SANTI}", {}, detail).status_code == 302
    for isbn in (BAINIAN, PYTHON):
        post_form(taker, b, f"/gifts/book/{isbn}", {}, f"/book/{isbn}/detail")
    gift_link = re.search(r'href="/gifts/(\d+)/request"', taker.get(b + detail, timeout=10).text)
    gid = gift_link.group(1)
    assert post_form(taker, b, f"/gifts/{gid}/request", DRIFT_FORM).status_code == 302
    pending = gifter.get(f"{a}/pending", timeout=10).text
    did = re.search(r'/drift/(\d+)/accept', pending).group(1)
    assert post_form(gifter, a, f"/drift/{did}/accept", {}, "/pending").status_code == 302
    assert post_form(gifter, a, f"/drift/{did}/mailed", {"tracking": "SF1"}, "/pending").status_code == 302
    assert "对方已寄出" in taker.get(f"{b}/pending", timeout=10).text
    assert post_form(taker, b, f"/drift/{did}/received", {}, "/pending").status_code == 302
    assert "你已收到，交易完成" in taker.get(f"{a}/pending", timeout=10).text
    assert "对方已收到，交易完成" in gifter.get(f"{b}/pending", timeout=10).text
