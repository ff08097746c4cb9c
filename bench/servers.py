"""gunicorn processes for the benchmark, their workers' memory, and small
HTTP helpers (readiness, status checks, logging in)."""
import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "fisher-bench"  # the same for login and load, so the session stays fresh


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, headers=None, body=None):
    """(status, headers, body text) of one request; redirects are not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


class Gunicorn:
    """``python -m gunicorn -c gunicorn.conf.py <app>`` with ``workers`` (2) on a free
    port; FISHER_* and GUNICORN_* variables of the caller are not inherited.
    ``sync=True`` runs plain ``gunicorn -w <workers> -k sync <app>`` instead, without
    the repo's gunicorn.conf.py (started from bench/, so gunicorn does not
    pick that file up by default, with ``--chdir`` back to the repo)."""

    def __init__(self, target: str, env: dict, log_path: Path, ready_path: str = "/", sync: bool = False,
                 workers: int = 2):
        self.target, self.log_path, self.ready_path, self.sync = target, log_path, ready_path, sync
        self.worker_count = workers
        self.port = free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith(("FISHER_", "GUNICORN_"))}
        # No worker recycling while measuring: gunicorn.conf.py restarts a worker
        # after ~50,000 requests, which at these rates falls inside one page's
        # 15 s and took about 2 s of capacity each time (measured: 3 restarts in
        # 15 s cut a cached page from 2,051 to 1,288 req/s), so one row would
        # pay for it and the next not at all.
        self.env = {**base, "FISHER_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(workers),
                    "GUNICORN_ACCESS_LOG": "/dev/null", "GUNICORN_CMD_ARGS": "--max-requests 0", **env}
        self.proc = None

    def __enter__(self):
        if self.proc is None:
            self.start()
        self.wait_ready()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self) -> None:
        """Launch gunicorn without waiting for it (see ``serving``)."""
        self.log = open(self.log_path, "w", encoding="utf-8")
        if self.sync:
            args = ["-w", str(self.worker_count), "-k", "sync", "-b", f"127.0.0.1:{self.port}", "--chdir", str(ROOT)]
            cwd = ROOT / "bench"
        else:
            args, cwd = ["-c", "gunicorn.conf.py"], ROOT
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *args, self.target],
            cwd=cwd, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # quick shutdown: nothing here needs a graceful one
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.target} exited at start; see {self.log_path}\n{self.log_tail()}")
            try:
                if len(self.workers()) == self.worker_count and request(self.port, "GET", self.ready_path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.target} not ready after {timeout:.0f} s; see {self.log_path}")

    def workers(self) -> list[int]:
        return children(self.proc.pid)

    def log_tail(self, lines: int = 20) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def serving(*servers: Gunicorn):
    """Start every server at once (their start-ups overlap), wait until each is
    ready, and stop them all at the end, also when one fails to start."""
    with contextlib.ExitStack() as stack:
        for server in servers:
            server.start()
            stack.callback(server.stop)
        for server in servers:
            server.wait_ready()
        yield servers


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:  # kernels without the children file: scan /proc
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
        return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time a process has used, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class WorkerSampler(threading.Thread):
    """Samples a server's workers ten times a second while running: ``peak`` is
    the largest RSS of a single worker (MB), ``pids`` every worker seen and
    ``cpu`` the CPU seconds they used in the window (a worker that appears
    mid-window counts from its start, one that exits up to its last sample)."""

    def __init__(self, server: Gunicorn):
        super().__init__(daemon=True)
        self.server, self.peak, self.pids = server, 0.0, set()
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._halt = threading.Event()

    @property
    def cpu(self) -> float:
        return sum(self._last[pid] - self._first[pid] for pid in self._last)

    def sample(self, initial=False) -> None:
        for pid in self.server.workers():
            used = cpu_seconds(pid)
            if used is None:
                continue
            self._first.setdefault(pid, used if initial else 0.0)
            self._last[pid] = used
            self.pids.add(pid)
            self.peak = max(self.peak, rss_mb(pid))

    def run(self):
        while not self._halt.wait(0.1):
            self.sample()

    def __enter__(self):
        self.sample(initial=True)
        self.start()
        return self

    def __exit__(self, *exc):
        self._halt.set()
        self.join()
        self.sample()


def log_in(port: int, email: str, password: str) -> str:
    """Log in through the real form (CSRF token included); returns the Cookie header."""
    status, headers, body = request(port, "GET", "/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', body)
    cookie = _session_cookie(headers)
    if status != 200 or not token or not cookie:
        raise RuntimeError(f"GET /login gave {status} without a CSRF token or session cookie")
    form = urlencode({"email": email, "password": password, "csrf_token": token.group(1)})
    status, headers, _ = request(port, "POST", "/login", body=form, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    cookie = _session_cookie(headers)
    if status != 302 or not cookie:
        raise RuntimeError(f"POST /login as {email} gave {status}, not a redirect with a session")
    return cookie


def _session_cookie(headers) -> str | None:
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith("session="):
            return value.split(";", 1)[0]
    return None
