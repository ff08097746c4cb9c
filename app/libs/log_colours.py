"""No terminal colour codes in a log that is not a terminal.

Werkzeug's development server colours its request lines (``\\x1b[32m...``)
whether or not anyone reads them on a terminal, so a log redirected to a file
or a journal fills with escape codes. ``PlainWhenRedirected`` strips them
from each record while standard error is not a terminal.
"""
import logging
import re
import sys

ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


class PlainWhenRedirected(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if sys.stderr.isatty():
            return True
        message = record.getMessage()
        plain = ANSI_CODE.sub("", message)
        if plain != message:
            record.msg, record.args = plain, None
        return True


def install(*loggers: logging.Logger) -> None:
    """Add the filter to each logger once."""
    for logger in loggers:
        if not any(isinstance(f, PlainWhenRedirected) for f in logger.filters):
            logger.addFilter(PlainWhenRedirected())
