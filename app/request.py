"""The request class: bodies are capped at MAX_CONTENT_LENGTH (64 KB), except
on the pages that take a file: a cover photo, or a wish list to import. There
the cap is twice the file's limit, so a file somewhat too large still reaches
the form and gets its message under the field; only far larger bodies get the
413 page. The endpoint is
known once the URL is matched, before any hook (CSRF included) reads the body."""
from flask import current_app
from flask.wrappers import Request

# endpoint: the setting that limits the file it takes
FILE_ENDPOINTS = {"web.new_book": "COVER_PHOTO_MAX_BYTES", "web.edit_book": "COVER_PHOTO_MAX_BYTES",
                  "web.import_wishes": "WISH_IMPORT_MAX_BYTES"}


class FisherRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        if self.endpoint in FILE_ENDPOINTS and limit is not None:
            return limit + 2 * current_app.config[FILE_ENDPOINTS[self.endpoint]]
        return limit
