"""Keyword search over the local catalog: which books match, and in what order.

Every word (run) of the query must match the book in one of its forms: as
text in any searched field (traditional and simplified alike, see
libs/search_text), or, when the word has Latin letters, as pinyin syllables
or initials of the title or an author. The book_gram index narrows the books
to those holding every key of the word in one form; a LIKE on the stored
forms then confirms that the word is there as one contiguous piece.
"""
from sqlalchemy import Integer, and_, case, false, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.libs import search_text as st
from app.models.base import db
from app.models.book import Book, book_gram, record_only


class char_count(FunctionElement):
    """Length in characters: MySQL's LENGTH counts bytes, SQLite has no CHAR_LENGTH."""
    type = Integer()
    inherit_cache = True


@compiles(char_count)
def _char_count(element, compiler, **kw):
    return f"char_length({compiler.process(element.clauses, **kw)})"


@compiles(char_count, "sqlite")
def _char_count_sqlite(element, compiler, **kw):
    return f"length({compiler.process(element.clauses, **kw)})"


def _having(keys: set[int], need: int):
    """Books with at least ``need`` of ``keys``; one key needs no grouping,
    as (gram, book_id) is the primary key."""
    found = select(book_gram.c.book_id).where(book_gram.c.gram.in_(keys))
    if len(keys) == 1:
        return found
    return found.group_by(book_gram.c.book_id).having(func.count() >= need)


def _candidates(run: str, pinyin: str):
    """Books the index says may hold ``run`` as text or ``pinyin`` as pinyin.

    A plain Latin word is in the pinyin keys both as pinyin and as text (see
    latin_words), so it needs those alone. A word mixing scripts looks up
    both kinds in one IN list, told apart by sign in the HAVING: a UNION or an
    OR would not do on MariaDB, which runs ``IN (a UNION)`` once per book."""
    gram = book_gram.c.gram
    found = select(book_gram.c.book_id)
    if len(run) == 1:  # a lone character: one key of its range (it has no pinyin)
        return found.where(gram.between(*st.char_key_range(run))).distinct()
    if pinyin and st.is_plain_latin(run):
        return _having(*st.pinyin_query_keys(pinyin))
    text = st.bigram_keys(run)
    if not pinyin:
        return _having(text, len(text))
    spoken, need = st.pinyin_query_keys(pinyin)
    return (found.where(gram.in_(text | spoken)).group_by(book_gram.c.book_id)
            .having(or_(func.sum(case((gram >= 0, 1), else_=0)) == len(text),
                        func.sum(case((gram < 0, 1), else_=0)) >= need)))


def _has(run: str, pinyin: str, text_column, *pinyin_columns):
    """``run`` is in ``text_column`` or ``pinyin`` in one of ``pinyin_columns``."""
    found = text_column.like(f"%{run}%")
    if pinyin:
        found = or_(found, *[column.like(f"%{pinyin}%") for column in pinyin_columns])
    return found


def _words(query: str) -> list[tuple[str, str]]:
    """(text run, pinyin form or "") of each word of the query."""
    return [(run, st.query_pinyin(run)) for run in st.runs(query)]


def _narrowing(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The words whose index keys narrow the books. A lone character without
    pinyin has a wide key range: the longer words narrow the books when there
    are any, and it is only confirmed."""
    return [word for word in words if len(word[0]) > 1 or word[1]] or words[:1]


def _confirmed(words: list[tuple[str, str]]):
    return and_(*[_has(run, pinyin, Book.search_body, Book.pinyin_title, Book.pinyin_author)
                  for run, pinyin in words])


def _match(words: list[tuple[str, str]]):
    if not words:
        return false()
    return and_(*[Book.id.in_(_candidates(run, pinyin)) for run, pinyin in _narrowing(words)],
                _confirmed(words))


def book_match(query: str):
    """A condition meaning "this book matches the keyword ``query``", for a
    caller's WHERE clause; a query without letters or digits matches nothing."""
    return _match(_words(query))


def _matching_books(words: list[tuple[str, str]]):
    """select(Book, total) of the matches, read from the candidate lists.
    The same books as ``book_match``, but as joins that start from the
    candidates: MariaDB otherwise scans every book once a candidate list is a
    few thousand long, and so does STRAIGHT_JOIN tell it the order."""
    lists = [_candidates(run, pinyin).subquery() for run, pinyin in _narrowing(words)]
    found = select(Book, func.count().over()).select_from(lists[0]).join(Book, Book.id == lists[0].c.book_id)
    for more in lists[1:]:
        found = found.join(more, more.c.book_id == Book.id)
    return found.where(_confirmed(words)).prefix_with("STRAIGHT_JOIN", dialect="mysql")


def _ranking(words: list[tuple[str, str]]) -> list:
    """ORDER BY terms: the title equal to the query, then starting with it,
    then containing every word, then every word in the title or an author,
    then the rest; ties go to the shorter title, then the older book."""
    text = " ".join(run for run, _ in words)
    spoken = "".join(pinyin for _, pinyin in words) if all(p for _, p in words) else ""
    # pinyin_title is "<syllables> <initials>" of the title (empty without Chinese).
    exact, starts = [Book.search_title == text], [Book.search_title.like(f"{text}%")]
    if spoken:
        exact += [Book.pinyin_title.like(f"{spoken} %"), Book.pinyin_title.like(f"% {spoken}")]
        starts += [Book.pinyin_title.like(f"{spoken}%"), Book.pinyin_title.like(f"% {spoken}%")]
    in_title = [_has(run, pinyin, Book.search_title, Book.pinyin_title) for run, pinyin in words]
    by_author = [or_(title, _has(run, pinyin, Book.search_author, Book.pinyin_author))
                 for title, (run, pinyin) in zip(in_title, words)]
    tier = case((or_(*exact), 0), (or_(*starts), 1), (and_(*in_title), 2), (and_(*by_author), 3),
                else_=4)
    return [tier, char_count(Book.title), Book.id]


def search_books(query: str, page: int, per_page: int) -> tuple[int, list[Book]]:
    """Keyword search over title, subtitle, authors, translators, publisher
    and ISBN, and the pinyin of title and authors, best matches first.
    Returns (total, books of that page). The total is a window count over the
    same matches, so they are found once; a page past the end counts apart."""
    return search_books_from(query, (page - 1) * per_page, per_page)


def search_books_from(query: str, offset: int, limit: int) -> tuple[int, list[Book]]:
    """``search_books`` by position: (total, up to ``limit`` books after the
    first ``offset`` matches), for callers that page by start and count
    rather than by page (the Yushu API)."""
    words = _words(query)
    if not words:
        return 0, []
    rows = db.session.execute(_matching_books(words).order_by(*_ranking(words)).options(record_only())
                              .limit(limit).offset(offset)).all()
    if rows:
        return rows[0][1], [book for book, _total in rows]
    if offset <= 0:
        return 0, []
    return db.session.scalar(select(func.count()).select_from(Book).where(_match(words))), []


def book_rank(query: str) -> list:
    """ORDER BY terms that list books matching ``query`` as the keyword
    search does (for callers that filter further, such as copies on offer)."""
    return _ranking(_words(query)) if _words(query) else [Book.id]
