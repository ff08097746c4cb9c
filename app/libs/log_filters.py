"""Filters that rewrite log messages before any handler writes them.

* ``RedactTokens`` keeps password-reset tokens out of logs. A reset link is
  ``/reset/password/<token>``: whoever reads the token while it is valid can
  set the account's password. Access logs (werkzeug's, gunicorn's) and Flask's
  "Exception on <path>" lines would write it down; the token becomes
  ``<token>``. Only the outbox mode (no ``MAIL_SERVER``) logs links on purpose,
  marking its record with ``keeps_links``.
* ``PlainWhenRedirected`` strips terminal colour codes while standard error is
  not a terminal: werkzeug's development server colours its request lines
  (``\\x1b[33m...``) whether or not anyone reads them on a terminal, so a log
  redirected to a file or a journal would fill with escape codes.
"""
import logging
import re
import sys

TOKEN_PATH = re.compile(r"(/reset/password/)[^/\s?#\"']+")
ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


def redact(text: str) -> str:
    return TOKEN_PATH.sub(r"\1<token>", text)


class MessageFilter(logging.Filter):
    """Replaces a record's message by ``rewrite(message)`` when ``applies``."""

    def applies(self, record: logging.LogRecord) -> bool:
        return True

    def rewrite(self, message: str) -> str:
        return message

    def filter(self, record: logging.LogRecord) -> bool:
        if self.applies(record):
            message = record.getMessage()
            clean = self.rewrite(message)
            if clean != message:
                record.msg, record.args = clean, None
        return True


class RedactTokens(MessageFilter):
    def applies(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "keeps_links", False)

    def rewrite(self, message: str) -> str:
        return redact(message)


class PlainWhenRedirected(MessageFilter):
    def applies(self, record: logging.LogRecord) -> bool:
        return not sys.stderr.isatty()

    def rewrite(self, message: str) -> str:
        return ANSI_CODE.sub("", message)


def install(kind: type[MessageFilter], *loggers: logging.Logger) -> None:
    """Add a ``kind`` filter to each logger once."""
    for logger in loggers:
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
