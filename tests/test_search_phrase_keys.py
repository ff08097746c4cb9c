"""The search index's phrase keys: trigrams of Chinese runs, which a long
query is read by, and syllable pair keys of pinyin, which count a
two-syllable query's many matches; and the 0015 migration that adds them."""
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from app.libs import search_text as st
from app.models import book_search
from app.models.base import db
from app.models.book import book_gram
from app.models.book_search import search_books
from tests.helpers import add_books, isbn13
from tests.test_search_forms import migrating_app  # noqa: F401  (a fixture)


def titles(query, page=1, per_page=50):
    return [book.title for book in search_books(query, page, per_page)[1]]


def total(query):
    return search_books(query, 1, 15)[0]


def books(*rows) -> list[dict]:
    """Records numbered from 978000003001: (title, author) or (title, author, publisher)."""
    return [{"isbn": isbn13(f"978000003{n:03d}"), "title": row[0], "author": [row[1]],
             **({"publisher": row[2]} if len(row) > 2 else {})} for n, row in enumerate(rows, start=1)]


def test_long_query_is_read_by_its_rarest_trigram(app):
    """A five-character query is looked up by the trigram the fewest books
    hold, and lists exactly the books holding the whole phrase, in either
    script and in any field, best first."""
    add_books(books(("时间的河流", "某甲"), ("時間的河流简史", "某乙"), ("长河", "时间的河流"),
                    ("海边", "某丙", "时间的河流出版社"),
                    ("时间的故事 大河的河流", "某丁"),  # 时间的 and 的河流, not side by side
                    *[(f"时间的书{n}", "某戊") for n in range(6)]))
    key, size = book_search._smallest_key(book_search._words("时间的河流"))
    assert st.is_trigram(key) and size == 4  # 间的河: the four matches; 时间的 has eleven books
    assert titles("时间的河流") == ["时间的河流", "時間的河流简史", "长河", "海边"]
    assert total("时间的河流") == 4


def test_rarest_key_found_when_every_key_passes_the_cap(app, monkeypatch):
    """When every key of the query has more than COUNT_CAP books, they are
    counted further, and the rarest is still the one read."""
    monkeypatch.setattr(book_search, "COUNT_CAP", 1)
    add_books(books(*[(f"时间的河流{n}", "某人") for n in range(4)], ("时间的书", "某人"), ("时间的海", "某人")))
    key, size = book_search._smallest_key(book_search._words("时间的河流"))
    assert size == 4 and key in {st.first_key("间的河", ""), st.first_key("的河流", "")}  # 时间的 has six
    assert total("时间的河流") == 2 and len(titles("时间的河流")) == 4


def test_trigram_key_alone_is_a_match_and_is_capped(app, monkeypatch):
    """A three-character query's one trigram key is the whole query: past
    COUNT_CAP books the total is COUNT_CAP + 1, and the pages still list
    every match once, shorter titles first."""
    monkeypatch.setattr(book_search, "COUNT_CAP", 3)
    add_books(books(*[("河流书" + "续" * n, "某人") for n in range(6)], ("河流 书", "某人")))
    assert total("河流书") == 4
    seen = [title for page in range(1, 5) for title in titles("河流书", page, per_page=2)]
    assert seen == ["河流书" + "续" * n for n in range(6)]


def test_two_syllable_pinyin_counts_by_its_pair_key_and_pages_stay_correct(app, monkeypatch):
    """With more than COUNT_CAP books holding the query's two syllables side
    by side, the total is COUNT_CAP + 1, and the pages list the same books
    in the same order as an uncapped search."""
    add_books(books(*[(f"中国{word}", "某人") for word in ("的河流", "简史", "故事", "的记忆", "人")],
                    ("钟声", "郭某"), ("城市", "中国人")))
    uncapped = titles("zhongguo")
    assert len(uncapped) == 6 and uncapped[0] == "中国人"
    monkeypatch.setattr(book_search, "COUNT_CAP", 2)
    assert book_search._surely_many(book_search._words("zhongguo"))
    assert total("zhongguo") == 3
    assert [title for page in range(1, 5) for title in titles("zhongguo", page, per_page=2)] == uncapped


def test_matches_without_the_pair_key_are_counted(app, monkeypatch):
    """A query that falls across the syllables as a book's pinyin is cut
    ("hongguo" in 中国, zhong-guo) matches without that book holding its
    pair key, so too few pair-key books send the count to the exact read."""
    monkeypatch.setattr(book_search, "COUNT_CAP", 1)
    add_books(books(("红果", "某人"), ("中国", "某人")))
    assert total("hongguo") == 2
    assert sorted(titles("hongguo")) == ["中国", "红果"]


