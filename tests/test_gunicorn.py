"""gunicorn.conf.py refuses several workers on memory:// rate-limit storage
(each worker would count login attempts alone): real gunicorn starts."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.db_servers import need_redis
from tests.live import free_port

ROOT = Path(__file__).resolve().parent.parent
REFUSAL = "every worker counts alone"


class Started:
    """A gunicorn process serving fisher on SQLite; ``log`` is its output so far."""

    def __init__(self, tmp_path, **env):
        self.port = free_port()
        self.log_path = tmp_path / f"gunicorn-{self.port}.log"
        base = {k: v for k, v in os.environ.items() if not k.startswith(("FISHER_", "GUNICORN_"))}
        self.env = {**base, "FISHER_BIND": f"127.0.0.1:{self.port}", "FISHER_SECRET_KEY": "gunicorn-test-" + "x" * 20,
                    "FISHER_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'g.sqlite'}",
                    "FISHER_OUTBOX_DIR": str(tmp_path / "outbox"), "GUNICORN_ACCESS_LOG": "/dev/null",
                    "TEST_INSTANCE_PATH": str(tmp_path / "instance"), **env}

    def __enter__(self):
        self.out = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "tests.gunicorn_app:app"],
                                     cwd=ROOT, env=self.env, stdout=self.out, stderr=subprocess.STDOUT)
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()

    @property
    def log(self) -> str:
        self.out.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def healthy(self, timeout: float = 60) -> bool:
        """True once /healthz answers 200; False if the process exits first or never answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.2)
        return False


def test_several_workers_on_memory_storage_refuse_to_start(tmp_path):
    """Two workers with the default memory:// limit storage: gunicorn exits 1 at start, saying why, and never listens."""
    with Started(tmp_path, GUNICORN_WORKERS="2") as server:
        assert server.proc.wait(timeout=60) == 1
        log = server.log
    assert REFUSAL in log and "RATELIMIT_STORAGE_URI=memory://" in log and "FISHER_ALLOW_PER_WORKER_LIMITS" in log
    assert "Booting worker" not in log
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{server.port}/healthz", timeout=2)


def test_explicit_allowance_starts_with_a_warning(tmp_path):
    """FISHER_ALLOW_PER_WORKER_LIMITS=true lets two memory:// workers start, with a warning in the log."""
    with Started(tmp_path, GUNICORN_WORKERS="2", FISHER_ALLOW_PER_WORKER_LIMITS="true") as server:
        assert server.healthy(), server.log
        log = server.log
    assert "ALLOW_PER_WORKER_LIMITS is set" in log and REFUSAL in log


def test_one_worker_on_memory_storage_starts(tmp_path):
    """A single worker keeps one set of counters: it starts without the warning (but warns of a loopback SITE_URL)."""
    with Started(tmp_path, GUNICORN_WORKERS="1") as server:
        assert server.healthy(), server.log
        log = server.log
    assert REFUSAL not in log and "links in mail point at this machine" in log


def test_several_workers_on_redis_storage_start(tmp_path):
    """Two workers sharing Redis limit storage start without a warning; with SITE_URL set, no SITE_URL warning either."""
    redis_url = need_redis()
    with Started(tmp_path, GUNICORN_WORKERS="2", FISHER_RATELIMIT_STORAGE_URI=redis_url,
                 FISHER_SITE_URL="https://fisher.example") as server:
        assert server.healthy(), server.log
        resp = requests.get(f"http://127.0.0.1:{server.port}/healthz", headers={"Host": "evil.example"}, timeout=5)
        log = server.log
    assert resp.status_code == 400
    assert REFUSAL not in log and "links in mail point at this machine" not in log


def test_several_workers_on_simple_cache_serve_no_cached_page(tmp_path):
    """Two workers on the in-process SimpleCache turn the page cache off (a change through one would miss the other's copies), saying so."""
    redis_url = need_redis()
    with Started(tmp_path, GUNICORN_WORKERS="2", FISHER_RATELIMIT_STORAGE_URI=redis_url) as server:
        assert server.healthy(), server.log
        answers = [requests.get(f"http://127.0.0.1:{server.port}/about", timeout=5) for _ in range(4)]
        log = server.log
    assert all(resp.status_code == 200 and "X-Page-Cache" not in resp.headers for resp in answers)
    assert "page cache off: 2 workers on CACHE_TYPE=SimpleCache" in log


def test_one_worker_on_simple_cache_keeps_the_page_cache(tmp_path):
    """A single worker has one cache and one set of page versions: pages are cached."""
    with Started(tmp_path, GUNICORN_WORKERS="1") as server:
        assert server.healthy(), server.log
        answers = [requests.get(f"http://127.0.0.1:{server.port}/about", timeout=5) for _ in range(2)]
        log = server.log
    assert answers[1].headers.get("X-Page-Cache") == "hit" and "page cache off" not in log
