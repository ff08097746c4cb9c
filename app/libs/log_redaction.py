"""Keep password-reset tokens out of logs.

A reset link is ``/reset/password/<token>``: whoever reads the token while it
is valid can set the account's password. Access logs (werkzeug's, gunicorn's)
and Flask's "Exception on <path>" lines would write it down; these helpers
replace the token with ``<token>``. Only the outbox mode (no ``MAIL_SERVER``)
logs links on purpose, marking its record with ``keeps_links``.
"""
import logging
import re

TOKEN_PATH = re.compile(r"(/reset/password/)[^/\s?#\"']+")


def redact(text: str) -> str:
    return TOKEN_PATH.sub(r"\1<token>", text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message with reset tokens left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "keeps_links", False):
            return True
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install(*loggers: logging.Logger) -> None:
    """Add the filter to each logger once."""
    for logger in loggers:
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