def test_pair_keys_of_pinyin_words():
    """Every two syllables in a row of a pinyin word have a key; the key of a
    two-syllable query is among the keys of a word holding it, and a longer
    or shorter query, or a word not all syllables, has none."""
    keys = st.syllable_pair_keys("zhongguoren zgr")
    assert len(keys) == 2 and st.pair_query_key("zhongguo") in keys and st.pair_query_key("guoren") in keys
    assert st.pair_query_key("zhongguoren") is None and st.pair_query_key("zhong") is None
    assert st.syllable_pair_keys("python zgr") == set()
    assert all(st.is_pair(key) and not st.is_six(key) and key < min(st.pinyin_keys("zhong")) for key in keys)


def test_six_letter_keys_cover_a_long_pinyin_query():
    """A word of six or more letters has a key for every six letters in a
    row, below the pair keys; a query of six or more letters looks up six-letter
    keys covering it, starting with its first six, which starts a word."""
    word = st.pinyin_keys("zhongguoren")
    keys, need = st.pinyin_query_keys("zhongguo")
    assert need == 2 and keys <= word and all(st.is_six(key) and key < st.SIX_BASE for key in keys)
    assert st.first_key("zhongguo", "zhongguo") in keys & st.pinyin_start_keys("zhongguoren zgr")
    assert not any(map(st.is_six, st.pinyin_keys("zhong zgr")))
    assert st.pinyin_query_keys("ongguo")[0] <= word and not st.pinyin_query_keys("ongguo")[0] & st.pinyin_start_keys("zhongguoren")


def test_six_letter_query_is_capped_on_its_one_key(app, monkeypatch):
    """A six-letter query's one key is the whole query: its total stops at
    COUNT_CAP + 1 and its pages list the matches best first (title start,
    title, author), a book with the six letters across two fields left out."""
    monkeypatch.setattr(book_search, "COUNT_CAP", 2)
    add_books(books(("世界", "某人"), ("世界的河流", "某人"), ("新世界", "某人"), ("城市", "石姐"), ("诗", "杰")))
    assert total("shijie") == 3
    assert [title for page in range(1, 4) for title in titles("shijie", page, per_page=2)] == [
        "世界", "世界的河流", "新世界", "城市"]


def test_trigram_keys_only_of_runs_with_chinese():
    """Runs of three or more characters with a hanzi among them have trigram
    keys, above every bigram key; Latin words and digits have none."""
    keys = st.trigram_keys(["三体ii", "python", "9787536692930", "三体"])
    assert keys == {st.first_key("三体i", ""), st.first_key("体ii", "")}
    assert all(st.is_trigram(key) and key > max(st.run_keys(["三体ii"])) for key in keys)


def _new_kind(conn) -> set[tuple[int, int, int]]:
    return {tuple(row) for row in conn.execute(select(book_gram).where(sa.or_(
        book_gram.c.gram >= st.TRIGRAM_BASE, book_gram.c.gram <= st.PAIR_BASE)))}


def test_migration_adds_the_phrase_keys_of_stored_books(migrating_app):  # noqa: F811
    """Books indexed before 0015 get their trigram and pair keys, ranked as
    new books' are, and are found by a long query; the downgrade removes
    those keys and no other."""
    upgrade(revision="0014")
    add_books(books(("时间的河流", "中国人"), ("中国的记忆", "某人")))
    with db.engine.begin() as conn:
        expected = _new_kind(conn)
        conn.execute(book_gram.delete().where(sa.or_(book_gram.c.gram >= st.TRIGRAM_BASE,
                                                     book_gram.c.gram <= st.PAIR_BASE)))
        older = {tuple(row) for row in conn.execute(select(book_gram))}
    assert {st.is_trigram(gram) for _book, gram, _rank in expected} == {True, False}  # both kinds
    upgrade()
    with db.engine.connect() as conn:
        assert _new_kind(conn) == expected
    assert titles("时间的河流") == ["时间的河流"] and titles("zhongguo") == ["中国的记忆", "时间的河流"]
    db.session.remove()
    downgrade(revision="0014")
    with db.engine.connect() as conn:
        assert {tuple(row) for row in conn.execute(select(book_gram))} == older
    downgrade(revision="base")
