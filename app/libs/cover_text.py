"""Measuring and wrapping text for the drawn covers, without font metrics.

The server never sees the font a browser will pick, so widths are estimates
in em (multiples of the font size), deliberately a little generous so that a
line estimated to fit also fits in the common sans-serif fonts: CJK and other
full-width characters take 1 em, Latin letters about 0.55 em, narrow ones
(i, l, punctuation) less and wide ones (M, W, capitals) more.

Lines break at spaces, after hyphens and between CJK characters; a Latin word
is never split across lines (mixed titles keep their Latin words whole). A
word too long for an empty line, or text left over after the last line, is
cut and ends with "…". Characters that cannot appear in XML (lone
surrogates, control characters) are dropped first, so what comes out can be
written into an SVG as it is (after escaping).
"""
import re
import unicodedata

ELLIPSIS = "…"
_ELLIPSIS_EM = 1.0  # drawn as one full-width glyph by CJK fonts

# Widths in em of the Latin characters that differ from the plain letter.
_NARROW = dict.fromkeys("il.,:;'!|`", 0.3) | dict.fromkeys("Ijft()[]{}\"/\\-", 0.38) | {"r": 0.42, " ": 0.3}
_WIDE = dict.fromkeys("MW", 0.92) | dict.fromkeys("mw@%", 0.86) | dict.fromkeys("OQGCDHNU&", 0.76)
_LOWER, _UPPER, _DIGIT, _OTHER = 0.56, 0.68, 0.58, 0.62

# Characters no line may start with, and ones no line may end with (CJK
# punctuation): they stay glued to their neighbour.
_CLOSING = set("，。、：；！？）】》」』〉〕”’…—～·,.:;!?)]}%")
_SEPARATORS = "、，,;；:：-"  # dropped before an ellipsis: "A、B、…" reads "A、B…"
_OPENING = set("（【《「『〈〔“‘([{")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """``text`` fit for drawing: NFC, no characters XML forbids (lone
    surrogates and control characters), runs of whitespace as one space,
    nothing at either end."""
    text = _XML_BAD.sub("", text or "")
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


def _variation(ch: str) -> bool:
    code = ord(ch)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _joins(ch: str) -> bool:
    """Whether ``ch`` belongs to the character before it (combining marks,
    variation selectors, zero-width joiner, emoji skin tones)."""
    code = ord(ch)
    return (unicodedata.category(ch) in ("Mn", "Me", "Mc") or ch == "\u200d" or _variation(ch)
            or 0x1F3FB <= code <= 0x1F3FF)


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _flag_half(before: str, ch: str) -> bool:
    """Whether ``ch`` completes a flag: two regional indicator letters."""
    return _regional(ch) and len(before) == 1 and _regional(before)


def clusters(text: str) -> list[str]:
    """``text`` cut into what a reader sees as single characters: a base
    with its combining marks, or an emoji joined by zero-width joiners."""
    found: list[str] = []
    for ch in text:
        if found and (_joins(ch) or found[-1].endswith("\u200d") or _flag_half(found[-1], ch)):
            found[-1] += ch
        else:
            found.append(ch)
    return found


def is_wide(cluster: str) -> bool:
    """CJK, full-width forms and emoji: each drawn about 1 em wide, and a
    line may break on either side of them."""
    ch = cluster[0]
    return unicodedata.east_asian_width(ch) in ("W", "F") or ord(ch) >= 0x1F000


def cluster_width(cluster: str) -> float:
    """The estimated width in em of one character as seen."""
    ch = cluster[0]
    if is_wide(cluster):  # an emoji sequence falls apart into its pieces without an emoji font
        return float(max(1, sum(1 for part in cluster if part != "\u200d" and not _variation(part))))
    if unicodedata.east_asian_width(ch) == "A" and unicodedata.category(ch)[0] in "PS":
        return 1.0  # ·, “ ” and the like: full width in the CJK fonts covers ask for
    if ch in _NARROW:
        return _NARROW[ch]
    if ch in _WIDE:
        return _WIDE[ch]
    if unicodedata.category(ch) in ("Cf", "Zl", "Zp"):
        return 0.0
    if ch.isdigit():
        return _DIGIT
    if ch.isupper():
        return _UPPER
    if ch.islower() and ch.isascii():
        return _LOWER
    return _OTHER  # accented and other scripts' letters, symbols: on the safe side


