"""gunicorn settings for fisher: ``gunicorn -c gunicorn.conf.py fisher:app``.

Every value can be overridden on the command line or with GUNICORN_* /
FISHER_BIND environment variables.
"""
import multiprocessing
import os

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


class RedactingLogger(Logger):
    """gunicorn's logger, with password-reset tokens left out of access and error lines."""

    def setup(self, cfg):
        super().setup(cfg)
        from app.libs.log_redaction import RedactTokens
        self.error_log.addFilter(RedactTokens())

    def atoms(self, resp, req, environ, request_time):
        from app.libs.log_redaction import redact
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}


logger_class = RedactingLogger
