"""Errors a unit of work raises for the view to turn into a page or a flash."""


class NotFound(Exception):
    """The object does not exist, is deleted, or is not the user's: a 404."""


class Refused(Exception):
    """The action breaks a rule; the message tells the user which."""

    def __init__(self, message: str, category: str = "warning"):
        super().__init__(message)
        self.message = message
        self.category = category


class Conflict(Refused):
    """The object changed state meanwhile (a 409)."""
