"""Local keyword search: the bigram index, ranking, soft delete, pagination."""
import re

import pytest
from sqlalchemy import select

from app.models.base import db
from app.models.book import Book
from app.models import book_search
from app.models.book_search import search_books
from tests.helpers import HUOZHE, SANTI, SANTI2, add_books, isbn13, numbered_books

PER_PAGE = 15


def titles(query, page=1, per_page=PER_PAGE):
    """Titles of one page of ``search_books``, in order."""
    _total, found = search_books(query, page, per_page)
    return [book.title for book in found]


def total(query):
    return search_books(query, 1, PER_PAGE)[0]


@pytest.mark.parametrize("query, expected", [
    ("三体", ["三体", "三体Ⅱ"]),
    ("刘慈欣", ["三体", "三体Ⅱ"]),
    ("慈欣", ["三体", "三体Ⅱ"]),
    ("活", ["活着"]),
    ("孤独", ["百年孤独"]),
])
def test_chinese_substrings(books, query, expected):
    """Whole words, inner substrings and a single character all match."""
    assert titles(query) == expected
    assert total(query) == len(expected)


def test_single_character_matches_every_position(books):
    """A lone character is found at the start, middle and end of a run."""
    assert titles("红") == ["红楼梦"]
    assert titles("楼") == ["红楼梦"]
    assert titles("梦") == ["红楼梦"]
    assert titles("鹗") == ["红楼梦"]  # last character of the second author


@pytest.mark.parametrize("query, expected", [
    ("余华", ["活着"]),                    # author
    ("高鹗", ["红楼梦"]),                  # second author
    ("作家出版社", ["活着"]),              # publisher
    ("南海", ["百年孤独"]),                # publisher fragment
    ("范晔", ["百年孤独"]),                # translator
    ("袁国忠", ["Python编程"]),            # translator
    ("黑暗森林", ["三体Ⅱ"]),              # subtitle
    (HUOZHE, ["活着"]),                    # full ISBN
    ("753669293", ["三体"]),               # ISBN fragment
    ("97875366", ["三体", "三体Ⅱ"]),       # fragment shared by two ISBNs
])
def test_fields_searched(books, query, expected):
    """Author, translator, publisher, subtitle and ISBN fragments are searched."""
    assert titles(query) == expected


@pytest.mark.parametrize("query", ["PYTHON", "python", "PyThOn", "ＰＹＴＨＯＮ", "MATTHES"])
def test_latin_is_case_and_width_insensitive(books, query):
    """Latin text matches whatever its case (and full-width forms)."""
    assert titles(query) == ["Python编程"]


def test_multi_word_query_needs_every_word(books):
    """Every word of a multi-word query must match (AND, not OR)."""
    assert titles("刘慈欣 黑暗") == ["三体Ⅱ"]
    assert titles("黑暗 刘慈欣") == ["三体Ⅱ"]
    assert titles("刘慈欣 余华") == []
    assert titles("三体 重庆") == ["三体", "三体Ⅱ"]


def test_mixed_single_and_multi_character_words(books):
    """A one-character word next to a longer one still has to match."""
    assert titles("余华 活") == ["活着"]
    assert titles("三 暗") == ["三体Ⅱ"]
    assert titles("红楼梦 余") == []


def test_punctuation_only_query_finds_nothing(books):
    """A query with no letters or digits returns nothing, not everything."""
    assert search_books("  ·—！ ", 1, PER_PAGE) == (0, [])


def test_no_match(books):
    """A word in no book gives total 0 and no books."""
    assert search_books("不存在的书名", 1, PER_PAGE) == (0, [])


def test_title_matches_ranked_first(app):
    """Books matching in the title come before author/publisher-only matches,
    even when they are newer and their title is longer."""
    add_books([
        {"isbn": isbn13("978000000001"), "title": "球状闪电", "author": ["刘慈欣"]},
        {"isbn": isbn13("978000000002"), "title": "流浪地球", "publisher": "刘慈欣工作室"},
        {"isbn": isbn13("978000000003"), "title": "我读刘慈欣的一些长篇笔记", "author": ["某人"]},
    ])
    assert titles("刘慈欣") == ["我读刘慈欣的一些长篇笔记", "球状闪电", "流浪地球"]


def test_shorter_title_first_among_title_matches(books):
    """Among title matches the shorter (closer) title comes first."""
    add_books([{"isbn": isbn13("978000000011"), "title": "三体全集 典藏版"}])
    assert titles("三体") == ["三体", "三体Ⅱ", "三体全集 典藏版"]


def test_bigrams_present_but_not_contiguous_do_not_match(app):
    """Every bigram of the query existing in a book is not enough: the query
    must appear as one contiguous run."""
    add_books([
        {"isbn": isbn13("978000000021"), "title": "体三三体"},       # has 三体 and 体三
        {"isbn": isbn13("978000000022"), "title": "三体", "author": ["体三"]},
        {"isbn": isbn13("978000000023"), "title": "三体三部曲"},
    ])
    assert titles("三体三") == ["三体三部曲"]


def test_words_do_not_match_across_field_boundaries(app):
    """The end of the title and the start of the author do not join up."""
    add_books([{"isbn": isbn13("978000000031"), "title": "长安", "author": ["十二时辰"]}])
    assert titles("安十") == []
    assert titles("长安") == ["长安"]


