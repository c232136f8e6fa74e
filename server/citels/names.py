"""People's names as a writer types and reads them: the words a name is found by, and the
short "Vaswani et al. 2017" a completion item shows.

Names come as "Given Family", "Family, Given", with particles ("van der Maaten", "de Moura"),
LaTeX accents (`Bal\\'azs`), or as an organisation (`{OpenAI}`, "Google DeepMind").
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from citels.text import words

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

# Lower-case words that start a family name rather than end the given names.
PARTICLES = frozenset("van von der den de del della di da du des dos das le la ter ten"
                      " zu af al el bin ibn st".split())
# Umlauts also written out: Müller is typed "muller" (folded) or "mueller" (transliterated).
_TRANSLITERATIONS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
_ORGANISATION_WORDS = frozenset(
    "team consortium collaboration group institute university laboratory lab labs inc ltd"
    " corporation foundation committee association society project openai deepmind".split())
_LATEX_SIGN = re.compile(r"[\\{}]")


@lru_cache(maxsize=20_000)  # the same authors come back in every candidate list
def plain_name(name: str) -> str:
    """The name with LaTeX accents and braces turned into the letters they stand for."""
    if not _LATEX_SIGN.search(name):
        return name.strip()
    try:
        return " ".join(_latex().latex_to_text(name).split())
    except Exception:  # pylatexenc is lenient, but a name is never worth a failure
        return " ".join(_LATEX_SIGN.sub("", name).split())


@cache
def _latex() -> LatexNodes2Text:
    # Made when first needed: pylatexenc takes the server's start-up ~20 ms, and most names
    # have no LaTeX in them.
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


def is_organisation(name: str, name_words: list[str] | None = None) -> bool:
    """Whether the name is an organisation's: braced whole in BibTeX, or one of its words
    (`name_words`: the stripped name's `words`, when the caller has them already)."""
    stripped = name.strip()
    if stripped.startswith("{") and stripped.endswith("}") and "," not in stripped:
        return True
    return bool(_ORGANISATION_WORDS.intersection(
        words(stripped) if name_words is None else name_words))


def family_name(name: str, organisation: bool | None = None) -> str:
    """The family name as written, particles included: "van der Maaten", "Vaswani"
    (`organisation`: whether `is_organisation(name)`, when the caller knows)."""
    plain = plain_name(name)
    if is_organisation(name) if organisation is None else organisation:
        return plain
    if "," in plain:
        return plain.split(",", 1)[0].strip()
    parts = plain.split()
    if len(parts) <= 1:
        return plain
    start = len(parts) - 1
    while start > 1 and parts[start - 1].lower() in PARTICLES:
        start -= 1
    if start == 1 and parts[0].lower() in PARTICLES:
        start = 0  # "de Moura" with no given name
    return " ".join(parts[start:])


@lru_cache(maxsize=20_000)
def name_terms(name: str) -> tuple[str, ...]:
    """The folded words a name is found by: every word of it, the family name with its
    particles joined ("vandermaaten"), and the umlauts written out ("mueller")."""
    plain = plain_name(name)
    plain_words = words(plain)
    terms = dict.fromkeys(plain_words)
    # A name with no LaTeX is its plain form, stripped: its words are those just found.
    organisation = is_organisation(name, plain_words if plain == name.strip() else None)
    family = words(family_name(name, organisation))
    if len(family) > 1 and not organisation:
        terms[''.join(family)] = None
    if not plain.isascii() and any(char in _TRANSLITERATIONS for char in plain):
        spelt = "".join(_TRANSLITERATIONS.get(char, char) for char in plain)
        terms.update(dict.fromkeys(words(spelt)))
    return tuple(terms)


def people_terms(names: list[str]) -> list[str]:
    """The folded words of several names, each once."""
    terms: dict[str, None] = {}
    for name in names:
        terms.update(dict.fromkeys(name_terms(name)))
    return list(terms)


def short_authors(authors: list[str], editors: list[str] | None = None) -> str:
    """"Vaswani", "Vaswani & Shazeer", "Vaswani et al." (editors when there are no authors)."""
    names = authors or editors or []
    if not names:
        return ""
    first = family_name(names[0])
    if len(names) == 1:
        return first
    if len(names) == 2:
        return f"{first} & {family_name(names[1])}"
    return f"{first} et al."
