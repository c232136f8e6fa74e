"""Text folding shared by merging, keys and search: one place decides what "the same word" is."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that NFKD does not decompose into an ASCII base letter.
_SPECIAL_LETTERS = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
    "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "œ": "oe", "Œ": "OE", "ı": "i",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "’": "'", "‘": "'",
    "“": '"', "”": '"',
}
_APOSTROPHE_IN_WORD = re.compile(r"(?<=\w)['’](?=\w)")
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _SPECIAL_LETTERS:
        return _SPECIAL_LETTERS[char]
    name = unicodedata.name(char, "")
    if name.startswith("GREEK "):
        # "GREEK SMALL LETTER MU" -> "mu", "GREEK CAPITAL LETTER OMEGA" -> "Omega"
        letter = name.rsplit(" ", 1)[-1].lower()
        if "LETTER" in name and letter.isalpha():
            return letter.capitalize() if "CAPITAL" in name else letter
    return char


def fold_ascii(text: str) -> str:
    """Fold diacritics, Greek letters, superscripts and ligatures to their ASCII spelling.

    Characters with no ASCII spelling are kept as they are.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    out = []
    for char in decomposed:
        if char.isascii():
            out.append(char)
        elif not unicodedata.combining(char):
            out.append(_fold_char(char))
    return "".join(out)


def fold_for_search(text: str) -> str:
    """Fold text for the index and for queries: ASCII, lower case, no in-word apostrophes."""
    return _APOSTROPHE_IN_WORD.sub("", fold_ascii(text)).lower()


def words(text: str) -> list[str]:
    """The lower-case ASCII words of a text, punctuation dropped."""
    return _WORD.findall(fold_for_search(text))


def normalize_title(title: str) -> str:
    """The form two records' titles are compared in when merging: folded words, single spaces."""
    return " ".join(words(title))
