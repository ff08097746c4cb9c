"""``flask catalog import FILE`` and the bundled-catalog first load."""
import json
import os
import re

import pytest
from sqlalchemy import func, select

from app.models.base import db
from app.models.book import Book
from app.models.book_search import search_books
from app.services import catalog
from tests.helpers import BAD_CHECK_DIGIT, HONGLOU, HUOZHE, SANTI, add_books, isbn13, write_jsonl

SANTI_LINE = {"isbn": SANTI, "title": "三体", "author": ["刘慈欣"],
         "publisher": "重庆出版社", "price": "23.00", "pages": "302"}
HUOZHE_LINE = {"isbn": HUOZHE, "title": "活着", "author": ["余华"], "publisher": "作家出版社"}
HONGLOU_LINE = {"isbn": HONGLOU, "title": "红楼梦", "author": ["曹雪芹", "高鹗"]}


def run_import(runner, path):
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exception is None, result.output
    return result


def summary(result) -> str:
    return result.stdout.strip().splitlines()[-1]


def book(isbn):
    return db.session.scalar(select(Book).where(Book.isbn == isbn)
                             .execution_options(include_deleted=True))


def found_titles(query):
    return [b.title for b in search_books(query, 1, 15)[1]]


def live_count():
    return db.session.scalar(select(func.count()).select_from(Book))


def test_import_good_file(runner, tmp_path):
    """Every good line is imported, counted, and searchable afterwards."""
    path = write_jsonl(tmp_path / "books.jsonl", [SANTI_LINE, HUOZHE_LINE, HONGLOU_LINE])
    result = run_import(runner, path)
    assert result.exit_code == 0
    assert summary(result) == "imported: 3, updated: 0, rejected: 0"
    assert ": rejected: " not in result.stdout
    assert live_count() == 3
    assert found_titles("刘慈欣") == ["三体"]
    assert found_titles("高鹗") == ["红楼梦"]
    saved = book(SANTI)
    assert (saved.publisher, saved.price, saved.pages, saved.author) == (
        "重庆出版社", "23.00", "302", ["刘慈欣"])


def test_reimport_updates(runner, tmp_path):
    """Importing the same ISBNs again updates them; the index follows the
    new title and forgets the old one."""
    run_import(runner, write_jsonl(tmp_path / "a.jsonl", [SANTI_LINE, HUOZHE_LINE]))
    changed = dict(SANTI_LINE, title="地球往事", price="28.00")
    result = run_import(runner, write_jsonl(tmp_path / "b.jsonl", [changed, HUOZHE_LINE, HONGLOU_LINE]))
    assert summary(result) == "imported: 1, updated: 2, rejected: 0"
    assert live_count() == 3
    assert book(SANTI).title == "地球往事"
    assert book(SANTI).price == "28.00"
    assert found_titles("地球往事") == ["地球往事"]
    assert found_titles("三体") == []
    assert found_titles("刘慈欣") == ["地球往事"]


def test_isbn10_and_hyphens_become_isbn13(runner, tmp_path):
    """ISBN-10, hyphenated ISBN-13, lower-case x and isbn10/isbn13 keys are
    stored as plain ISBN-13."""
    lines = [
        {"isbn": "7536692935", "title": "三体"},
        {"isbn": "978-7-5063-6543-7", "title": "活着"},
        {"isbn": "080442957x", "title": "X 结尾"},
        {"isbn13": HONGLOU, "title": "红楼梦"},
        {"isbn10": "7-115-42802-X", "title": "不合法的十位"},  # wrong check digit
    ]
    result = run_import(runner, write_jsonl(tmp_path / "isbn.jsonl", lines))
    assert summary(result) == "imported: 4, updated: 0, rejected: 1"
    assert book(SANTI).title == "三体"
    assert book(HUOZHE).title == "活着"
    assert book("9780804429573").title == "X 结尾"
    assert book(HONGLOU).title == "红楼梦"
    assert "line 5: rejected: invalid ISBN" in result.stdout


def test_free_text_price_and_pages_kept(runner, tmp_path):
    """Price and pages are free text ("25.00元", "264页"); numbers become text."""
    lines = [dict(HUOZHE_LINE, price="25.00元", pages="264页"),
             dict(SANTI_LINE, price=23.5, pages=302)]
    run_import(runner, write_jsonl(tmp_path / "p.jsonl", lines))
    assert (book(HUOZHE_LINE["isbn"]).price, book(HUOZHE_LINE["isbn"]).pages) == ("25.00元", "264页")
    assert (book(SANTI_LINE["isbn"]).price, book(SANTI_LINE["isbn"]).pages) == ("23.5", "302")


