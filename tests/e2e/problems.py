"""The recorder that fails a browser journey on console errors, failed or
refused requests and server errors, and the strict Content-Security-Policy
the test server adds so inline code or outside assets show up as errors."""
from dataclasses import dataclass, field

STRICT_CSP = "default-src 'self'"
# Requests for these resource types are page assets: any answer >= 400 fails a journey.
ASSETS = {"stylesheet", "script", "image", "font", "media", "fetch", "xhr", "manifest", "other"}


def with_strict_csp(wsgi_app):
    """WSGI middleware adding ``Content-Security-Policy: default-src 'self'``
    to every answer (on top of any policy the app sends; the browser enforces
    both), so an inline script or style, a data: icon or an outside asset
    shows up as a console error."""
    def app(environ, start_response):
        def start(status, headers, exc_info=None):
            headers.append(("Content-Security-Policy", STRICT_CSP))
            return start_response(status, headers, exc_info)
        return wsgi_app(environ, start)
    return app


LOAD_FAILED = "Failed to load resource: the server responded with a status of"


@dataclass
class Problems:
    """Browser events that fail a journey: console errors, uncaught page
    errors, failed requests, asset answers >= 400, any 5xx, pages answering
    4xx that the test did not announce with ``allow_page``, and any request
    that leaves the site."""
    site_url: str
    events: list[str] = field(default_factory=list)
    listening: bool = True
    allowed: set = field(default_factory=set)          # (page URL, status) a test expects
    allowed_seen: set = field(default_factory=set)     # page URLs that answered so
    console_errors: list = field(default_factory=list)  # (URL, text)
    navigations: dict = field(default_factory=dict)     # frame -> documents it has requested
    navigating: set = field(default_factory=set)        # frames waiting for a new document
    issued_at: dict = field(default_factory=dict)       # request -> (count, navigating) then

    def watch(self, context) -> None:
        context.on("console", self._console)
        context.on("weberror", lambda error: self._add(f"uncaught error: {error.error}"))
        context.on("request", self._request)
        context.on("requestfailed", self._failed)
        context.on("response", self._response)

    def allow_page(self, path: str, status: int) -> None:
        """The page at ``path`` is meant to answer ``status`` (a 4xx)."""
        self.allowed.add((self.site_url + path, status))

    @property
    def found(self) -> list[str]:
        """Everything that went wrong, each line once."""
        console = [f"console error at {url}: {text}" for url, text in self.console_errors
                   if not (text.startswith(LOAD_FAILED) and url in self.allowed_seen)]
        return list(dict.fromkeys(self.events + console))

    def _add(self, text: str) -> None:
        if self.listening:
            self.events.append(text)

    def _ours(self, url: str) -> bool:
        return url == self.site_url or url.startswith(self.site_url + "/")

    def _console(self, message) -> None:
        if message.type == "error" and self.listening:
            self.console_errors.append((message.location.get("url", ""), message.text))

    def _request(self, request) -> None:
        if not self._ours(request.url) and not request.url.startswith(("data:", "blob:", "about:")):
            self._add(f"request outside the site: {request.url}")
        frame = _frame_of(request)
        if frame is not None:
            if request.is_navigation_request():
                self.navigations[frame] = self.navigations.get(frame, 0) + 1
                self.navigating.add(frame)
            self.issued_at[request] = (self.navigations.get(frame, 0), frame in self.navigating)

    def _failed(self, request) -> None:
        """A failed request is a problem, unless the browser dropped it
        (net::ERR_ABORTED) because its page was leaving: the request was made
        while a new page was being fetched (the browser's own favicon fetch
        does that), or a new page was requested since."""
        frame = _frame_of(request)
        if request.is_navigation_request():
            self.navigating.discard(frame)
        count, during_navigation = self.issued_at.get(request, (0, False))
        left_page = (request.failure == "net::ERR_ABORTED" and frame is not None
                     and (during_navigation or self.navigations.get(frame, 0) > count))
        if not left_page:
            self._add(f"request failed ({request.failure}): {request.resource_type} {request.url}")

    def _response(self, response) -> None:
        if response.request.is_navigation_request():
            self.navigating.discard(_frame_of(response.request))
        kind, status = response.request.resource_type, response.status
        if status >= 500 or (status >= 400 and kind in ASSETS):
            self._add(f"HTTP {status} for {kind} {response.url}")
        elif status >= 400 and kind == "document":
            if (response.url, status) in self.allowed:
                self.allowed_seen.add(response.url)
            else:
                self._add(f"page answered {status} unexpectedly: {response.url}")


def _frame_of(request):
    try:
        return request.frame
    except Exception:  # noqa: BLE001 - e.g. a service worker's request has no frame
        return None
