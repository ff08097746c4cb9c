"""Measuring and wrapping cover text without font metrics (app/libs/cover_text.py)."""
import pytest

from app.libs.cover_text import ELLIPSIS, clean, clusters, fits, text_width, truncate, wrap


def test_cjk_is_one_em_and_latin_narrower():
    """CJK and full-width characters are 1 em; Latin letters about half that."""
    assert text_width("霍乱时期的爱情") == 7.0
    assert text_width("ＡＢ") == 2.0
    assert 0.5 <= text_width("a") <= 0.6
    assert text_width("") == 0


def test_narrow_and_wide_latin_letters():
    """i, l and punctuation are narrower than a plain letter; M, W and capitals wider."""
    assert text_width("i") < text_width("n") < text_width("N") < text_width("M")
    assert text_width(".") < text_width("a") and text_width("W") > text_width("A")
    assert text_width("iiii") < text_width("MMMM") / 2


def test_combining_marks_and_emoji_sequences():
    """A combining mark adds no width; an emoji sequence is one cluster counted by its pieces."""
    assert clusters("e\u0301") == ["e\u0301"] and text_width("e\u0301") == text_width("e")
    family = "👨\u200d👩\u200d👧"
    assert clusters(family + "🇨🇳") == [family, "🇨🇳"]
    assert text_width(family) == 3.0 and text_width("🐟") == 1.0


def test_clean_drops_what_xml_forbids_and_squeezes_spaces():
    """Lone surrogates and control characters go; whitespace runs become one space."""
    assert clean("  a\x00b\ud800c\x1b \t\n d\uffff  ") == "abc d"
    assert clean(None) == "" and clean(" \t\n ") == ""
    "".join(wrap("x\udc00y " * 5, 3, 4)).encode("utf-8")  # encodable: no surrogate survives


def test_the_great_gatsby_breaks_at_spaces():
    """An English title breaks at spaces, every word whole."""
    assert wrap("The Great Gatsby", 6, 4) == ["The Great", "Gatsby"]
    assert wrap("The Great Gatsby", 20, 4) == ["The Great Gatsby"]
    assert wrap("The Great Gatsby", 4, 4) == ["The", "Great", "Gatsby"]


def test_harry_potter_keeps_words_whole_and_fits_the_width():
    """A long English title keeps every word whole and each line within the width."""
    title = "Harry Potter and the Philosopher's Stone"
    lines = wrap(title, 8, 5)
    assert " ".join(lines) == title
    assert all(text_width(line) <= 8 for line in lines)
    assert set(" ".join(lines).split()) == set(title.split())


def test_too_many_lines_end_with_an_ellipsis_after_the_last_that_fits():
    """Text left over after the last line ends that line with "…", words still whole."""
    lines = wrap("Harry Potter and the Philosopher's Stone", 8, 2)
    assert lines == ["Harry Potter and", "the" + ELLIPSIS]
    assert all(text_width(line) <= 8 for line in lines)


def test_one_very_long_word_is_cut_with_an_ellipsis():
    """A word wider than a line is cut (nothing else can be done) and ends with "…"."""
    lines = wrap("Pneumonoultramicroscopicsilicovolcanoconiosis explained", 6, 4)
    assert len(lines) == 1 and lines[0].endswith(ELLIPSIS) and lines[0].startswith("Pneumono")
    assert text_width(lines[0]) <= 6


def test_a_long_word_after_others_goes_to_its_own_line():
    """Earlier words keep their line; the over-long word follows, cut."""
    lines = wrap("A Supercalifragilisticexpialidocious", 6, 4)
    assert lines[0] == "A" and lines[1].startswith("Super") and lines[1].endswith(ELLIPSIS)


def test_cjk_breaks_between_characters():
    """A Chinese title breaks between any two characters."""
    assert wrap("中华人民共和国民法典", 4, 4) == ["中华人民", "共和国民", "法典"]
    assert wrap("中华人民共和国民法典", 4, 2) == ["中华人民", "共和国" + ELLIPSIS]


def test_mixed_titles_keep_latin_words_whole():
    """In "Python编程：从入门到实践" the word Python is never split; CJK punctuation stays with its character."""
    for width in (3.5, 4, 5, 6, 7):
        lines = wrap("Python编程：从入门到实践", width, 6)
        assert "Python" in lines[0], (width, lines)
        assert not any(line.startswith("：") for line in lines)
        assert all(text_width(line) <= width for line in lines)
        assert "".join(lines) == "Python编程：从入门到实践"


def test_opening_brackets_stay_with_what_follows():
    """No line ends with an opening bracket like "（"."""
    for width in range(2, 9):
        for line in wrap("合同编（上下册）《民法典》", width, 9):
            assert not line.endswith(("（", "《")), (width, line)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_and_blank_text_give_no_lines(text):
    """Nothing to draw gives no lines, and truncating it gives an empty string."""
    assert wrap(text, 5, 3) == [] and truncate(text, 5) == ""


def test_no_room_gives_no_lines():
    """Zero lines or zero width give nothing rather than an error."""
    assert wrap("abc", 5, 0) == [] and wrap("abc", 0, 3) == []


def test_emoji_titles_wrap_without_splitting_sequences():
    """Emoji sequences are never split across lines and their width is respected."""
    family = "👨\u200d👩\u200d👧"
    lines = wrap(f"{family}{family}{family} 🇨🇳🇨🇳", 3, 6)
    assert family in lines[0] and "".join(lines).count("\u200d") == 6
    assert all(text_width(line) <= 3 for line in lines)


def test_more_forces_an_ellipsis():
    """Text shortened before wrapping ends with "…" even though it fits."""
    assert wrap("The Great", 10, 2, more=True) == ["The Great" + ELLIPSIS]


def test_truncate_very_long_author_lists():
    """A long author list becomes one line of whole names, then "…"."""
    authors = "、".join(["加西亚·马尔克斯"] + [f"编写组{n}" for n in "甲乙丙丁戊己庚辛"])
    line = truncate(authors, 9)
    assert line == "加西亚·马尔克斯" + ELLIPSIS and text_width(line) <= 9  # the "、" gives way
    english = ", ".join(["Alexander Maximilian Oppenheimer"] * 10)
    line = truncate(english, 11.5)
    assert line == "Alexander Maximilian" + ELLIPSIS and text_width(line) <= 11.5
    assert truncate("Eric Matthes", 10) == "Eric Matthes"


def test_fits_tells_whole_from_cut():
    """fits is true only when nothing is left out and no word is cut."""
    assert fits("The Great Gatsby", 6, 2)
    assert not fits("The Great Gatsby", 6, 1)
    assert not fits("Supercalifragilistic", 4, 3)
    assert fits("等一下…", 5, 1)  # an ellipsis of the title's own is not a cut
