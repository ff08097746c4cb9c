"""An original 鱼书 database on MariaDB for the legacy import tests: the
course's schema, written here from its columns, and rows holding every edge
case the importer must handle."""
import os
from datetime import datetime, timezone

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from tests.db_servers import need_mysql, scratch_database_name
from tests.helpers import HUOZHE, SANTI, UNKNOWN_VALID_ISBN, isbn13

LEGACY_DB = os.environ.get("FISHER_LEGACY_DB") or scratch_database_name("legacy")
OLD_PASSWORD = "oldpass1"
SOURCE_ONLY = isbn13("978711122233")  # only the source's book table knows it
BAD_SOURCE_BOOK = isbn13("978711122234")  # its source row has no title
MADE = 1500000000  # the Unix create_time of every row
MADE_UTC = datetime.fromtimestamp(MADE, timezone.utc).replace(tzinfo=None)

_COMMON = "create_time INT, status SMALLINT"
DDL = [
    f"""CREATE TABLE user (id INT PRIMARY KEY AUTO_INCREMENT, nickname VARCHAR(24) NOT NULL,
        phone_number VARCHAR(18), email VARCHAR(50) NOT NULL UNIQUE, confirmed BOOL DEFAULT 0,
        beans FLOAT DEFAULT 0, send_counter INT DEFAULT 0, receive_counter INT DEFAULT 0,
        wx_open_id VARCHAR(50), wx_name VARCHAR(32), _password VARCHAR(128), {_COMMON})""",
    f"""CREATE TABLE book (id INT PRIMARY KEY AUTO_INCREMENT, title VARCHAR(50) NOT NULL,
        author VARCHAR(30) DEFAULT '未名', binding VARCHAR(20), publisher VARCHAR(50),
        price VARCHAR(20), pages INT, pubdate VARCHAR(20), isbn VARCHAR(15) NOT NULL UNIQUE,
        summary VARCHAR(1000), image VARCHAR(50), {_COMMON})""",
    f"""CREATE TABLE gift (id INT PRIMARY KEY AUTO_INCREMENT, uid INT, isbn VARCHAR(15) NOT NULL,
        launched BOOL DEFAULT 0, {_COMMON}, FOREIGN KEY (uid) REFERENCES user (id))""",
    f"""CREATE TABLE wish (id INT PRIMARY KEY AUTO_INCREMENT, uid INT, isbn VARCHAR(15) NOT NULL,
        launched BOOL DEFAULT 0, {_COMMON}, FOREIGN KEY (uid) REFERENCES user (id))""",
    f"""CREATE TABLE drift (id INT PRIMARY KEY AUTO_INCREMENT, recipient_name VARCHAR(20) NOT NULL,
        address VARCHAR(100) NOT NULL, message VARCHAR(200), mobile VARCHAR(20) NOT NULL,
        isbn VARCHAR(13), book_title VARCHAR(50), book_author VARCHAR(30), book_img VARCHAR(50),
        requester_id INT, requester_nickname VARCHAR(20), gifter_id INT, gift_id INT,
        gifter_nickname VARCHAR(20), pending SMALLINT DEFAULT 1, {_COMMON})""",
]


def _user(uid, nickname, email, beans=0.0, status=1):
    return {"id": uid, "nickname": nickname, "email": email, "beans": beans, "status": status,
            "_password": generate_password_hash(OLD_PASSWORD, "pbkdf2:sha256:1000"),
            "phone_number": "13800000000", "confirmed": 1, "send_counter": 0, "receive_counter": 0}


USERS = [
    _user(1, "爱丽丝", "Alice@Example.COM", beans=0.5),  # mixed case; half a bean
    _user(2, "鲍勃", "bob@example.com", beans=3),
    _user(3, "卡萝尔", "carol@example.com", beans=1, status=0),  # deleted
    _user(4, "重复", " ALICE@example.com", beans=2),  # alice's address once normalised
    _user(5, "戴夫", "dave@example.com"),
]
BOOKS = [{"id": 1, "title": "只在旧库里的书", "author": "旧作者", "isbn": SOURCE_ONLY, "pages": 120,
          "price": "12.00", "publisher": "旧出版社", "image": "", "status": 1},
         {"id": 2, "title": "", "author": "无名", "isbn": BAD_SOURCE_BOOK, "status": 1}]
GIFTS = [
    {"id": 1, "uid": 2, "isbn": SANTI, "launched": 0, "status": 1},
    {"id": 2, "uid": 2, "isbn": SOURCE_ONLY, "launched": 1, "status": 1},  # given away
    {"id": 3, "uid": 1, "isbn": HUOZHE, "launched": 0, "status": 0},  # deleted
    {"id": 4, "uid": 4, "isbn": SANTI, "launched": 0, "status": 1},  # its user is skipped
]
WISHES = [
    {"id": 1, "uid": 1, "isbn": SANTI, "launched": 0, "status": 1},
    {"id": 2, "uid": 1, "isbn": UNKNOWN_VALID_ISBN, "launched": 0, "status": 1},  # nobody knows it
    {"id": 3, "uid": 1, "isbn": SOURCE_ONLY, "launched": 1, "status": 1},  # fulfilled
    {"id": 4, "uid": 5, "isbn": BAD_SOURCE_BOOK, "launched": 0, "status": 1},
    {"id": 5, "uid": 5, "isbn": "not-an-isbn", "launched": 0, "status": 1},
]


def _drift(did, pending, gift_id=1, requester_id=1):
    return {"id": did, "pending": pending, "gift_id": gift_id, "requester_id": requester_id,
            "gifter_id": 2, "recipient_name": "爱丽丝", "address": "北京市海淀区中关村大街 27 号",
            "message": "谢谢", "mobile": "13800138000", "isbn": SANTI, "book_title": "三体",
            "book_author": "刘慈欣", "book_img": "", "requester_nickname": "爱丽丝",
            "gifter_nickname": "鲍勃", "status": 1}


DRIFTS = [_drift(1, 1), _drift(2, 2, gift_id=2), _drift(3, 3), _drift(4, 4),
          _drift(5, 1, requester_id=4)]  # the last one's requester is skipped
ROWS = {"user": USERS, "book": BOOKS, "gift": GIFTS, "wish": WISHES, "drift": DRIFTS}


def build_legacy_db() -> str:
    """Create the source database afresh with the rows above; returns its URL."""
    url = sa.make_url(need_mysql())
    server = sa.create_engine(url)
    with server.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {LEGACY_DB}"))
        conn.execute(sa.text(f"CREATE DATABASE {LEGACY_DB} CHARACTER SET utf8mb4"))
    server.dispose()
    source_url = url.set(database=LEGACY_DB)
    engine = sa.create_engine(source_url)
    with engine.begin() as conn:
        for statement in DDL:
            conn.execute(sa.text(statement))
        for table, rows in ROWS.items():
            for row in rows:
                row = {**row, "create_time": MADE}
                columns = ", ".join(row)
                conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES "
                                     f"({', '.join(':' + c for c in row)})"), row)
    engine.dispose()
    return source_url.render_as_string(hide_password=False)
