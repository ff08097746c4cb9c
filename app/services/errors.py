"""Errors a unit of work raises. The ``web`` blueprint answers each kind in
one place (``app/web/__init__.py``): NotFound a 404 page, Conflict a 409 page
with its message, Refused a 400 page with its message -- unless the view ran
the action through ``run_action``, which turns Refused into a flash."""


class ServiceError(Exception):
    """An error a unit of work raises with a message for the user."""

    def __init__(self, message: str = "", category: str = "warning"):
        super().__init__(message)
        self.message = message
        self.category = category


class NotFound(ServiceError):
    """The object does not exist, is deleted, or is not the user's: a 404."""


class Refused(ServiceError):
    """The action breaks a rule; the message tells the user which."""


class Conflict(ServiceError):
    """The object changed state meanwhile (a 409); nothing was changed."""
