"""Builders for test data."""
from app.models.base import db
from app.models.book import upsert_books

SAMPLE_BOOKS = [
    {"isbn": "9787536692930", "title": "三体", "author": ["刘慈欣"], "publisher": "重庆出版社",
     "pubdate": "2008-1", "price": "23.00", "pages": "302", "binding": "平装",
     "summary": "文化大革命中的一次秘密军事工程，让人类第一次与外星文明有了联系。"},
    {"isbn": "9787536693968", "title": "三体Ⅱ", "subtitle": "黑暗森林", "author": ["刘慈欣"],
     "publisher": "重庆出版社", "pubdate": "2008-5", "price": "32.00", "pages": "470"},
    {"isbn": "9787506365437", "title": "活着", "author": ["余华"], "publisher": "作家出版社",
     "pubdate": "2012-8", "price": "20.00元", "pages": "191页"},
    {"isbn": "9787544253994", "title": "百年孤独", "author": ["加西亚·马尔克斯"],
     "translator": ["范晔"], "publisher": "南海出版公司", "pubdate": "2011-6", "price": "39.50"},
    {"isbn": "9787115428028", "title": "Python编程", "subtitle": "从入门到实践",
     "author": ["Eric Matthes"], "translator": ["袁国忠"], "publisher": "人民邮电出版社"},
    {"isbn": "9787020002207", "title": "红楼梦", "author": ["曹雪芹", "高鹗"],
     "publisher": "人民文学出版社", "pubdate": "1996-12", "price": "59.70"},
]


def book_record(isbn: str, title: str, **fields) -> dict:
    """A clean book record with every field present."""
    record = {"isbn": isbn, "title": title, "subtitle": "", "author": [], "translator": [],
              "publisher": "", "pubdate": "", "price": "", "pages": "", "binding": "",
              "summary": "", "image": ""}
    record.update(fields)
    return record


def add_books(records=None) -> None:
    """Store books (the sample set by default) in the catalog."""
    records = SAMPLE_BOOKS if records is None else records
    with db.auto_commit():
        upsert_books([book_record(**r) for r in records])


def isbn13(body12: str) -> str:
    """Complete a 12-digit ISBN body with its check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)
