"""The text side of the catalogue's search: what is indexed for a resource and what a query asks.

Pure functions over strings; the database side is :mod:`xietong.resources.search`.

Why this shape (DESIGN.md, "Chinese search"): raw Chinese is one token to SQLite FTS5's
``unicode61`` and to PostgreSQL's ``simple`` configuration, and FTS5's trigram tokenizer
returns nothing for queries under three characters. So a resource's *document* is a set of
tokens made here, which both databases index as they are (FTS5 ``unicode61``, a ``simple``
tsvector with GIN):

* every Chinese character and every pair of adjacent characters of the title and the
  description (unigrams and bigrams) — a one- or two-character query is then one exact
  token, and a longer one is the conjunction of its bigrams, checked against the text
  (PostgreSQL: ``pg_trgm``), so search finds exactly what ``LIKE '%q%'`` finds;
* the Latin words and numbers of the text, lower-cased;
* pinyin of the title and of the resource's names (subjects, stages, kind, provider,
  authors), word by word after jieba's segmentation with a domain dictionary: each
  character's syllable, and the full syllables and the initials of runs of up to four
  words ("名师示范课" → ``mingshishifanke``, ``mssfk``), so that a prefix query finds them.

Surnames are read as surnames (曾 ``zeng``, 单 ``shan``, 解 ``xie``, 仇 ``qiu``, 朴 ``piao``,
``data/surnames.tsv``) at the start of a person's name and before a title (曾老师).

jieba is loaded on first use, once per process (about 1 s with its cache in the var dir,
see :func:`warm`), with its log silenced.
"""

from __future__ import annotations

import csv
import logging
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

DATA = Path(__file__).resolve().parent / "data"

MAX_QUERY_CHARS = 200  # characters of a query looked at (after the first 2,000 are cut)
MAX_TERMS = 8  # terms of a query searched for; more are dropped and said so
MAX_TERM_CHARS = 32
CHAIN_WORDS = 4  # pinyin runs of up to this many words are indexed
CHAIN_CHARS = 12  # ... and of up to this many characters
SPAN_CHARS = 6  # and the pinyin of every run of up to this many characters

# Words a person's title follows: the surname before them is read as a surname.
PERSON_TITLES = frozenset(
    "老师 老师们 校长 副校长 主任 教授 副教授 先生 女士 同学 书记 院长 园长 特级教师 "  # noqa: SIM905
    "名师 教练 博士 工作室 名师工作室 教师".split()
)
# Operator words of FTS5 and of web search syntax: not searched for.
OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})

