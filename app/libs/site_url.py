"""The site's own address (``SITE_URL``): the one origin of every absolute link.

Links in mail must never come from the request: a ``Host`` or
``X-Forwarded-Host`` header is chosen by whoever sends the request, so a
reset link built from it could point at an attacker's server. Absolute URLs
are built here against ``SITE_URL`` alone, and the host names requests may
use (Flask's ``TRUSTED_HOSTS``) are derived from it.
"""
import ipaddress
from urllib.parse import urlsplit

from flask import current_app

LOOPBACK_NAMES = ("127.0.0.1", "localhost")
WILDCARD_HOSTS = {"", "0.0.0.0", "::"}


def default_site_url(config) -> str:
    """The address ``python fisher.py`` serves: ``http://HOST:PORT``."""
    host = str(config.get("HOST") or "")
    if host in WILDCARD_HOSTS:  # listening everywhere: loopback reaches it
        host = "127.0.0.1"
    elif host == "::1":  # an IPv6 literal cannot be a trusted host (see below)
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{config.get('PORT')}"


def resolve_site_url(config) -> str:
    """``SITE_URL`` checked and without its trailing slash (derived from
    HOST/PORT when unset). Raises RuntimeError for a value links cannot use."""
    url = str(config.get("SITE_URL") or default_site_url(config)).strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RuntimeError(f"SITE_URL {url!r} is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuntimeError(f"SITE_URL {url!r} must be an http:// or https:// address with a host")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise RuntimeError(f"SITE_URL {url!r} may hold only scheme, host, port and path")
    if _is_ipv6(parts.hostname):
        # Werkzeug's trusted-host check cuts a name at its first ":", so an
        # IPv6 literal could never match and every request would answer 400.
        raise RuntimeError(f"SITE_URL {url!r}: use a host name or an IPv4 address, not IPv6")
    netloc = parts.hostname + (f":{port}" if port else "")
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def trusted_hosts(site_url: str, extra=None) -> list[str]:
    """Host names a request may name: SITE_URL's, loopback for the dev
    server and health checks, and any ``extra`` names (a list or one string)."""
    names = [urlsplit(site_url).hostname, *LOOPBACK_NAMES]
    if isinstance(extra, str):
        extra = [extra]
    for name in extra or []:
        if name and name not in names:
            names.append(name)
    return names


def site_url_for(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` on SITE_URL (its path prefix
    included), whatever the current request says its host is."""
    parts = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False
