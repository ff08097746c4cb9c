"""Machine-readable APIs, beside the ``web`` blueprint's pages."""