_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a Chinese character (CJK unified or compatibility ideograph).

    >>> is_cjk("数"), is_cjk("a"), is_cjk("，")
    (True, False, False)
    """
    o = ord(ch)
    return any(a <= o <= b for a, b in _CJK_RANGES)


def normalize(text: str) -> str:
    """NFKC (full-width to half-width) and case folded: how text and queries are compared.

    >>> normalize("ＰＰＴ课件")
    'ppt课件'
    """
    return unicodedata.normalize("NFKC", text).casefold()


RunKind = Literal["cjk", "alnum"]


_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(f"([{_CJK_CLASS}]+)|([0-9a-z]+)")


def runs(text: str) -> list[tuple[RunKind, str]]:
    """The runs of Chinese characters and of ASCII letters and digits in normalized
    ``text``; everything else (punctuation, spaces, other scripts) separates them.

    O(n) in the length of the text.

    >>> runs("初二(3)班：勾股定理")
    [('cjk', '初二'), ('alnum', '3'), ('cjk', '班'), ('cjk', '勾股定理')]
    """
    return [
        ("cjk", m.group(1)) if m.group(1) else ("alnum", m.group(2))
        for m in _RUN.finditer(normalize(text))
    ]


def _spans(norm: str) -> list[tuple[RunKind, str, int, int]]:
    return [
        ("cjk" if m.group(1) else "alnum", m.group(0), m.start(), m.end())
        for m in _RUN.finditer(norm)
    ]


def grams(text: str) -> set[str]:
    """The substring tokens of ``text``: every Chinese character, every pair of adjacent
    Chinese characters, and every Latin word or number (lower-cased).

    Any substring ``q`` of a run of Chinese characters then has all its bigrams (or, for
    one character, its unigram) among the tokens: a necessary condition for
    ``q in text`` that an inverted index answers. O(n).

    >>> sorted(grams("数学课 PPT"))
    ['ppt', '学', '学课', '数', '数学', '课']
    """
    out: set[str] = set()
    for kind, run in runs(text):
        if kind == "alnum":
            out.add(run)
            continue
        out.update(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def query_grams(run: str) -> list[str]:
    """The tokens a document must hold for the Chinese run ``run`` to be in its text:
    its one character, or its bigrams.

    >>> query_grams("数"), query_grams("一元二次")
    (['数'], ['一元', '元二', '二次'])
    """
    if len(run) == 1:
        return [run]
    return list(dict.fromkeys(run[i : i + 2] for i in range(len(run) - 1)))


# --- segmentation -------------------------------------------------------------------------


def _read_tsv(name: str) -> list[list[str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return [row for row in csv.reader(lines, delimiter="\t") if row and row[0].strip()]


def domain_words() -> list[str]:
    """The domain dictionary: ``data/search_words.tsv``, the subjects' and stages' Chinese
    names and aliases, and the resource kinds' Chinese names."""
    from xietong.core.codes import STAGES, SUBJECTS

    words = [row[0].strip() for row in _read_tsv("search_words.tsv")]
    for table in (SUBJECTS, STAGES):
        for entry in table.entries:
            words.append(entry.zh)
            words.extend(a for a in entry.aliases if any(is_cjk(c) for c in a))
    words.extend(KIND_WORDS.values())
    return [w for w in dict.fromkeys(words) if w and all(is_cjk(c) for c in w)]


# The kinds' Chinese names as the catalogue shows them (resources.po); indexed as pinyin.
KIND_WORDS = {
    "course": "课程",
    "lesson_video": "课例视频",
    "courseware": "课件",
    "exercises": "习题集",
    "studio": "名师工作室",
    "practice_base": "实践基地",
    "lab": "实验室",
    "platform": "数字平台",
}

_jieba_lock = threading.Lock()


@cache
def _tokenizer() -> Any:
    """jieba's tokenizer with the domain dictionary, its cache in the var dir, silent."""
    with _jieba_lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba 0.42 imports pkg_resources
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        try:
            from django.conf import settings

            tok.tmp_dir = str(settings.VAR_DIR)
        except Exception:  # outside Django (a script): jieba's default temp dir
            pass
        tok.initialize()
        for word in domain_words():
            tok.add_word(word, freq=20000)
    return tok


def warm() -> float:
    """Load jieba now (not on the first search); returns the seconds it took."""
    import time

    started = time.perf_counter()
    _tokenizer()
    surnames()
    syllables("数")
    pinyin_syllables()
    return time.perf_counter() - started


@lru_cache(maxsize=65536)
def _cut(run: str) -> tuple[str, ...]:
    return tuple(_tokenizer().cut(run, HMM=True))


def segment(text: str) -> list[str]:
    """The words of ``text`` (normalized): Chinese runs cut by jieba with the domain
    dictionary, Latin words and numbers as they are; punctuation dropped.

    Linear in the text (jieba's DAG over the dictionary, then Viterbi for unknown runs).

    >>> segment("北京四中·名师示范课：一元二次方程")
    ['北京四中', '名师', '示范课', '一元二次方程']
    """
    words: list[str] = []
    for kind, run in runs(text):
        if kind == "alnum":
            words.append(run)
        else:
            words.extend(_cut(run))
    return words


# --- pinyin -------------------------------------------------------------------------------


