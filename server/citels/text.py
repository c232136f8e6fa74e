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
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


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


class _FoldTable(dict):
    """str.translate table computed on demand: ASCII stays, anything else is folded once."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char.isascii():
            # Kept as it is, and remembered: mostly-ASCII text with a few accents would
            # otherwise ask again for every ASCII letter of it.
            self[code] = char
            return char
        folded = "".join(_fold_char(part) if not part.isascii() else part
                         for part in unicodedata.normalize("NFKD", char)
                         if not unicodedata.combining(part))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_FOLD_TABLE)


def fold_ascii(text: str) -> str:
    """Fold diacritics, Greek letters, superscripts and ligatures to their ASCII spelling.

    Characters with no ASCII spelling are kept as they are. Most text is ASCII already, so
    that case costs one check; the rest has its few other characters translated over a
    table filled as needed, run by run (translating a whole abstract looked up every
    character in the table: 11 -> 3.5 µs an abstract, a quarter of them not ASCII).
    """
    return text if text.isascii() else _NOT_ASCII.sub(_fold_run, text)


def fold_for_search(text: str) -> str:
    """Fold text for the index and for queries: ASCII, lower case, no in-word apostrophes."""
    folded = fold_ascii(text)
    if "'" in folded:  # most text has none: skip the regular expression
        folded = _APOSTROPHE_IN_WORD.sub("", folded)
    return folded.lower()


# Every byte but a-z and 0-9 made a space: splitting ASCII text so is three times as fast
# as the regular expression, and gives the same words (indexing splits every abstract).
_NOT_WORD_BYTES = bytes(byte if chr(byte).isascii() and chr(byte) in
                        "abcdefghijklmnopqrstuvwxyz0123456789" else 32 for byte in range(256))


def words(text: str) -> list[str]:
    """The lower-case ASCII words of a text, punctuation dropped."""
    folded = fold_ascii(text)
    if folded.isascii() and "''" not in folded:
        # Every apostrophe deleted, as fold_for_search deletes those inside a word: a lone
        # one with a word on one side only parts nothing its other neighbour does not.
        # (Two together part words there, and are left to the regular expression.)
        return folded.lower().encode("ascii").translate(_NOT_WORD_BYTES, b"'") \
            .decode("ascii").split()
    folded = fold_for_search(folded)
    if folded.isascii():
        return folded.encode("ascii").translate(_NOT_WORD_BYTES).decode("ascii").split()
    return _WORD.findall(folded)


def spaced_words(text: str) -> str:
    """The text's words (as `words` gives them) with spaces around each: ' a b  c ', for
    finding a word (' a ') or a word's start (' a') by substring. Most text is ASCII: its
    other characters are made spaces in place, with no list of words made and joined."""
    folded = fold_ascii(text)
    if folded.isascii() and "''" not in folded:
        return " " + folded.lower().encode("ascii").translate(_NOT_WORD_BYTES, b"'") \
            .decode("ascii") + " "
    return " " + " ".join(words(text)) + " "


def sentences(text: str) -> list[str]:
    """A text's sentences (split after . ! ? before a capital)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def normalize_title(title: str) -> str:
    """The form two records' titles are compared in when merging: folded words, single spaces."""
    return " ".join(words(title))


# --- search aliases: other spellings a writer may type for a title's words ---------------

_CAMEL_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
# Words that carry no initial in an acronym ("Reinforcement Learning from Human Feedback").
ACRONYM_SKIP_WORDS = frozenset(
    "a an the of for on in with via and or to from by at as into is are".split())
ACRONYM_RUNS = range(3, 6)  # acronyms of 3 to 5 consecutive significant words


def camel_parts(word: str) -> list[str]:
    """'CyberSecEval' -> ['cyber', 'sec', 'eval']; a word without inner capitals -> []."""
    ascii_word = fold_ascii(word)
    rest = ascii_word[1:]
    if rest == rest.lower() or ascii_word == ascii_word.upper():
        return []  # no capital after the first letter, or no small letter at all
    return [part.lower() for part in _CAMEL_PART.findall(ascii_word)]


def squashed(word: str) -> str:
    """A written word with its punctuation dropped: 'MedS^3' -> 'meds3', 'u-μP' -> 'umup'."""
    return "".join(words(word))


def acronyms(text: str, text_words: list[str] | None = None) -> list[str]:
    """Initials of every run of 3-5 consecutive significant words: 'rlhf', 'dpo', 'mcts'.
    `text_words` are the text's `words`, when the caller has them already."""
    # (`words` parts words at a hyphen: "Human-in-the-Loop" gives "hitl".)
    initials = "".join([w[0] for w in (words(text) if text_words is None else text_words)
                        if w not in ACRONYM_SKIP_WORDS and w[0].isalpha()])
    return [initials[start:start + size] for size in ACRONYM_RUNS
            for start in range(len(initials) - size + 1)]


_WRITTEN_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*s?\b")


def written_acronyms(text: str) -> set[str]:
    """Words a text writes in capitals, as acronyms are ('SGD', 'LLMs'), lower-cased."""
    return {m.group().lower() for m in _WRITTEN_ACRONYM.finditer(fold_ascii(text))}


def title_aliases(title: str, *, with_acronyms: bool = True,
                  title_words: list[str] | None = None) -> list[str]:
    """Other spellings of a title's words: camel-case parts and their joins, squashed words,
    and (unless not `with_acronyms`) acronyms of its word runs. `title_words` are the
    title's `words`, when the caller has them already."""
    aliases: list[str] = []
    for written in title.split():
        if written.isalnum() and written.isascii() and written[1:].lower() == written[1:]:
            continue  # most words: no inner capital, no punctuation, so no other spelling
        parts = camel_parts(written.strip(":,.;!?()"))
        for size in range(1, len(parts)):
            aliases += ["".join(parts[i:i + size]) for i in range(len(parts) - size + 1)]
        if parts or (not written.isalnum() and len(words(written)) > 1):
            aliases.append(squashed(written))
    if with_acronyms:
        aliases += acronyms(title, title_words)
    return list(dict.fromkeys(a for a in aliases if a))


# A written name has a capital after its first character: MaD-Mix, VinePPO, GPT-4o. The
# capital comes first in the pattern so the scan looks for capitals only (twice as fast),
# and the match takes in the rest of the name, so the scan goes on after it (an acronym's
# other capitals are not each matched and passed over).
_INNER_CAPITAL = re.compile(r"[A-Z](?<=\w[A-Z])[\w+-]*")
_NAME_CHARACTERS = re.compile(r"[\w+-]*")


def names_in_text(text: str) -> list[str]:
    """The written names in a text: runs of word characters, '+' and '-' with a capital
    after a word character. Found from the capitals out, as few words have one."""
    names = []
    backwards = ""  # the text reversed, to find where a name starts with one match
    for match in _INNER_CAPITAL.finditer(text):
        start = match.start() - 1  # the word character before the capital
        backwards = backwards or text[::-1]
        before = len(text) - start  # where the characters before `start` begin, reversed
        start -= _NAME_CHARACTERS.match(backwards, before).end() - before
        names.append(text[start:match.end()])
    return names


def abstract_aliases(abstract: str) -> list[str]:
    """Names of methods in an abstract, spelt other ways: 'MaD-Mix' -> 'madmix', 'mad mix'."""
    aliases: list[str] = []
    for written in dict.fromkeys(names_in_text(abstract)):
        if len(written) <= 30:
            aliases += camel_parts(written)
            if len(words(written)) > 1:
                aliases.append(squashed(written))
    return list(dict.fromkeys(a for a in aliases if a))
