"""Text forms of the book search and the keys of its inverted index.

Text is NFKC-normalised (full-width folds to half-width), converted from
traditional to simplified Chinese with OpenCC's ``t2s`` and lower-cased, so
``三體`` and ``三体`` are one word; then it is cut into runs of letters and
digits (CJK characters count as letters). Each run yields its overlapping
bigrams plus its last character alone, so every character starts some key: a
query of two or more characters looks up its bigrams, a single character looks
up the key range of everything starting with it. A key is an integer
``first * 0x110000 + second`` (``second`` is 0 for a lone last character), so
the index is an integer table that SQLite and MySQL treat alike. A run with
Chinese in it also yields its trigrams (``trigram_keys``), far rarer than its
bigrams, so a query of three or more characters reads few index rows.

Chinese text also has pinyin forms (pypinyin's default reading): a field's
syllables joined without spaces (``三体`` -> ``santi``) and its initials
(``st``), kept to ``[a-z0-9]``. Those forms are cut into trigrams (plus the
the two-letter pieces and the two- and one-letter tails of each word), stored as negative keys so they
never meet the text keys. Pinyin has a small alphabet, so its bigrams are in
most books; its trigrams are rarer, and every six letters of a word also
make a key, for the longer queries (a trigram such as "zho" is in 中, 钟, 周...). The Latin words
of every field share those keys (``latin_words``), so a Latin query, English
or pinyin, looks up one set of keys.
"""
import functools
import re
import unicodedata