@cache
def surnames() -> dict[str, tuple[str, ...]]:
    """The surname override table (``data/surnames.tsv``): surname → its syllables."""
    return {row[0].strip(): tuple(row[1].split()) for row in _read_tsv("surnames.tsv")}


def _unknown(chars: str) -> Any:
    return ["?"] * len(chars)  # pypinyin's hook for characters it cannot read


@lru_cache(maxsize=262144)
def syllables(word: str) -> tuple[str, ...]:
    """The toneless pinyin of a Chinese word, one syllable per character (pypinyin's
    phrase dictionary decides heteronyms: 单元 ``dan yuan``).

    >>> syllables("数学")
    ('shu', 'xue')
    """
    from pypinyin import Style, lazy_pinyin

    out = lazy_pinyin(word, style=Style.NORMAL, errors=_unknown, v_to_u=False)
    return tuple(s if s.isascii() and s.isalpha() else "?" for s in out)


def name_syllables(name: str) -> tuple[str, ...]:
    """The pinyin of a person's name, its surname read as a surname.

    >>> name_syllables("曾红梅"), name_syllables("单田芳"), name_syllables("尉迟恭")
    (('zeng', 'hong', 'mei'), ('shan', 'tian', 'fang'), ('yu', 'chi', 'gong'))
    """
    table = surnames()
    for size in (2, 1):
        head = name[:size]
        if len(head) == size and head in table:
            rest = name[size:]
            return table[head] + (syllables(rest) if rest else ())
    return syllables(name)


def word_syllables(words: Sequence[str]) -> list[tuple[str, ...]]:
    """The syllables of each (Chinese) word of a segmented text; a word that starts with
    a surname and comes before a person's title (老师, 校长, 工作室 …) is read as a name.

    >>> word_syllables(["曾", "老师"]), word_syllables(["曾经"])
    ([('zeng',), ('lao', 'shi')], [('ceng', 'jing')])
    """
    table = surnames()
    out = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if nxt in PERSON_TITLES and len(w) <= 4 and (w[:1] in table or w[:2] in table):
            out.append(name_syllables(w))
        else:
            out.append(syllables(w))
    return out


def _chains(readings: list[tuple[str, ...]], words: Sequence[str]) -> set[str]:
    """Full pinyin and initials of every run of up to CHAIN_WORDS words (CHAIN_CHARS
    characters) and of every run of up to SPAN_CHARS characters, whatever the words.

    A query's pinyin is then one exact token ("shuxue" in 数学课, "mssfk"), which an
    inverted index answers with one posting list; prefix queries would merge thousands.
    O(n · SPAN_CHARS) for n characters.
    """
    out: set[str] = set()
    for i in range(len(readings)):
        full, initials, chars = "", "", 0
        for j in range(i, min(i + CHAIN_WORDS, len(readings))):
            chars += len(words[j])
            if chars > CHAIN_CHARS and j > i:
                break
            syl = readings[j]
            if "?" in syl:
                break
            full += "".join(syl)
            initials += "".join(s[0] for s in syl)
            out.add(full)
            out.add(initials)
    flat = [s for syl in readings for s in syl]
    for i in range(len(flat)):
        full, initials = "", ""
        for s in flat[i : i + SPAN_CHARS]:
            if s == "?":
                break
            full += s
            initials += s[0]
            out.add(full)
            out.add(initials)
    return out


def pinyin_tokens(text: str, *, names: Iterable[str] = ()) -> set[str]:
    """The pinyin tokens of ``text`` (segmented) and of people's ``names``.

    >>> sorted(t for t in pinyin_tokens("名师示范课") if t.startswith("mi"))
    ['ming', 'mingshi', 'mingshishi', 'mingshishifan', 'mingshishifanke']
    >>> sorted(t for t in pinyin_tokens("名师示范课") if t.startswith("ms"))
    ['ms', 'mss', 'mssf', 'mssfk']
    >>> "zenghongmei" in pinyin_tokens("", names=["曾红梅"])
    True
    """
    out: set[str] = set()
    words = segment(text)
    # chains run over consecutive Chinese words only; a Latin word breaks them
    group: list[str] = []
    for w in [*words, ""]:
        if w and is_cjk(w[0]):
            group.append(w)
            continue
        if group:
            out |= _chains(word_syllables(group), group)
            group = []
    for name in names:
        name = normalize(name).strip()
        if name and all(is_cjk(c) for c in name):
            syl = name_syllables(name)
            if "?" not in syl:
                out.update({"".join(syl), "".join(s[0] for s in syl), *syl})
    return out


