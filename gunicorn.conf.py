"""gunicorn settings for fisher: ``gunicorn -c gunicorn.conf.py fisher:app``.

Every value can be overridden on the command line or with GUNICORN_* /
FISHER_BIND environment variables.
"""
import multiprocessing
import os
from urllib.parse import urlsplit

from gunicorn.glogging import Logger

bind = os.environ.get("FISHER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
worker_class = "gthread"
timeout = 30            # a worker silent this long is restarted
graceful_timeout = 20   # time to finish in-flight requests on reload/stop
keepalive = 5
max_requests = 50000    # recycle workers now and then (caps slow leaks)
max_requests_jitter = 5000
preload_app = True      # import and build the app once; workers fork from it
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """Refuse several workers on ``memory://`` rate-limit storage: each worker
    would count alone, multiplying LOGIN_RATE_LIMIT by the worker count.
    ALLOW_PER_WORKER_LIMITS=true turns the refusal into a warning. Also warn
    when SITE_URL, the origin of every mailed link, is a loopback address."""
    config = getattr(server.app.wsgi(), "config", None)
    if config is None or "RATELIMIT_STORAGE_URI" not in config:
        return  # not fisher (bench/minimal_app.py)
    storage = str(config["RATELIMIT_STORAGE_URI"])
    if (server.num_workers > 1 and storage.startswith("memory://")
            and config.get("RATELIMIT_ENABLED", True)):
        message = (f"{server.num_workers} workers with RATELIMIT_STORAGE_URI={storage}: every worker counts "
                   f"alone, so LOGIN_RATE_LIMIT ({config['LOGIN_RATE_LIMIT']}) allows up to "
                   f"{server.num_workers} times as many guesses. Set FISHER_RATELIMIT_STORAGE_URI=redis://..., "
                   "run GUNICORN_WORKERS=1, or accept it with FISHER_ALLOW_PER_WORKER_LIMITS=true")
        if not config.get("ALLOW_PER_WORKER_LIMITS"):
            server.log.error("refusing to start: %s", message)
            raise RuntimeError(message)
        server.log.warning("ALLOW_PER_WORKER_LIMITS is set: %s", message)
    _page_cache_needs_a_shared_cache(server, config)
    site = str(config.get("SITE_URL") or "")
    if urlsplit(site).hostname in ("127.0.0.1", "localhost"):
        server.log.warning("SITE_URL is %s: links in mail point at this machine; set FISHER_SITE_URL", site)


def _page_cache_needs_a_shared_cache(server, config) -> None:
    """Several workers on the in-process SimpleCache would each keep their own
    cached pages and page versions, so a change made through one worker would
    not reach pages another has cached: the page cache is turned off (the
    workers fork from this app, preload_app) until CACHE_TYPE is RedisCache."""
    kind = str(config.get("CACHE_TYPE", "")).rsplit(".", 1)[-1].lower()
    if server.num_workers > 1 and config.get("PAGE_CACHE_TTL") and kind in ("simplecache", "simple"):
        config["PAGE_CACHE_TTL"] = 0
        server.log.warning("page cache off: %s workers on CACHE_TYPE=SimpleCache would each serve pages "
                           "missing the others' changes; set FISHER_CACHE_TYPE=RedisCache and "
                           "FISHER_CACHE_REDIS_URL to share it", server.num_workers)


class RedactingLogger(Logger):
    """gunicorn's logger, with password-reset tokens left out of access and error lines."""

    def setup(self, cfg):
        super().setup(cfg)
        from app.libs.log_filters import RedactTokens
        self.error_log.addFilter(RedactTokens())

    def atoms(self, resp, req, environ, request_time):
        from app.libs.log_filters import redact
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}


logger_class = RedactingLogger