SPAN = _SPAN = 0x110000  # one more than the largest code point
# Trigram keys (of runs with Chinese) sit above every bigram key: up to
# SPAN ** 2 + SPAN ** 3, well inside a signed 64-bit integer.
TRIGRAM_BASE = _SPAN * _SPAN
_RUN = re.compile(r"[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_NOT_PINYIN = re.compile(r"[^a-z0-9]+")
_PINYIN_CODES = {ch: i for i, ch in enumerate("abcdefghijklmnopqrstuvwxyz0123456789", start=1)}
_BASE = len(_PINYIN_CODES) + 1  # code 0 pads a short tail


@functools.cache
def _t2s():
    """One converter per process: loading OpenCC's dictionaries takes a while."""
    import opencc
    try:
        return opencc.OpenCC("t2s")
    except Exception:  # builds that want the file name of the config
        return opencc.OpenCC("t2s.json")


@functools.lru_cache(maxsize=1 << 14)
def normalize(text: str) -> str:
    """NFKC, simplified Chinese, lower case: the form both the index and queries use."""
    text = unicodedata.normalize("NFKC", text or "")
    if _HAN.search(text):
        text = _t2s().convert(text)
    return text.lower()


def runs(text: str) -> list[str]:
    """The letter/digit runs of ``text``, normalised."""
    return _RUN.findall(normalize(text))


def run_keys(normalised_runs: list[str]) -> set[int]:
    """Every text index key of runs that are normalised already."""
    keys = set()
    for run in normalised_runs:
        codes = [ord(ch) for ch in run]
        for first, second in zip(codes, codes[1:]):
            keys.add(first * _SPAN + second)
        keys.add(codes[-1] * _SPAN)
    return keys


def bigram_keys(run: str) -> set[int]:
    """Bigram keys a query run of two or more characters must have: every
    other one and the last, which cover the run (the LIKE that follows the
    index checks the whole run); fewer keys read fewer index rows."""
    codes = [ord(ch) for ch in run]
    cover = sorted({*range(0, len(codes) - 1, 2), len(codes) - 2})
    return {codes[i] * _SPAN + codes[i + 1] for i in cover}


def _trigram(run: str, at: int) -> int:
    return TRIGRAM_BASE + (ord(run[at]) * _SPAN + ord(run[at + 1])) * _SPAN + ord(run[at + 2])


def has_trigrams(run: str) -> bool:
    """Whether a normalised run has trigram keys: three or more characters, a hanzi among them."""
    return len(run) > 2 and bool(_HAN.search(run))


def trigram_keys(normalised_runs: list[str]) -> set[int]:
    """The trigram keys of runs that are normalised already: every three
    consecutive characters of each run that ``has_trigrams``."""
    return {_trigram(run, i) for run in normalised_runs if has_trigrams(run) for i in range(len(run) - 2)}


def all_trigram_keys(run: str) -> set[int]:
    """Every trigram key of one query run (none unless it ``has_trigrams``)."""
    return trigram_keys([run])


def text_query_keys(run: str) -> set[int]:
    """Text keys a query run of two or more characters must have: for a run
    that ``has_trigrams``, trigrams covering it (every third and the last);
    else ``bigram_keys``. A trigram of Chinese is in far fewer books than a
    bigram, so a long title reads few index rows."""
    if not has_trigrams(run):
        return bigram_keys(run)
    return {_trigram(run, i) for i in {*range(0, len(run) - 2, 3), len(run) - 3}}


def is_trigram(key: int) -> bool:
    return key >= TRIGRAM_BASE


def char_key_range(ch: str) -> tuple[int, int]:
    """Inclusive key range of every key whose first character is ``ch``."""
    low = ord(ch) * _SPAN
    return low, low + _SPAN - 1


def search_text(*fields: str) -> str:
    """One normalised string holding every run of ``fields``, space separated."""
    return " ".join(run for field in fields for run in runs(field))


def has_han(text: str) -> bool:
    return bool(_HAN.search(text or ""))


def _ascii_letters(text: str) -> str:
    """``text`` without accents and without anything but a-z and 0-9."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _NOT_PINYIN.sub("", bare.lower())


@functools.lru_cache(maxsize=1 << 14)
def pinyin_forms(text: str) -> tuple[str, str]:
    """(syllables, initials) of ``text`` with every run joined, e.g.
    ``("santi", "st")``; other letters and digits are kept in both. Cached:
    pypinyin is the slowest step of indexing a book, and catalogs repeat
    names a great deal."""
    from pypinyin import lazy_pinyin

    joined = "".join(runs(text))
    if not joined:
        return "", ""
    full = lazy_pinyin(joined, errors="default")
    # One item per character of hanzi, one per stretch of anything else (kept
    # as it is): a hanzi's initial is the first letter of its syllable.
    initials, at = [], 0
    for item in full:
        if _HAN.match(joined, at) and not _HAN.match(item):
            initials.append(item[:1])
            at += 1
        else:
            initials.append(item)
            at += len(item)
    return _ascii_letters("".join(full)), _ascii_letters("".join(initials))


def pinyin_text(*fields: str) -> str:
    """The pinyin words of the Chinese ``fields``: each field's syllables, then
    each field's initials, space separated; fields without Chinese add none."""
    forms = [pinyin_forms(field) for field in fields if has_han(field)]
    words = [full for full, _ in forms] + [initials for _, initials in forms]
    return " ".join(word for word in words if word)


def query_pinyin(run: str) -> str:
    """The pinyin a query run is looked up by, or "" when it has no Latin
    letters (a run of hanzi is matched as hanzi, not by its sound) or is a
    single letter (which would match nearly every book)."""
    if not re.search(r"[a-z]", run):
        return ""
    form = pinyin_forms(run)[0] if has_han(run) else _ascii_letters(run)
    return form if len(form) > 1 else ""


@functools.cache  # at most 37 ** 3 pieces
def _code(chars: str) -> int:
    """The pinyin key of up to three letters (shorter ones padded with 0)."""
    value = 0
    for i in range(3):
        value = value * _BASE + (_PINYIN_CODES[chars[i]] if i < len(chars) else 0)
    return -1 - value


def latin_words(text: str) -> str:
    """The words of a normalised ``text`` made of a-z and 0-9 with a letter
    among them (``python`` in ``python编程``; not an ISBN), space separated.
    They are indexed with the pinyin keys, so a plain Latin query looks up
    one kind of key whether it means English or pinyin."""
    return " ".join(word for word in re.findall(r"[a-z0-9]+", text) if not word.isdigit())


def is_plain_latin(run: str) -> bool:
    """Only a-z and 0-9, with a letter: every such text is in latin_words."""
    return bool(re.fullmatch(r"[a-z0-9]+", run)) and not run.isdigit()


def pinyin_keys(text: str) -> set[int]:
    """Every pinyin index key of the words of ``text``: each position starts
    a key of its next three letters and one of its next two (fewer at the
    end of a word), so a two-letter query has one key to look up."""
    return set().union(*map(_word_keys, text.split()))


@functools.lru_cache(maxsize=1 << 13)
def _word_keys(word: str) -> frozenset[int]:
    """pinyin_keys of one word, cached: the same names and syllables recur."""
    return frozenset({_code(word[i:i + size]) for i in range(len(word)) for size in (3, 2)}
                     | {_six(word[i:i + SIX]) for i in range(len(word) - SIX + 1)})


def pinyin_start_keys(text: str) -> set[int]:
    """The pinyin keys that start a word of ``text`` (its first three and
    first two letters, and its first six when it has them)."""
    return {key for word in text.split()
            for key in (_code(word[:3]), _code(word[:2]), *([_six(word[:SIX])] if len(word) >= SIX else []))}


def first_key(run: str, pinyin: str) -> int:
    """The key a query word (two or more characters, text or plain Latin)
    starts with: every book holding the word holds this key."""
    if pinyin:
        return _six(pinyin[:SIX]) if len(pinyin) >= SIX else _code(pinyin[:3])
    if has_trigrams(run):
        return _trigram(run, 0)
    return ord(run[0]) * _SPAN + ord(run[1])


def text_start_keys(normalised: str) -> set[int]:
    """The text keys at the very start of a normalised field: its first
    bigram (or lone character) and, when its first run has them, its first trigram."""
    first = normalised.split(" ", 1)[0]
    if not first:
        return set()
    keys = {ord(first[0]) * _SPAN + (ord(first[1]) if len(first) > 1 else 0)}
    if has_trigrams(first):
        keys.add(_trigram(first, 0))
    return keys


# Every toneless pinyin syllable pypinyin knows (with a vowel: not "ng",
# "hm"), written out so a search does not load pypinyin's dictionaries
# (some 55 MB) to cut a Latin query; tests/test_search_forms.py checks the
# list against pypinyin.
SYLLABLES = frozenset((
    "a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca cai "
    "can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai "
    "chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di "
    "dia dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng "
    "fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha "
    "hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao "
    "jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan "
    "kuang kui kun kuo la lai lan lang lao le lei len leng li lia lian liang liao lie lin ling liu lo "
    "long lou lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo "
    "mou mu na nai nan nang nao ne nei nen neng ni nia nian niang niao nie nin ning niu nong nou nu nuan "
    "nun nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian "
    "qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan "
    "rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou "
    "shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te "
    "tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu "
    "xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong "
    "you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng "
    "zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo "
).split())


def pypinyin_syllables() -> frozenset[str]:
    """SYLLABLES as pypinyin's dictionary gives them (for the test)."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    return frozenset(syllable for readings in pinyin_dict.values() for reading in readings.split(",")
                     if re.search("[aeiouv]", syllable := to_normal(reading)))


def _syllable_starts(form: str) -> list[int] | None:
    """Where the syllables of ``form`` start, cut greedily longest first, or
    None when it is not all syllables (Latin words, initials)."""
    starts, i, known = [], 0, SYLLABLES
    while i < len(form):
        size = next((n for n in range(min(6, len(form) - i), 0, -1) if form[i:i + n] in known), 0)
        if not size:
            return None
        starts.append(i)
        i += size
    return starts


def pinyin_trigram_keys(form: str) -> set[int]:
    """Keys a pinyin query of three or more letters must have: enough of its
    trigrams to cover it, the one at each syllable start when it is all
    syllables. Inner trigrams such as "ong" or "ian" are in a great many
    books; those at syllable starts ("zho", "guo") are rarer, so fewer rows
    are read. Books holding these keys are a superset of those holding the
    whole form, and the LIKE that follows keeps only the latter."""
    last = len(form) - 3
    starts = _syllable_starts(form) or range(0, len(form), 3)
    return {_code(form[min(i, last):min(i, last) + 3]) for i in starts}


def pinyin_query_keys(form: str) -> tuple[set[int], int]:
    """The pinyin keys to look up for a query form of two or more letters and
    how many of them a book must have: from six letters on, six-letter keys
    covering it (every sixth and the last), far rarer than trigrams ("zhongg"
    is in 中国, "zho" in 钟 and 周 as well); else the trigram cover (all of
    it), or for two letters its own key."""
    if len(form) >= SIX:
        keys = {_six(form[min(i, len(form) - SIX):][:SIX]) for i in range(0, len(form), SIX)}
        return keys, len(keys)
    if len(form) > 2:
        keys = pinyin_trigram_keys(form)
        return keys, len(keys)
    return {_code(form)}, 1


# Syllable pair keys sit below every pinyin key: a pinyin word cut into
# syllables (as a query is, by ``_syllable_starts``) has one for every two
# syllables in a row, each syllable written in base 27 (at most six letters).
PAIR_BASE = -1 - _BASE ** 3
_LETTER = 27


def _syllable_code(syllable: str) -> int:
    value = 0
    for ch in syllable.ljust(6, "`"):  # "`" (code 0) pads a short syllable
        value = value * _LETTER + ord(ch) - ord("`")
    return value


def _pair(first: str, second: str) -> int:
    return PAIR_BASE - (_syllable_code(first) * _LETTER ** 6 + _syllable_code(second))


def _syllables(word: str) -> list[str]:
    """``word`` cut into syllables, or [] when it is not all syllables."""
    starts = _syllable_starts(word) or []
    return [word[start:end] for start, end in zip(starts, starts[1:] + [len(word)])]


@functools.lru_cache(maxsize=1 << 13)
def _pair_keys(word: str) -> frozenset[int]:
    syllables = _syllables(word)
    return frozenset(_pair(first, second) for first, second in zip(syllables, syllables[1:]))


def syllable_pair_keys(text: str) -> set[int]:
    """The syllable pair keys of the pinyin words of ``text``. A book holding
    one holds its two syllables side by side in a pinyin word, so it matches
    a query of those two syllables for certain (``pair_query_key``): the
    books of that key are some of the query's matches, found without reading
    a book. (A match need not hold the key: the query may fall across the
    syllables as the book's word is cut, as "hongguo" in "zhongguo".)"""
    return set().union(*map(_pair_keys, text.split()))


def pair_query_key(form: str) -> int | None:
    """The syllable pair key of a pinyin query form of exactly two syllables, else None."""
    syllables = _syllables(form)
    return _pair(*syllables) if len(syllables) == 2 else None


def is_pair(key: int) -> bool:
    return SIX_BASE < key <= PAIR_BASE


# Six-letter pinyin keys sit below the pair keys: every six letters in a row
# of a word that has pinyin keys, in base 37 as ``_code`` writes three.
SIX = 6
SIX_BASE = PAIR_BASE - _LETTER ** 12


@functools.cache
def _six(chars: str) -> int:
    value = 0
    for ch in chars:
        value = value * _BASE + _PINYIN_CODES[ch]
    return SIX_BASE - value


def is_six(key: int) -> bool:
    return key <= SIX_BASE