@lru_cache(maxsize=262144)
def _title_tokens(title: str) -> frozenset[str]:
    """Titles repeat too (a grade, a subject, a topic): their pinyin is kept."""
    return frozenset(pinyin_tokens(title))


@lru_cache(maxsize=65536)
def _label_tokens(label: str) -> frozenset[str]:
    """Labels repeat (subjects, stages, providers): their tokens are kept."""
    return frozenset(pinyin_tokens(label)) | {run for kind, run in runs(label) if kind == "alnum"}


@lru_cache(maxsize=65536)
def _name_tokens(name: str) -> frozenset[str]:
    return frozenset(pinyin_tokens("", names=[name]))


# --- what is indexed ----------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A resource as the index holds it.

    ``tokens``: the space-separated token set of the whole resource (FTS5 column,
    tsvector literal); ``title_tokens``: the title's own tokens (its grams, pinyin and
    Latin words), space-separated between spaces, so that ``' ' + token + ' '`` in it
    (SQLite) or the tsvector (PostgreSQL) says a query term matched the title.
    """

    tokens: str
    title_tokens: str


def title_tokens(title: str) -> str:
    """The title's own tokens, between spaces (``Document.title_tokens``).

    >>> {"shuxue", "数学", "sxk"} <= set(title_tokens("数学课").split())
    True
    """
    words = {run for kind, run in runs(title) if kind == "alnum"}
    keys = sorted(grams(title) | _title_tokens(title) | words)
    return " " + " ".join(keys) + " "


def document(
    title: str,
    description: str = "",
    *,
    labels: Iterable[str] = (),
    names: Iterable[str] = (),
) -> Document:
    """The index document of a resource: substring tokens of title and description,
    pinyin of the title and of ``labels`` (subjects, stages, kind, provider, edition),
    pinyin of people's ``names`` (authors).

    Linear in the length of the texts.

    >>> doc = document("名师示范课：数学", "初二", labels=["数学"])
    >>> {"mssfk", "shuxue", "数学", "示范"} <= set(doc.tokens.split())
    True
    >>> " shuxue " in doc.title_tokens
    True
    """
    tokens = grams(title) | grams(description) | _title_tokens(title)
    for label in labels:
        tokens |= _label_tokens(label)
    for name in names:
        tokens |= _name_tokens(name)
    return Document(" ".join(sorted(tokens)), title_tokens(title))


# --- what a query asks --------------------------------------------------------------------

TermKind = Literal["chinese", "mixed", "pinyin", "initials", "word"]


@dataclass(frozen=True)
class Term:
    """One term of a query: every term must match (AND).

    ``text``: normalized; ``kind``: ``chinese`` (Chinese characters only), ``mixed``
    (Chinese with Latin letters or digits: "初二3班"), ``pinyin`` (letters that read as
    syllables: "shuxue"), ``initials`` (letters that do not: "mssfk"), ``word`` (with
    digits: "2024", "python3"); ``runs``: its Chinese runs (for the index).
    """

    text: str
    kind: TermKind
    runs: tuple[str, ...] = ()

    @property
    def latin(self) -> bool:
        return self.kind in ("pinyin", "initials", "word")


@dataclass(frozen=True)
class Query:
    """What a search text asks for, for the search and for the page to explain it."""

    text: str  # what was given (cut to a sane length)
    terms: tuple[Term, ...] = ()
    truncated: bool = False  # the query was cut: too long or too many terms
    dropped: tuple[str, ...] = field(default=())  # operator words not searched for

    @property
    def empty(self) -> bool:
        """Nothing to search: no Chinese character, letter or digit in the query."""
        return not self.terms

    @property
    def kinds(self) -> set[str]:
        return {t.kind for t in self.terms}


@cache
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (``lv`` for lü)."""
    from pypinyin.pinyin_dict import pinyin_dict

    out: set[str] = set()
    for readings in pinyin_dict.values():
        for r in readings.split(","):
            plain = "".join(
                c for c in unicodedata.normalize("NFD", r) if not unicodedata.combining(c)
            )
            out.add(plain.replace("ü", "v").lower())
    return frozenset(s for s in out if s.isascii() and s.isalpha())


