"""Forgiving keyword search: traditional and simplified, pinyin syllables and
initials, the ranking of matches, book_match for callers, and the 0008
migration that fills the forms of books stored before it."""
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from app import create_app
from app.libs import search_text as st
from app.models.base import db
from app.models.book import Book, book_gram
from app.models.book_search import book_match, search_books
from app.spider.chain import _unmatched
from tests.db_servers import need_mysql, scratch_database_name
from tests.helpers import HONGLOU, HUOZHE, SANTI, add_books, isbn13


def titles(query):
    return [book.title for book in search_books(query, 1, 50)[1]]


def one(body: str, title: str, **fields) -> dict:
    return {"isbn": isbn13(body), "title": title, **fields}


@pytest.mark.parametrize("stored, query", [
    ("三体", "三體"), ("三體", "三体"), ("三體", "三體"), ("三體", "santi"), ("三體", "st")])
def test_traditional_and_simplified_titles_find_each_other(app, stored, query):
    """A title in either script is found by the other script and by its pinyin."""
    add_books([one("978000001001", stored, author=["某人"]), one("978000001002", "活着")])
    assert titles(query) == [stored]


@pytest.mark.parametrize("stored, query", [("劉慈欣", "刘慈欣"), ("刘慈欣", "劉慈欣"), ("劉慈欣", "liucixin")])
def test_traditional_and_simplified_authors_find_each_other(app, stored, query):
    """An author in either script is found by the other script and by pinyin."""
    add_books([one("978000001011", "球状闪电", author=[stored]), one("978000001012", "活着", author=["余华"])])
    assert titles(query) == ["球状闪电"]


@pytest.mark.parametrize("query", ["santi", "san ti", "SanTi", "ｓａｎｔｉ", "st", "ST", "san体", "santi 刘慈欣",
                                   "liucixin 三体", "三体 lcx"])
def test_pinyin_and_mixed_queries_find_a_title(books, query):
    """Whole syllables (joined, spaced, any case or width), initials, and pinyin
    mixed with hanzi in one word or in separate words find 三体 and 三体Ⅱ."""
    assert titles(query) == ["三体", "三体Ⅱ"]


@pytest.mark.parametrize("query", ["yu hua", "yuhua", "yh", "YH", "yu 华"])
def test_pinyin_finds_an_author(books, query):
    """An author is found by syllables, spaced or not, and by initials."""
    assert titles(query) == ["活着"]


@pytest.mark.parametrize("query", ["st", "lcx", "santi"])
def test_pinyin_query_misses_books_without_it(books, query):
    """Books whose title and authors lack the syllables or initials are not found."""
    found = titles(query)
    assert "活着" not in found and "红楼梦" not in found and "百年孤独" not in found
    assert found  # the query does find the book that has them


def test_pinyin_does_not_join_fields_or_a_word_of_hanzi(app):
    """Initials do not run across the title and an author, and a word written in
    hanzi is not matched by its sound (散体 is not 三体)."""
    add_books([one("978000001021", "散体", author=["某人"]), one("978000001022", "长安", author=["十二"])])
    assert titles("三体") == []
    assert titles("santi") == ["散体"]
    assert titles("ca") == ["长安"]
    assert titles("cas") == []      # the title's initials "ca" do not run into the author's "se"
    assert titles("anshi") == []    # nor its syllables into the author's "shier"
    assert titles("ca se") == ["长安"]


def test_pinyin_keys_present_but_apart_do_not_match(app):
    """The index is asked for the trigrams at syllable starts only ("zho", "guo"):
    a book with both, apart, is still not a match for the whole word."""
    add_books([one("978000001091", "中文郭", author=["某人"]), one("978000001092", "中国", author=["某人"])])
    assert titles("zhongguo") == ["中国"]
    assert titles("zhongwenguo") == ["中文郭"]
    assert titles("wenguo") == ["中文郭"]


def test_single_latin_letter_does_not_match_every_chinese_book(books):
    """A lone letter is searched as text only, not as the initial of every book."""
    assert titles("s") == ["Python编程"]   # the "s" of Matthes
    assert titles("y") == ["Python编程"]


