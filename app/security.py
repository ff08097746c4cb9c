"""Response headers, cookie flags and start-up checks that keep fisher safe."""
import ipaddress
import logging

from flask import request
from werkzeug.exceptions import SecurityError

from app.libs.log_filters import PlainWhenRedirected, RedactTokens, install

CSP = ("default-src 'self'; img-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PLACEHOLDER_SECRETS = {"", "dev", "secret", "changeme", "change-me", "secret-key", "your-secret-key",
                       "please-change-me", "replace-me"}


def init_security(app) -> None:
    """Add the security headers to every response, tighten cookies, answer
    400 to a request naming a host outside TRUSTED_HOSTS and keep reset
    tokens out of the app's and the development server's logs (and the
    development server's colour codes out of a log that is no terminal)."""
    werkzeug_log = logging.getLogger("werkzeug")
    install(RedactTokens, app.logger, werkzeug_log)
    install(PlainWhenRedirected, werkzeug_log)
    if app.config.get("PREFERRED_URL_SCHEME") == "https":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    @app.after_request
    def _headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    # Registered before any extension's hook, so an untrusted Host is refused
    # before CSRF or rate-limit checks can fail on it with a page of their own.
    @app.before_request
    def _refuse_untrusted_host():
        if isinstance(request.routing_exception, SecurityError):
            raise request.routing_exception

    @app.errorhandler(SecurityError)
    def _untrusted_host(_error):
        """A Host outside TRUSTED_HOSTS: 400 in plain text (no URL can be
        built for such a request, so no template that links anywhere)."""
        return ("400 Bad Request: this host name is not served here\n", 400,
                {"Content-Type": "text/plain; charset=utf-8"})


def check_secret_key(app) -> None:
    """Refuse to run outside debug/testing with a missing or placeholder key."""
    if app.debug or app.testing:
        return
    key = app.config.get("SECRET_KEY") or ""
    if isinstance(key, bytes):
        key = key.decode("utf-8", "replace")
    if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < 16:
        raise RuntimeError("SECRET_KEY is missing or a placeholder: set a long random value in "
                           "instance/secure.py or FISHER_SECRET_KEY")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def debug_allowed(app) -> bool:
    """The debugger runs only when asked for and only on a loopback address."""
    if not app.config.get("DEBUG"):
        return False
    if not is_loopback(str(app.config.get("HOST", ""))):
        app.logger.warning("DEBUG ignored: the debugger is never enabled on a non-loopback address")
        return False
    return True