def is_pinyin(word: str) -> bool:
    """Whether ``word`` (letters) splits into pinyin syllables. O(n · 6) by dynamic
    programming over syllable lengths 1–6.

    >>> is_pinyin("shuxue"), is_pinyin("mssfk"), is_pinyin("xian")
    (True, False, True)
    """
    valid = pinyin_syllables()
    n = len(word)
    ok = [True] + [False] * n
    for i in range(1, n + 1):
        ok[i] = any(ok[i - k] and word[i - k : i] in valid for k in range(1, min(6, i) + 1))
    return n > 0 and ok[n]


_SPLIT = re.compile(r"\s+")


def analyse(text: Any) -> Query:
    """Read a search text: its terms (split at spaces and punctuation), each classified.

    Never raises and never passes syntax through: a term holds only Chinese characters
    and ASCII letters and digits, so quotes, ``*``, ``:``, ``&``, ``|``, ``!``, ``-`` and
    parentheses are separators, and the words AND, OR, NOT and NEAR (in capitals) are
    dropped. At most MAX_QUERY_CHARS characters and MAX_TERMS terms of MAX_TERM_CHARS
    characters are searched for (``truncated`` says so). O(n) in the text up to the caps.

    >>> [t.kind for t in analyse("数学 mssfk shuxue 初二3班 2024").terms]
    ['chinese', 'initials', 'pinyin', 'mixed', 'word']
    >>> analyse("？！……").empty
    True
    """
    raw = str(text or "")
    truncated = len(raw) > 2000
    raw = raw[:2000]
    terms: list[Term] = []
    dropped: list[str] = []
    seen: set[str] = set()
    used = 0
    for piece in _SPLIT.split(raw):
        if not piece:
            continue
        if piece in OPERATORS:
            dropped.append(piece)
            continue
        # a piece splits further at punctuation: "名师·示范课" is two terms
        parts: list[list[tuple[RunKind, str]]] = [[]]
        last_end: int | None = None
        for kind, run, start, end in _spans(normalize(piece)):
            if last_end is not None and start != last_end:
                parts.append([])
            parts[-1].append((kind, run))
            last_end = end
        for part in parts:
            if not part:
                continue
            word = "".join(run for _, run in part)
            if len(word) > MAX_TERM_CHARS:
                word, truncated = word[:MAX_TERM_CHARS], True
                part = runs(word)
            if used + len(word) > MAX_QUERY_CHARS or len(terms) >= MAX_TERMS:
                truncated = True
                break
            if word in seen:
                continue
            seen.add(word)
            used += len(word)
            cjk = tuple(run for kind, run in part if kind == "cjk")
            if cjk and len(cjk) == len(part):
                kind_: TermKind = "chinese"
            elif cjk:
                kind_ = "mixed"
            elif word.isalpha() and is_pinyin(word):
                kind_ = "pinyin"
            elif word.isalpha() and sum(c in "aeiouv" for c in word) <= 1:
                kind_ = "initials"
            else:
                kind_ = "word"
            terms.append(Term(word, kind_, cjk))
    return Query(raw[:MAX_QUERY_CHARS], tuple(terms), truncated, tuple(dropped))
