"""One HTTP GET of a URL taken from untrusted data, safe to run on the server.

- Every hop's host is resolved once and refused unless every address it
  resolves to is allowed (``address_policy``); redirects are never followed by
  the HTTP library but here, at most ``max_redirects`` times, each Location
  checked like the first URL.
- The connection is opened to the address that was checked: urllib3 gets the
  IP as the pool's host, while the Host header, TLS SNI and the certificate
  check use the name. A DNS answer that changes after the check (rebinding)
  is never asked for, so it cannot move the request inside. Proxy settings
  from the environment are not used either (urllib3 alone reads none).
- One wall-clock deadline covers the whole fetch, redirects included, checked
  after every chunk read, so a server trickling bytes cannot hold it; each
  read also has its own timeout, so the worst case is the deadline plus one
  read timeout. The body is refused past ``max_bytes``.
"""
import http.client
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3

from app.libs.address_policy import Network, resolve_allowed

REDIRECTS = (301, 302, 303, 307, 308)
_DEFAULT_PORTS = {"http": 80, "https": 443}


class FetchError(ValueError):
    """The URL was not fetched; the message says why."""


@dataclass(frozen=True)
class Limits:
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    max_bytes: int
    max_redirects: int = 3


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str  # lower case, without parameters
    body: bytes


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def safe_get(url: str, limits: Limits, allowed: tuple[Network, ...] = (),
             resolver=socket.getaddrinfo, ca_certs: str | None = None,
             user_agent: str = "fisher/1.0") -> Fetched:
    """GET ``url`` under ``limits``, connecting only to public addresses or
    those in ``allowed``. Raises AddressRefused for a forbidden host and
    FetchError for anything else but a complete 200 answer (both ValueError)."""
    deadline = time.monotonic() + limits.total_timeout
    for _hop in range(limits.max_redirects + 1):
        target = _target(url)
        address = resolve_allowed(target.host, target.port, allowed, resolver)
        try:
            with _pool(target, address, limits, deadline, ca_certs) as pool:
                resp = pool.urlopen("GET", target.path, redirect=False, retries=False,
                                    assert_same_host=False, preload_content=False,
                                    decode_content=False, headers={
                                        "Host": target.host_header, "User-Agent": user_agent,
                                        "Accept": "image/*", "Accept-Encoding": "identity"})
                try:
                    if resp.status in REDIRECTS:
                        url = _next_url(url, resp)
                        continue
                    return Fetched(url, _content_type(resp), _read(resp, limits.max_bytes, deadline))
                finally:
                    resp.close()
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            raise FetchError(f"{target.host} failed: {exc.__class__.__name__}") from exc
    raise FetchError(f"more than {limits.max_redirects} redirects")


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("invalid URL") from None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise FetchError("only http and https URLs with a host are fetched")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme], path)


def _pool(target: _Target, address: str, limits: Limits, deadline: float, ca_certs):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError("too slow (deadline passed)")
    timeout = urllib3.Timeout(connect=min(limits.connect_timeout, remaining),
                              read=min(limits.read_timeout, remaining))
    if target.scheme == "http":
        return urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False)
    return urllib3.HTTPSConnectionPool(
        address, target.port, timeout=timeout, retries=False, cert_reqs="CERT_REQUIRED",
        ca_certs=ca_certs or certifi.where(), server_hostname=target.host,
        assert_hostname=target.host)


def _next_url(url: str, resp) -> str:
    location = resp.headers.get("Location")
    if not location:
        raise FetchError(f"redirect ({resp.status}) without a Location")
    return urljoin(url, location)


def _content_type(resp) -> str:
    if resp.status != 200:
        raise FetchError(f"answered {resp.status}")
    if resp.headers.get("Content-Encoding", "identity").strip().lower() != "identity":
        raise FetchError("compressed answer (asked for identity)")
    return resp.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _read(resp, max_bytes: int, deadline: float) -> bytes:
    """The body, refused past ``max_bytes`` or past the deadline (read1
    returns after one socket read, so the clock is checked often)."""
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError("too large")
    chunks, size = [], 0
    while chunk := resp.read1(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError("too large")
        if time.monotonic() > deadline:
            raise FetchError("too slow (deadline passed)")
        chunks.append(chunk)
    return b"".join(chunks)
