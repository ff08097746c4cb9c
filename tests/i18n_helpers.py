"""Checking pages in English: no Chinese left outside book data and user content."""
import html as html_lib
import re

from tests.helpers import SAMPLE_BOOKS

# CJK punctuation, ideographs (and extension A), full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_ATTRIBUTES = re.compile(r'\b(?:title|placeholder|aria-label|alt|content|value)="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
LANGUAGE_NAMES = ("中文",)  # the footer's switch names each language in itself


def book_texts(records=SAMPLE_BOOKS) -> list[str]:
    """Every text of the given book records (titles, names, publishers, summaries…)."""
    texts = []
    for record in records:
        for value in record.values():
            texts.extend(value if isinstance(value, list) else [str(value)])
    return [text for text in texts if text]


def readable_text(page: str) -> str:
    """What a reader sees or hears of a page: text and the attributes shown or read aloud."""
    page = _HIDDEN.sub(" ", page)
    attributes = " ".join(_ATTRIBUTES.findall(page))
    return html_lib.unescape(_TAG.sub(" ", page) + " " + attributes)


def chinese_left(page: str, allowed=()) -> list[str]:
    """The runs of Chinese in ``page`` once ``allowed`` texts (book data, user
    content, the language names) are taken out, longest allowed first."""
    text = readable_text(page)
    for known in sorted({*allowed, *LANGUAGE_NAMES, *book_texts()}, key=len, reverse=True):
        text = text.replace(known, " ")
    return CJK.findall(text)


def english(client):
    """``client`` with the visitor's language cookie set to English."""
    client.set_cookie("locale", "en")
    return client
