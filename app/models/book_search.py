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
from app.models.base import LIVE, db
from app.models.book import RANK_SPAN, Book, book_gram, record_only

# A search counts its matches up to this many; more are reported as COUNT_CAP + 1.
COUNT_CAP = 1000


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
    text = st.text_query_keys(run)
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


def _tier(words: list[tuple[str, str]]):
    """0 when the title starts with the query (or is it), 1 when it holds
    every word, 2 when every word is in the title or an author, else 3: the
    fields of book_gram's rank_key, so a key's rank is never above the tier."""
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
    return case((or_(*exact, *starts), 0), (and_(*in_title), 1), (and_(*by_author), 2), else_=3)


def _ranking(words: list[tuple[str, str]]) -> list:
    """ORDER BY terms: the tier, then the shorter title, then the older book."""
    return [_tier(words), char_count(Book.title), Book.id]


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
    if _keyed(words):
        return _ranked_search(words, offset, limit)
    rows = db.session.execute(_matching_books(words).order_by(*_ranking(words)).options(record_only())
                              .limit(limit).offset(offset)).all()
    if rows:
        return rows[0][1], [book for book, _total in rows]
    if offset <= 0:
        return 0, []
    return db.session.scalar(select(func.count()).select_from(Book).where(_match(words))), []


def _keyed(words: list[tuple[str, str]]) -> bool:
    """Whether every word is one book_gram reads in rank order: two or more
    characters, and either no Latin letter or nothing else."""
    return all(len(run) > 1 and (not pinyin or st.is_plain_latin(run)) for run, pinyin in words)


def _word_keys(run: str, pinyin: str) -> set[int]:
    """Keys every book holding the word has."""
    return st.pinyin_query_keys(pinyin)[0] if pinyin else st.text_query_keys(run)


def _postings(key: int, words, columns, limit: int, confirm: bool = True):
    """``columns`` of the matches among ``key``'s books, in rank_key order,
    at most ``limit``; ``confirm=False`` when holding the key is matching.
    Each book is confirmed by its text alone: a probe of the index for the
    query's other keys costs about as much as reading the book (both one
    lookup by primary key), so it only added work (at a million books the
    reads took twice as long with the probes)."""
    found = (select(*columns).select_from(book_gram).join(Book, Book.id == book_gram.c.book_id)
             .where(book_gram.c.gram == key, Book.status == LIVE))
    if confirm:
        found = found.where(_confirmed(words))
    return (found.order_by(book_gram.c.rank_key, book_gram.c.book_id).limit(limit)
            .prefix_with("STRAIGHT_JOIN", dialect="mysql"))


def _read(statement):
    """Run a select of plain columns on the session's connection: no ORM
    step between the driver's rows and the caller (a count reads a thousand)."""
    return db.session.connection().execute(statement)


def _key_size(key: int, limit: int) -> int:
    """How many books hold ``key``, counted up to ``limit`` (index rows only)."""
    return _read(select(func.count()).select_from(
        select(book_gram.c.book_id).where(book_gram.c.gram == key).limit(limit).subquery())).scalar()


def _smallest_key(words) -> tuple[int, int]:
    """(key, _key_size) of the query's key with the fewest books (for a
    text word, any of its trigrams, or bigrams when it has none, not only
    those ``_word_keys`` checks: a trigram's books hold its two bigrams).
    The keys are counted up to COUNT_CAP + 1 first, and only when every one
    reaches it up to 8 * COUNT_CAP (a common key's thousands of index rows
    are read only when no key is rarer); trigrams first, as they are rarer,
    and each key after the smallest so far only up to that one's size."""
    keys = sorted({key for run, pinyin in words for key in (
        _word_keys(run, pinyin) if pinyin else
        st.all_trigram_keys(run) or {key for key in st.run_keys([run]) if key % st.SPAN})},
        key=lambda key: (not st.is_trigram(key), key))
    for cap in (COUNT_CAP + 1,) if len(keys) == 1 else (COUNT_CAP + 1, 8 * COUNT_CAP):
        best, limit = None, cap
        for key in keys:
            size = _key_size(key, limit)
            if best is None or size < best[1]:
                best, limit = (key, size), size
            if not size:
                break
        if best[1] < cap:
            break
    return best


