"""The drawn cover's colours and layout (app/libs/cover_design.py)."""
import pytest

from app.libs import cover_design as d
from app.libs.cover_text import ELLIPSIS, text_width


@pytest.mark.parametrize("background, foreground", d.PALETTE)
def test_every_palette_pair_has_wcag_aa_contrast(background, foreground):
    """Each background/foreground pair reaches the WCAG AA ratio 4.5 : 1 for text."""
    assert d.contrast_ratio(background, foreground) >= 4.5


def test_contrast_ratio_follows_wcag():
    """Black on white is 21, a colour with itself 1, and the order does not matter."""
    assert d.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert d.contrast_ratio("#33658a", "#33658a") == pytest.approx(1)
    assert d.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert d.contrast_ratio("#ffffff", "#1d3557") == d.contrast_ratio("#1d3557", "#ffffff")


def test_colours_are_stable_per_isbn_and_varied():
    """The same ISBN always gets the same pair; a shelf of books gets many pairs."""
    assert d.colours_for("9787536692930") == d.colours_for("9787536692930")
    seen = {d.colours_for(f"978711100{n:04d}") for n in range(60)}
    assert len(seen) >= len(d.PALETTE) - 2


@pytest.mark.parametrize("title", ["三体", "The Great Gatsby", "Harry Potter and the Philosopher's Stone",
                                   "Python编程：从入门到实践", "中华人民共和国民法典释义及适用指南：合同编（上下册）" * 3,
                                   "W" * 60, "Pneumonoultramicroscopicsilicovolcanoconiosis"])
def test_title_lines_stay_inside_the_text_area(title):
    """Every title line, at its bold size, is estimated within the text area and the title block."""
    cover = d.layout("9787536692930", title, "Eric Matthes")
    assert cover.title and cover.title_size in d.TITLE_SIZES
    for line in cover.title:
        assert text_width(line.text) * cover.title_size * d.BOLD <= d.TEXT_WIDTH
    assert cover.title[0].y - cover.title_size >= d.TITLE_TOP - 1
    assert cover.title[-1].y <= d.TITLE_BOTTOM
    assert cover.author.y > d.RULE_Y > cover.title[-1].y


def test_short_titles_are_drawn_larger_than_long_ones():
    """A short title gets the largest size; a long one a smaller size, cut with "…" when even that is too small."""
    assert d.layout("1", "三体", "").title_size == d.TITLE_SIZES[0]
    long = d.layout("1", "很长的书名" * 20, "")
    assert long.title_size == d.TITLE_SIZES[-1] and long.title[-1].text.endswith(ELLIPSIS)


def test_title_cut_before_drawing_ends_with_an_ellipsis():
    """When the view shortened the title, the cover says so with "…"."""
    assert d.layout("1", "三体", "", title_cut=True).title[-1].text == "三体" + ELLIPSIS


def test_no_title_shows_the_isbn_and_no_author_no_line():
    """Without a title the ISBN is drawn; without authors there is no author text."""
    cover = d.layout("9787536692930", "  ", "")
    assert [line.text for line in cover.title] == ["9787536692930"] and cover.author is None


def test_long_author_lists_fit_one_line():
    """Authors are one line at the smaller size, ending with "…" when cut."""
    cover = d.layout("1", "书", "、".join(["Alexander Maximilian Oppenheimer"] * 8))
    assert cover.author.text.endswith(ELLIPSIS)
    assert text_width(cover.author.text) * d.AUTHOR_SIZE <= d.TEXT_WIDTH
    assert d.AUTHOR_SIZE < min(d.TITLE_SIZES)
