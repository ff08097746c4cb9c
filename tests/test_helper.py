"""ISBN detection and normalisation, and safe redirect targets."""
import pytest

from app.libs.helper import is_safe_next, normalize_isbn


@pytest.mark.parametrize("text, expected", [
    ("9787536692930", "9787536692930"),
    ("978-7-5366-9293-0", "9787536692930"),
    (" 978 7 5366 9293 0 ", "9787536692930"),
    ("7536692935", "9787536692930"),
    ("0-306-40615-2", "9780306406157"),
    ("080442957X", "9780804429573"),
    ("080442957x", "9780804429573"),
])
def test_valid_isbns_normalise_to_13(text, expected):
    """ISBN-10/13 with hyphens, spaces or an x check digit become ISBN-13."""
    assert normalize_isbn(text) == expected


@pytest.mark.parametrize("text", [
    "9787536692931", "7536692936", "三体", "978753669293", "97875366929300", "", "isbn",
    "9" * 40, "978-7-5366-9293-0'; DROP TABLE book;--",
])
def test_invalid_isbns_are_keywords(text):
    """Bad checksums, wrong lengths and plain words are keyword searches."""
    assert normalize_isbn(text) is None


@pytest.mark.parametrize("target", ["/", "/my/gifts", "/book/search?q=%E4%B8%89"])
def test_relative_paths_are_safe(target):
    """Same-site relative paths are accepted as redirect targets."""
    assert is_safe_next(target)


@pytest.mark.parametrize("target", [
    None, "", "//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)",
    "http:/evil.example", "evil.example", "/\tevil", "\\\\evil.example",
])
def test_hostile_targets_are_refused(target):
    """Protocol-relative, absolute, backslash and javascript targets are refused."""
    assert not is_safe_next(target)