def _key_is_match(words) -> bool:
    """One word whose only key is the whole word (two characters, three
    with a hanzi among them, or two, three or six Latin letters): every
    live book holding the key matches."""
    if len(words) != 1:
        return False
    run, pinyin = words[0]
    if pinyin:
        return len(pinyin) <= 3 or len(pinyin) == st.SIX
    return len(run) == 2 or (len(run) == 3 and st.has_trigrams(run))


def _surely_many(words) -> bool:
    """Whether a query of one two-syllable pinyin word has more than
    COUNT_CAP matches by its syllable pair key alone, whose live books all
    match (see search_text.syllable_pair_keys): then no book is read to
    count, as the many books holding its trigrams would be."""
    if len(words) != 1 or (key := st.pair_query_key(words[0][1])) is None:
        return False
    return _read(select(func.count()).select_from(_postings(
        key, words, [Book.id], COUNT_CAP + 1, confirm=False).subquery())).scalar() > COUNT_CAP


def _ordered(rows) -> list[tuple[int, int]]:
    """(true rank, book id) of rows (rank_key, id, tier), best first."""
    return sorted((tier * RANK_SPAN + rank % RANK_SPAN, book_id) for rank, book_id, tier in rows)


def _top(words, want: int, columns) -> list[int]:
    """Ids of the ``want`` best matches in rank order, read from the first
    key's books in rank_key order. A book's tier is never below its
    rank_key's field (the title holding the query holds its first key), so
    once the ``want``-th best true rank seen is no later than the last row
    read, no unread book can come before it; otherwise read four times as many."""
    key = st.first_key(*words[0])
    size = max(2 * want, 64)
    while True:
        rows = _read(_postings(key, words, columns, size)).all()
        found = _ordered(rows)
        if len(rows) < size or (found[want - 1] <= (rows[-1][0], rows[-1][1])):
            return [book_id for _rank, book_id in found[:want]]
        size *= 4


def _counted(words, columns) -> tuple[int, list | None]:
    """(total up to COUNT_CAP + 1, the matches ``_ordered`` when they were
    all read, else None), from the query's smallest key."""
    if _surely_many(words):
        return COUNT_CAP + 1, None
    smallest, size = _smallest_key(words)
    if size > COUNT_CAP and _key_is_match(words):
        return _read(select(func.count()).select_from(_postings(
            smallest, words, [Book.id], COUNT_CAP + 1, confirm=False).subquery())).scalar(), None
    # one read both counts and, when there are few, ranks
    found = _ordered(_read(_postings(smallest, words, columns, COUNT_CAP + 1)).all())
    return len(found), found


def _ranked_search(words, offset: int, limit: int) -> tuple[int, list[Book]]:
    """search_books_from through ranked book_gram rows. The matches are
    counted up to COUNT_CAP + 1 (``_counted``); up to COUNT_CAP of them are
    ranked all at once, more are read from the first key's books in rank
    order (``_top``) as far as the page needs."""
    columns = (book_gram.c.rank_key, Book.id, _tier(words))
    total, found = _counted(words, columns)
    if found is not None and total <= COUNT_CAP:
        ids = [book_id for _rank, book_id in found[offset:offset + limit]]
    else:
        ids = _top(words, offset + limit, columns)[offset:] if offset + limit > 0 else []
    if not ids:
        return total, []
    books = {book.id: book for book in db.session.scalars(select(Book).where(Book.id.in_(ids)).options(record_only()))}
    return total, [books[book_id] for book_id in ids if book_id in books]


def book_rank(query: str) -> list:
    """ORDER BY terms that list books matching ``query`` as the keyword
    search does (for callers that filter further, such as copies on offer)."""
    return _ranking(_words(query)) if _words(query) else [Book.id]
