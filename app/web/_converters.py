"""URL converters shared by the ``web`` routes."""
from werkzeug.routing import IntegerConverter

ID_MAX = 2**63 - 1  # the largest signed 64-bit integer: any id column holds no more


class IdConverter(IntegerConverter):
    """``<id:name>``: a row id. A larger number cannot name a row, and SQLite
    refuses to bind one at all (OverflowError, a 500), so the route does not
    match and the answer is the usual 404."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=ID_MAX)
