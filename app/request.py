"""The request class: bodies are capped at MAX_CONTENT_LENGTH (64 KB), except
on the pages that take a cover photo. There the cap is twice the photo limit,
so a photo somewhat too large still reaches the form and gets its message
under the field; only far larger bodies get the 413 page. The endpoint is
known once the URL is matched, before any hook (CSRF included) reads the body."""
from flask import current_app
from flask.wrappers import Request

PHOTO_ENDPOINTS = {"web.new_book", "web.edit_book"}


class FisherRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        if self.endpoint in PHOTO_ENDPOINTS and limit is not None:
            return limit + 2 * current_app.config["COVER_PHOTO_MAX_BYTES"]
        return limit