def test_soft_deleted_books_excluded_from_results_and_totals(books):
    """A soft-deleted book is neither listed nor counted."""
    assert total("刘慈欣") == 2
    book = db.session.scalar(select(Book).where(Book.isbn == SANTI))
    with db.auto_commit():
        book.delete()
    assert search_books("刘慈欣", 1, PER_PAGE)[0] == 1
    assert titles("刘慈欣") == ["三体Ⅱ"]
    assert search_books("753669293", 1, PER_PAGE) == (0, [])
    assert titles("三") == ["三体Ⅱ"]


def test_updated_title_reindexed(books):
    """After an upsert changes a title, the old words no longer find it."""
    add_books([{"isbn": HUOZHE, "title": "许三观卖血记", "author": ["余华"]}])
    assert titles("许三观") == ["许三观卖血记"]
    assert titles("活着") == []
    assert titles("余华") == ["许三观卖血记"]


@pytest.fixture
def many(app):
    """31 books titled 测试书 01 … 测试书 31."""
    add_books(numbered_books(31))


@pytest.mark.parametrize("page, count", [(1, 15), (2, 15), (3, 1), (4, 0), (99, 0)])
def test_pagination_edges(many, page, count):
    """31 matches split into pages of 15, 15 and 1; later pages are empty
    but still report the total."""
    found_total, found = search_books("测试书", page, PER_PAGE)
    assert found_total == 31
    assert len(found) == count


def test_pages_cover_every_book_once_in_order(many):
    """Walking pages 1-3 lists each book exactly once, in a stable order."""
    seen = titles("测试书", 1) + titles("测试书", 2) + titles("测试书", 3)
    assert seen == [f"测试书 {n:02d}" for n in range(1, 32)]


def test_search_page_lists_fifteen_per_page(many, client):
    """/book/search shows 15 books on a full page and the rest on the last."""
    first = client.get("/book/search", query_string={"q": "测试书"})
    assert first.status_code == 200
    page_text = first.get_data(as_text=True)
    assert "共 31 本" in page_text
    assert page_text.count('class="book-card') == 15
    assert "测试书 15" in page_text and "测试书 16" not in page_text
    last = client.get("/book/search", query_string={"q": "测试书", "page": 3}).get_data(as_text=True)
    assert last.count('class="book-card') == 1
    assert "测试书 31" in last


def test_search_page_beyond_last_is_empty(many, client):
    """A page past the last one says so (not "nothing found") and links to page 1, not an error."""
    resp = client.get("/book/search", query_string={"q": "测试书", "page": 4})
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert 'class="book-card' not in text
    assert "没有找到相关的书" not in text
    assert "第 4 页已经超出了搜索结果：共 31 本，只有 3 页。" in text
    assert re.search(r'<a [^>]*href="/book/search\?q=[^"&]+"[^>]*>回到第 1 页</a>', text)


def test_search_page_multi_word_and_deleted(books, client):
    """The web search uses the same rules: AND of words, deleted hidden."""
    text = client.get("/book/search", query_string={"q": "刘慈欣 黑暗"}).get_data(as_text=True)
    assert "共 1 本" in text and "三体Ⅱ" in text
    book = db.session.scalar(select(Book).where(Book.isbn == SANTI2))
    with db.auto_commit():
        book.delete()
    text = client.get("/book/search", query_string={"q": "刘慈欣"}).get_data(as_text=True)
    assert "共 1 本" in text
    assert "/book/9787536693968/detail" not in text
    assert "/book/9787536692930/detail" in text


def test_search_books_per_page_argument(many):
    """search_books honours the per_page it is given."""
    assert len(titles("测试书", 1, per_page=10)) == 10
    assert titles("测试书", 4, per_page=10) == ["测试书 31"]



def test_count_stops_at_the_cap_and_pages_stay_in_order(many, monkeypatch):
    """Past COUNT_CAP matches the total is COUNT_CAP + 1, and walking the
    pages still lists every book once, in the uncapped order."""
    monkeypatch.setattr(book_search, "COUNT_CAP", 10)
    assert total("测试书") == 11
    seen = [title for page in range(1, 8) for title in titles("测试书", page, per_page=5)]
    assert seen == [f"测试书 {n:02d}" for n in range(1, 32)]


def test_capped_count_shown_with_a_plus(many, client, monkeypatch):
    """The search page shows a capped total as "10+", and pages by it."""
    monkeypatch.setattr(book_search, "COUNT_CAP", 10)
    text = client.get("/book/search", query_string={"q": "测试书"}).get_data(as_text=True)
    assert "共 10+ 本" in text
    assert text.count('class="book-card') == PER_PAGE


def test_capped_ranking_reads_past_a_key_in_the_title(app, monkeypatch):
    """A book whose title holds the query's first word but not the second
    ranks after one whose title holds both, though its title is shorter:
    the read in index order goes on until no unread book can come first."""
    monkeypatch.setattr(book_search, "COUNT_CAP", 1)
    add_books([{"isbn": isbn13("978000002001"), "title": "时间简史", "author": ["河流"]},
               {"isbn": isbn13("978000002002"), "title": "时间与河流之书", "author": ["某人"]}])
    assert titles("时间 河流") == ["时间与河流之书", "时间简史"]