BAD_LINES = [
    ("{not json", "invalid JSON"),
    ({"isbn": isbn13("978000000101")}, "title is required"),
    ({"isbn": isbn13("978000000102"), "title": "   "}, "title is required"),
    ({"isbn": BAD_CHECK_DIGIT, "title": "校验位错"}, "invalid ISBN"),
    ({"title": "没有 ISBN"}, "invalid ISBN"),
    ('["a list", "not an object"]', "not a JSON object"),
    ('"just a string"', "not a JSON object"),
    ({"isbn": isbn13("978000000103"), "title": "作者错", "author": [1, 2]},
     "author must be a list of names"),
    ({"isbn": isbn13("978000000104"), "title": "作者错", "author": {"name": "x"}},
     "author must be a list of names"),
    ({"isbn": isbn13("978000000105"), "title": "书" * 256}, "title longer than 255"),
    ({"isbn": isbn13("978000000106"), "title": "价格错", "price": {"cny": 1}},
     "price must be text"),
    ("[" * 100000, "invalid JSON"),
]


def test_bad_lines_rejected_with_line_numbers(runner, tmp_path):
    """Each bad line is reported with its line number and reason; the good
    lines of the same file are still imported."""
    lines = [SANTI_LINE] + [line for line, _reason in BAD_LINES] + [HUOZHE_LINE]
    result = run_import(runner, write_jsonl(tmp_path / "bad.jsonl", lines))
    assert result.exit_code == 0
    assert summary(result) == f"imported: 2, updated: 0, rejected: {len(BAD_LINES)}"
    for number, (_line, reason) in enumerate(BAD_LINES, start=2):
        assert re.search(rf"^line {number}: rejected: {re.escape(reason)}", result.stdout, re.M), \
            (number, reason, result.stdout)
    assert live_count() == 2
    assert found_titles("余华") == ["活着"]


SURROGATE_LINES = [  # JSON \u escapes that decode to a lone surrogate, which no database can store
    '{"isbn": "%s", "title": "\\ud800"}' % isbn13("978000000201"),
    '{"isbn": "%s", "title": "好书", "author": ["\\udfff作者"]}' % isbn13("978000000202"),
    '{"isbn": "%s", "title": "好书", "summary": "前\\ud83d后"}' % isbn13("978000000203"),
    '{"isbn": "%s", "title": "好书", "translator": "\\udc00"}' % isbn13("978000000204"),
]


def test_lone_surrogates_rejected_per_line(runner, tmp_path):
    """A line whose text decodes to a lone surrogate is rejected with its reason; the good
    lines around it (a proper surrogate pair among them) are all imported."""
    pair = '{"isbn": "%s", "title": "鱼\\ud83d\\udc1f"}' % isbn13("978000000205")
    lines = [SANTI_LINE, *SURROGATE_LINES, pair, HUOZHE_LINE]
    result = run_import(runner, write_jsonl(tmp_path / "surrogates.jsonl", lines))
    assert result.exit_code == 0
    assert summary(result) == f"imported: 3, updated: 0, rejected: {len(SURROGATE_LINES)}"
    for number, field in enumerate(("title", "author", "summary", "translator"), start=2):
        assert f"line {number}: rejected: invalid text (lone surrogate) in {field}" in result.stdout
    assert live_count() == 3
    assert book(isbn13("978000000205")).title == "鱼🐟"
    assert found_titles("余华") == ["活着"]


def test_long_names_and_title_at_limit_accepted(runner, tmp_path):
    """A 255-character title is accepted; a single author is given as text."""
    lines = [{"isbn": isbn13("978000000111"), "title": "书" * 255, "author": "某作者"}]
    result = run_import(runner, write_jsonl(tmp_path / "limit.jsonl", lines))
    assert summary(result) == "imported: 1, updated: 0, rejected: 0"
    assert book(isbn13("978000000111")).author == ["某作者"]


def test_blank_lines_ignored_but_counted(runner, tmp_path):
    """Blank and whitespace-only lines are skipped, and line numbers still
    match the file."""
    lines = ["", SANTI_LINE, "   ", "\t", "{bad", "", HUOZHE_LINE, ""]
    result = run_import(runner, write_jsonl(tmp_path / "blank.jsonl", lines))
    assert summary(result) == "imported: 2, updated: 0, rejected: 1"
    assert "line 5: rejected: invalid JSON" in result.stdout


def test_utf8_bom_and_crlf_accepted(runner, tmp_path):
    """A file saved with a UTF-8 BOM and Windows line ends imports cleanly."""
    path = tmp_path / "bom.jsonl"
    body = "\r\n".join(json.dumps(r, ensure_ascii=False) for r in (SANTI_LINE, HUOZHE_LINE)) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    result = run_import(runner, path)
    assert summary(result) == "imported: 2, updated: 0, rejected: 0"


def test_duplicate_isbn_in_one_file_last_wins(runner, tmp_path):
    """The same ISBN twice in a file (even spelt as ISBN-10) makes one book
    holding the later line."""
    lines = [SANTI_LINE, dict(SANTI_LINE, isbn="7536692935", title="三体（新版）")]
    result = run_import(runner, write_jsonl(tmp_path / "dup.jsonl", lines))
    assert summary(result) == "imported: 1, updated: 1, rejected: 0"
    assert live_count() == 1
    assert book(SANTI_LINE["isbn"]).title == "三体（新版）"
    assert found_titles("新版") == ["三体（新版）"]