def test_latin_query_matches_english_text_and_pinyin(app):
    """A Latin query finds English titles and Chinese ones by pinyin alike."""
    add_books([one("978000001031", "Hong Kong Stories", author=["Ann Lee"]),
               one("978000001032", "红楼梦", author=["曹雪芹"]),
               one("978000001033", "活着", author=["余华"])])
    assert sorted(titles("hong")) == ["Hong Kong Stories", "红楼梦"]
    assert titles("python") == []
    assert titles("kong stories") == ["Hong Kong Stories"]


def test_latin_words_anywhere_are_found(app):
    """Latin words inside Chinese text, in a subtitle or publisher, with accents,
    or mixed with hanzi in the query, are all still found."""
    add_books([one("978000001111", "编程", subtitle="Python入门", publisher="O'Reilly媒体"),
               one("978000001112", "Café 咖啡", author=["Zoë"]),
               one("978000001113", "活着")])
    assert titles("python") == ["编程"]
    assert titles("reilly") == ["编程"]
    assert titles("python入门") == ["编程"]
    assert titles("café") == ["Café 咖啡"]
    assert titles("zoë") == ["Café 咖啡"]
    assert titles("kafei") == ["Café 咖啡"]


def test_isbn_and_publisher_still_match(books):
    """ISBN fragments and publishers match as before."""
    assert titles("753669293") == ["三体"]
    assert titles("作家出版社") == ["活着"]


def test_china_ranks_title_above_subtitle(app):
    """For 中国, 乡土中国 (in the title) ranks above 腾讯传 (only in its subtitle),
    although 腾讯传 is shorter and older."""
    add_books([one("978000001041", "腾讯传", subtitle="1998-2016 中国互联网公司进化论", author=["吴晓波"]),
               one("978000001042", "乡土中国", author=["费孝通"])])
    assert titles("中国") == ["乡土中国", "腾讯传"]


def test_ranking_tiers(app):
    """Exact title, title starting with the query, title containing it, author,
    then the rest (publisher), whatever order the books were stored in."""
    add_books([one("978000001051", "流浪地球", publisher="三体出版社"),
               one("978000001052", "球状闪电", author=["三体迷"]),
               one("978000001053", "读三体", author=["某人"]),
               one("978000001054", "三体全集", author=["某人"]),
               one("978000001055", "三体", author=["某人"])])
    expected = ["三体", "三体全集", "读三体", "球状闪电", "流浪地球"]
    assert titles("三体") == expected
    assert titles("三體") == expected


def test_ranking_tiers_by_pinyin(app):
    """Pinyin queries rank the same way: equal, starting, containing, author."""
    add_books([one("978000001061", "球状闪电", author=["三体迷"]),
               one("978000001062", "读三体", author=["某人"]),
               one("978000001063", "三体全集", author=["某人"]),
               one("978000001064", "三体", author=["某人"])])
    assert titles("santi") == ["三体", "三体全集", "读三体", "球状闪电"]
    assert titles("st") == ["三体", "三体全集", "读三体", "球状闪电"]


def test_ties_go_to_shorter_title_then_older_book(app):
    """Within a tier the shorter title comes first, then the older book."""
    add_books([one("978000001071", "三体全集典藏版"), one("978000001072", "三体之乙"),
               one("978000001073", "三体之甲"), one("978000001074", "三体集")])
    assert titles("三体") == ["三体集", "三体之乙", "三体之甲", "三体全集典藏版"]


def test_upsert_reindexes_pinyin(books):
    """After an upsert changes a title, its new pinyin finds it and its old does not."""
    add_books([{"isbn": HUOZHE, "title": "许三观卖血记", "author": ["余华"]}])
    assert titles("xusanguan") == ["许三观卖血记"]
    assert titles("xsg") == ["许三观卖血记"]
    assert titles("huozhe") == []
    assert titles("hz") == []
    assert titles("yuhua") == ["许三观卖血记"]


