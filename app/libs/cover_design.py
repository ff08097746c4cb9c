"""The design of the drawn cover: its colours and where its text goes.

A book without a cover image gets one drawn from its title and authors on
a 240 × 336 canvas (the 5 : 7 of a book; the SVG keeps this viewBox, so it
scales to every size the pages show). Colours come from a small palette of
background/foreground pairs, each with a text contrast of at least 4.5 : 1
(WCAG AA), picked from the ISBN so the same book always looks the same and
neighbouring books mostly differ. The title takes the largest size at which
it fits whole; a title too long even at the smallest size is cut with "…".
"""
import hashlib
from dataclasses import dataclass

from app.libs.cover_text import clean, fits, truncate, wrap

WIDTH, HEIGHT = 240, 336
FRAME = 12                     # inset of the thin frame
LEFT, RIGHT = 22, 218          # text stays between these (inside the frame, with room)
TEXT_WIDTH = RIGHT - LEFT
TITLE_TOP, TITLE_BOTTOM = 34, 254
TITLE_SIZES = (44, 38, 33, 29, 26)  # 26 is still ~9 px on the 80 px result cards
BOLD = 1.08  # the title is bold, wider than the regular letters cover_text measures
LINE_HEIGHT = 1.2
RULE_Y = 268
AUTHOR_SIZE, AUTHOR_Y = 20, 300
ISBN_SIZE = 24

# (background, foreground) pairs: dark grounds with light text and light
# grounds with dark text, for variety.
PALETTE = (
    ("#1d3557", "#f1faee"),
    ("#264653", "#f4e9cd"),
    ("#6d2e46", "#f6e7d8"),
    ("#0b525b", "#e0f2f1"),
    ("#3d405b", "#f2cc8f"),
    ("#7f5539", "#fdf0d5"),
    ("#2b2d42", "#edf2f4"),
    ("#5f0f40", "#ffd6a5"),
    ("#f4d35e", "#0d3b66"),
    ("#a8dadc", "#1d3557"),
    ("#f6e7d8", "#6d2e46"),
    ("#cfe1b9", "#2d4a22"),
)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """The WCAG relative luminance of a ``#rrggbb`` colour."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colours_for(isbn: str) -> tuple[str, str]:
    """The (background, foreground) pair of a book: always the same for one ISBN."""
    digest = hashlib.sha1(isbn.encode("utf-8", "replace")).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


@dataclass(frozen=True)
class Line:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Layout:
    background: str
    foreground: str
    title_size: int
    title: list[Line]
    author_size: int
    author: Line | None


def _title_lines(title: str, more: bool) -> tuple[int, list[str]]:
    """The title's size and lines: the largest size where it fits whole,
    else the smallest one with the end cut."""
    for size in TITLE_SIZES:
        if not more and fits(title, _title_width(size), _max_lines(size)):
            return size, wrap(title, _title_width(size), _max_lines(size))
    size = TITLE_SIZES[-1]
    return size, wrap(title, _title_width(size), _max_lines(size), more=more)


def _title_width(size: int) -> float:
    return TEXT_WIDTH / (size * BOLD)


def _max_lines(size: int) -> int:
    return int((TITLE_BOTTOM - TITLE_TOP) // (size * LINE_HEIGHT))


def layout(isbn: str, title: str, author: str, title_cut: bool = False) -> Layout:
    """Where every piece of text of the cover goes. ``title_cut`` says the
    title was shortened before it got here, so it must end with "…"."""
    background, foreground = colours_for(isbn)
    title = clean(title)
    if title:
        size, lines = _title_lines(title, title_cut)
    else:  # nothing to show but the ISBN
        size, lines = ISBN_SIZE, [truncate(isbn, TEXT_WIDTH / ISBN_SIZE)]
    step = size * LINE_HEIGHT
    top = TITLE_TOP + (TITLE_BOTTOM - TITLE_TOP - step * len(lines)) / 2
    centre = WIDTH / 2
    placed = [Line(text, centre, round(top + step * i + step / 2 + size * 0.36, 1))
              for i, text in enumerate(lines)]
    name = truncate(author, TEXT_WIDTH / AUTHOR_SIZE)
    return Layout(background, foreground, size, placed, AUTHOR_SIZE,
                  Line(name, centre, AUTHOR_Y) if name else None)