def test_duplicates_across_batches(runner, tmp_path, monkeypatch):
    """Duplicates split over two import batches still make one book."""
    monkeypatch.setattr(catalog, "BATCH", 2)
    lines = [SANTI_LINE, HUOZHE_LINE, dict(SANTI_LINE, title="三体 新"), HONGLOU_LINE]
    result = run_import(runner, write_jsonl(tmp_path / "dup2.jsonl", lines))
    assert summary(result) == "imported: 3, updated: 1, rejected: 0"
    assert book(SANTI_LINE["isbn"]).title == "三体 新"


def test_soft_deleted_book_reimported_comes_back(runner, tmp_path, books):
    """Re-importing a soft-deleted book revives it with the new data."""
    gone = book(SANTI)
    with db.auto_commit():
        gone.delete()
    assert found_titles("刘慈欣") == ["三体Ⅱ"]
    result = run_import(runner, write_jsonl(tmp_path / "back.jsonl", [dict(SANTI_LINE, title="三体 归来")]))
    assert summary(result) == "imported: 0, updated: 1, rejected: 0"
    revived = book(SANTI)
    assert revived.status == 1
    assert revived.title == "三体 归来"
    assert found_titles("归来") == ["三体 归来"]


def test_many_rejects_are_summarised(runner, tmp_path):
    """Only the first 50 rejects are listed, then a count of the rest."""
    path = write_jsonl(tmp_path / "junk.jsonl", ["{"] * 53)
    result = run_import(runner, path)
    assert result.stdout.count(": rejected: ") == 50
    assert "... and 3 more rejected lines" in result.stdout
    assert summary(result) == "imported: 0, updated: 0, rejected: 53"


def test_missing_file_is_a_usage_error(runner, tmp_path):
    """A path that does not exist fails with a message, not a traceback."""
    result = runner.invoke(args=["catalog", "import", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


# -- the bundled catalog -----------------------------------------------------

@pytest.fixture
def small_bundle(tmp_path, monkeypatch):
    path = write_jsonl(tmp_path / "bundle.jsonl", [SANTI_LINE, HUOZHE_LINE, "{broken"])
    monkeypatch.setattr(catalog, "BUNDLED_CATALOG", path)
    return path


def test_bundled_catalog_loaded_when_empty(app, small_bundle):
    """An empty book table gets the bundled catalog."""
    report = catalog.load_bundled_catalog_if_empty()
    assert (report.imported, report.updated) == (2, 0)
    assert [number for number, _reason in report.rejected] == [3]
    assert live_count() == 2
    assert found_titles("余华") == ["活着"]


def test_bundled_catalog_skipped_when_not_empty(app, small_bundle):
    """A table that already has books is left alone."""
    add_books([HONGLOU_LINE])
    assert catalog.load_bundled_catalog_if_empty() is None
    assert live_count() == 1
    assert book(SANTI_LINE["isbn"]) is None


def test_bundled_catalog_skipped_when_only_deleted_books(app, small_bundle):
    """Soft-deleted books still count: a restart must not bring back books
    that were deleted."""
    add_books([SANTI_LINE])
    with db.auto_commit():
        book(SANTI_LINE["isbn"]).delete()
    assert catalog.load_bundled_catalog_if_empty() is None
    assert book(SANTI_LINE["isbn"]).status == 0
    assert book(HUOZHE_LINE["isbn"]) is None


REAL_BUNDLE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "app", "data", "catalog.jsonl")


@pytest.mark.skipif(not os.path.exists(REAL_BUNDLE), reason="app/data/catalog.jsonl not written yet")
def test_real_bundled_catalog_imports_cleanly(app, monkeypatch):
    """The catalog shipped with the app has no bad lines and 200+ books."""
    monkeypatch.setattr(catalog, "BUNDLED_CATALOG", REAL_BUNDLE)
    report = catalog.load_bundled_catalog_if_empty()
    assert report.rejected == []
    assert report.imported >= 200
    assert live_count() == report.imported


def test_bulk_import_matches_the_ordinary_one(runner, tmp_path, monkeypatch):
    """A file imported in bulk mode (worker processes, rank index rebuilt at
    the end) makes the same books, rejects and search results, and leaves
    the rank index in place; importing it again updates instead of adding."""
    monkeypatch.setattr(catalog, "BULK_BYTES", 0)
    monkeypatch.setattr(catalog, "BATCH", 2)
    lines = [SANTI_LINE, {"isbn": BAD_CHECK_DIGIT, "title": "坏"}, HUOZHE_LINE,
             dict(SANTI_LINE, title="三体 新"), HONGLOU_LINE]
    path = write_jsonl(tmp_path / "bulk.jsonl", lines)
    result = run_import(runner, path)
    assert summary(result) == "imported: 3, updated: 1, rejected: 1"
    assert "line 2: rejected" in result.stdout
    assert found_titles("三体") == ["三体 新"] and found_titles("hlm") == ["红楼梦"]
    assert summary(run_import(runner, path)) == "imported: 0, updated: 4, rejected: 1"
    assert live_count() == 3
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            names = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "ix_book_gram_rank" in names
