"""Citation keys in the Better BibTeX style: author + three significant title words + year.

The bundled corpus knows no author names, so there a key is the title words and the year
(`mirrorDescentPolicy2020`). A paper with no title is keyed by the method it names at the
start of its abstract (`pepo`), else by a short hash of the abstract (`untitled3f9a2c`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from citels.papers import Paper
from citels.text import fold_ascii

# Words Better BibTeX leaves out of short titles (English articles, prepositions, conjunctions).
SKIP_WORDS = frozenset("""
a an the of for on in with via and or nor but to from by at as into onto over under upon
is are be than that this so per vs versus about after before between through toward towards
without within""".split())
_KEY_WORD = re.compile(r"[A-Za-z0-9]+")
# "We introduce PEPO (...)", "we propose VinePPO, ...": a capitalised name right after the verb.
_NAMED_METHOD = re.compile(
    r"\b(?i:we|this paper|this work)\s+(?i:introduce|present|propose|develop)s?\s+"
    r"(?P<name>[A-Za-z0-9][\w+-]*[A-Z][\w+-]*)"
)
_OPENING_CHARS = 300  # how far into an abstract a method's name counts as its "opening"
_VALID_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:+-]*$")


def base_key(paper: Paper) -> str:
    """The key a paper would get if no other paper had it."""
    author = ""
    if paper.authors:
        author = "".join(_ascii_words(last_name(paper.authors[0]))).lower()
    if paper.title:
        significant = [w for w in _ascii_words(paper.title) if w.lower() not in SKIP_WORDS]
        title_part = "".join(w[:1].upper() + w[1:].lower() for w in significant[:3])
        if not author:
            title_part = title_part[:1].lower() + title_part[1:]
        stem = author + title_part
    else:
        stem = author + _abstract_stem(paper.abstract or "")
    year = str(paper.year) if paper.year else ""
    if not stem or not stem[0].isalpha():
        stem = "paper" + stem[:1].upper() + stem[1:]
    return stem + year


def last_name(name: str) -> str:
    """The family name of a BibTeX-style name: 'Last, First' or 'First von Last'."""
    if "," in name:
        return name.split(",", 1)[0].strip()
    parts = name.split()
    return parts[-1] if parts else ""


def unique_key(base: str, is_taken: Callable[[str], bool],
               tried: dict[str, int] | None = None) -> str:
    """`base`, else `basea`, `baseb`, … `baseaa`: the first not taken (case-insensitively).

    `tried`, kept across calls while keys are only ever added, remembers per base where
    to go on from: a title start shared by thousands of papers would otherwise try
    thousands of suffixes for each of them.
    """
    lower = base.lower()
    position = tried.get(lower) if tried is not None else None
    if position is None:
        position = 0
        if not is_taken(lower):
            return base  # not remembered: a base taken once is found taken again
    while is_taken((base + _suffix(position)).lower()):
        position += 1
    if tried is not None:
        tried[lower] = position + 1
    return base + _suffix(position)


def is_valid_key(key: str) -> bool:
    """Whether a key is safe in BibTeX and in Pandoc's `@key` syntax."""
    return bool(_VALID_KEY.match(key))


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _suffix(position: int) -> str:
    """The suffixes in order: a … z, aa … zz, aaa …"""
    size = 1
    while position >= len(_LETTERS) ** size:
        position -= len(_LETTERS) ** size
        size += 1
    chars = []
    for _ in range(size):
        position, rest = divmod(position, len(_LETTERS))
        chars.append(_LETTERS[rest])
    return "".join(reversed(chars))


def _ascii_words(text: str) -> list[str]:
    return _KEY_WORD.findall(fold_ascii(text).replace("'", ""))


def _abstract_stem(abstract: str) -> str:
    opening = abstract[:_OPENING_CHARS]
    match = _NAMED_METHOD.search(opening)
    if match:
        name = "".join(_ascii_words(match["name"])).lower()
        if name:
            return name
    digest = hashlib.sha1(" ".join(abstract.split()).encode("utf-8")).hexdigest()[:6]
    return f"untitled{digest}"