def text_width(text: str) -> float:
    """The estimated width of ``text`` in em."""
    return sum(cluster_width(c) for c in clusters(text))


def _pieces(text: str) -> list[str]:
    """``text`` as the pieces a line may break between: Latin words (with
    a trailing hyphen ending a piece), single wide characters, and spaces;
    CJK closing punctuation sticks to the piece before it and opening
    punctuation to the piece after it."""
    pieces: list[str] = []
    glue_next = False
    for cluster in clusters(text):
        if cluster == " ":
            pieces.append(" ")
            glue_next = False
            continue
        previous = pieces[-1] if pieces else " "
        if glue_next or (cluster[0] in _CLOSING and previous != " "):
            pieces[-1] += cluster
        elif is_wide(cluster) or previous == " " or is_wide(previous[-1]) or previous.endswith("-"):
            pieces.append(cluster)
        else:
            pieces[-1] += cluster
        glue_next = cluster[0] in _OPENING
    return pieces


def _cut(text: str, width: float) -> str:
    """The longest start of ``text`` that fits in ``width`` em together with
    an ellipsis, followed by the ellipsis."""
    kept, used = "", _ELLIPSIS_EM
    for cluster in clusters(text):
        used += cluster_width(cluster)
        if used > width:
            break
        kept += cluster
    return kept.rstrip() + ELLIPSIS


def wrap(text: str, width: float, max_lines: int, more: bool = False) -> list[str]:
    """``text`` (cleaned first) broken into at most ``max_lines`` lines of at
    most ``width`` em. If it does not all fit, or ``more`` says the text was
    already shortened, the last line drawn ends with "…". Empty text gives no
    lines."""
    if max_lines < 1 or width <= 0:
        return []
    lines: list[str] = []
    line = ""
    pieces = _pieces(clean(text))
    for piece in pieces:
        if piece == " ":
            if line:
                line += " "
            continue
        if text_width(line + piece) <= width:
            line += piece
            continue
        if line.strip():  # the piece opens the next line
            lines.append(line.rstrip())
            line = ""
            if len(lines) == max_lines:
                return _ellipsize(lines, width)
        if text_width(piece) <= width:
            line = piece
        else:  # one word wider than a whole line: it is cut, and the text ends here
            lines.append(_cut(piece, width))
            return lines
    if line.strip():
        lines.append(line.rstrip())
    return _ellipsize(lines, width) if more and lines else lines


def _ellipsize(lines: list[str], width: float) -> list[str]:
    """``lines`` with an ellipsis closing the last one: whole words at its end
    give way to it, and only a single word is cut."""
    last = lines[-1]
    pieces = _pieces(last)
    while pieces:
        candidate = "".join(pieces).rstrip().rstrip(_SEPARATORS).rstrip()
        if candidate and text_width(candidate) + _ELLIPSIS_EM <= width:
            lines[-1] = candidate + ELLIPSIS
            return lines
        if len(pieces) == 1:
            break
        pieces.pop()
    lines[-1] = _cut(last, width)
    return lines


def truncate(text: str, width: float) -> str:
    """``text`` on one line of at most ``width`` em: whole words that fit,
    then "…" if anything was left out."""
    lines = wrap(text, width, 1)
    return lines[0] if lines else ""


def fits(text: str, width: float, max_lines: int) -> bool:
    """Whether ``text`` goes into ``max_lines`` lines of ``width`` em whole:
    nothing left out and no word cut."""
    whole = clean(text).replace(" ", "")
    return "".join(wrap(text, width, max_lines)).replace(" ", "") == whole
