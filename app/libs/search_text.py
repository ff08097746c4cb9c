"""Text normalisation and the character-bigram keys of the book search index.

Text is NFKC-normalised and lower-cased, then cut into runs of letters and
digits (CJK characters count as letters). Each run yields its overlapping
bigrams plus its last character alone, so every character starts some key:
a query of two or more characters looks up its bigrams, a single character
looks up the key range of everything starting with it. A key is an integer
``first * 0x110000 + second`` (``second`` is 0 for a lone last character), so
the index is an integer table that SQLite and MySQL treat alike.
"""
import re
import unicodedata

_SPAN = 0x110000  # one more than the largest code point
_RUN = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def runs(text: str) -> list[str]:
    """The letter/digit runs of ``text``, normalised."""
    return _RUN.findall(normalize(text))


def gram_keys(text: str) -> set[int]:
    """Every index key of ``text``."""
    keys = set()
    for run in runs(text):
        codes = [ord(ch) for ch in run]
        for first, second in zip(codes, codes[1:]):
            keys.add(first * _SPAN + second)
        keys.add(codes[-1] * _SPAN)
    return keys


def bigram_keys(run: str) -> set[int]:
    """The bigram keys a query run of two or more characters must all have."""
    codes = [ord(ch) for ch in run]
    return {a * _SPAN + b for a, b in zip(codes, codes[1:])}


def char_key_range(ch: str) -> tuple[int, int]:
    """Inclusive key range of every key whose first character is ``ch``."""
    low = ord(ch) * _SPAN
    return low, low + _SPAN - 1


def search_text(*fields: str) -> str:
    """One normalised string holding every run of ``fields``, space separated."""
    return " ".join(run for field in fields for run in runs(field))