def test_book_match_is_a_where_condition(books):
    """book_match composes with other conditions; an empty query matches nothing."""
    isbns = set(db.session.scalars(select(Book.isbn).where(book_match("st"))))
    assert len(isbns) == 2 and SANTI in isbns
    assert db.session.scalars(select(Book.isbn).where(book_match("santi"), Book.isbn == SANTI)).all() == [SANTI]
    assert db.session.scalar(select(func.count()).select_from(Book).where(book_match("!! ·"))) == 0
    assert db.session.scalars(select(Book.isbn).where(book_match("hlm"))).all() == [HONGLOU]


def test_chain_leaves_out_remote_books_matched_locally_by_pinyin(books):
    """The chain drops a remote answer the local search finds by pinyin, and
    keeps one it does not find."""
    remote = [{"isbn": SANTI, "title": "三体"}, {"isbn": HUOZHE, "title": "活着"},
              {"isbn": isbn13("978000001081"), "title": "三体前传"}]
    assert [b["isbn"] for b in _unmatched("santi", remote, set())] == [HUOZHE, isbn13("978000001081")]


@pytest.fixture(params=["sqlite", "mysql"])
def migrating_app(request, tmp_path):
    """An app on an empty database of its own, migrated by each test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    else:
        name = scratch_database_name("search_forms")
        server = sa.make_url(need_mysql())
        engine = sa.create_engine(server)
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
            conn.execute(sa.text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
        engine.dispose()
        url = server.set(database=name).render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                      "LOAD_BUNDLED_CATALOG": False})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _old_book(conn, book_id: int, isbn: str, title: str, author: str) -> None:
    """A book row and its keys as the code before 0008 wrote them (NFKC and
    lower case only, no pinyin)."""
    runs = [title, author]
    conn.execute(sa.text(
        "INSERT INTO book (id, isbn, title, subtitle, author, translator, publisher, pubdate, price, pages, "
        "binding, summary, image, search_title, search_body, create_time, status) VALUES (:id, :isbn, :title, "
        "'', :author, '[]', '', '', '', '', '', '', '', :title, :body, '2026-01-01 00:00:00', 1)"),
        {"id": book_id, "isbn": isbn, "title": title, "author": f'["{author}"]', "body": f"{title} {author} {isbn}"})
    conn.execute(sa.text("INSERT INTO book_gram (gram, book_id) VALUES (:gram, :id)"),
                 [{"gram": key, "id": book_id} for key in st.run_keys(runs + [isbn])])


def test_migration_fills_forms_of_old_books(migrating_app):
    """Books stored before 0008 are found by pinyin and by the other script after
    the upgrade; the downgrade puts back the old forms and drops the pinyin keys."""
    upgrade(revision="0007")
    with db.engine.begin() as conn:
        _old_book(conn, 1, SANTI, "三體", "劉慈欣")
        _old_book(conn, 2, HUOZHE, "活着", "余华")
    upgrade()
    assert titles("三体") == ["三體"]
    assert titles("santi") == ["三體"]
    assert titles("lcx") == ["三體"]
    assert titles("yu hua") == ["活着"]
    assert titles("st") == ["三體"]
    stored = db.session.scalar(select(Book).where(Book.isbn == SANTI))
    assert (stored.search_title, stored.pinyin_title, stored.pinyin_author) == ("三体", "santi st", "liucixin lcx")
    db.session.remove()
    downgrade(revision="0007")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT search_body FROM book WHERE id = 1")).scalar() == f"三體 劉慈欣 {SANTI}"
        assert conn.execute(select(func.count()).select_from(book_gram).where(book_gram.c.gram < 0)).scalar() == 0
        keys = set(conn.execute(sa.text("SELECT gram FROM book_gram WHERE book_id = 1")).scalars())
    assert keys == st.run_keys(["三體", "劉慈欣", SANTI])
    downgrade(revision="base")


def test_written_out_syllables_are_pypinyins():
    """The syllable list a query is cut by is exactly pypinyin's (it is written
    out so that serving a search does not load pypinyin's dictionaries)."""
    assert st.SYLLABLES == st.pypinyin_syllables()
