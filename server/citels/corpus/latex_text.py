"""BibTeX field values as people read them: LaTeX turned into text (pylatexenc), nothing lost.

Only what is shown or searched is converted (titles, names, venues, abstracts), and only when
it holds LaTeX at all: most values are plain text, and converting them was most of the time
of reading a large .bib.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

# What makes a value LaTeX rather than text: commands, groups, math, ties, dashes, quotes.
_LATEX_MARKS = re.compile(r"[\\{}$~%&]|--|``|''")


@cache
def _latex_converter() -> LatexNodes2Text:
    # Made when first needed: importing pylatexenc takes 40 ms, which a server starting on
    # an index already built (no .bib to read) need not pay.
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        SpecialsTextSpec,
        get_default_latex_context_db,
    )

    context = get_default_latex_context_db()
    # pylatexenc prints the TeX logos as nothing; a title such as "The {\TeX}book" needs them.
    context.add_context_category(
        "citels-logos", prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=name) for name in ("TeX", "LaTeX", "BibTeX")]
        # Font switches ({\em x}) print nothing, not their names.
        + [MacroTextSpec(name, simplify_repl="") for name in (
            "em", "it", "bf", "sc", "tt", "rm", "sf", "sl", "up", "normalfont", "relax",
            "protect")],
        # A bare & in a title (Bell & Howell) is text to BibTeX, not a table's column.
        specials=[SpecialsTextSpec("&", "&")])
    # A macro pylatexenc does not know ({\TUG}, \AmSTeX) is kept by name, or by its
    # arguments (\mbox{x}): a title of one unknown macro must not read as untitled.
    context.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=_unknown_macro))
    return LatexNodes2Text(latex_context=context)


def _unknown_macro(node: Any, l2tobj: Any = None) -> str:
    arguments = [arg for arg in (node.nodeargd.argnlist if node.nodeargd else []) if arg]
    if arguments and l2tobj is not None:
        return "".join(l2tobj.nodelist_to_text([arg]) for arg in arguments)
    return node.macroname


# The LaTeX pieces of a long text (an abstract), each converted alone: math, a command with
# its brace arguments, an accent, a group, dashes, quotes, a tie. The rest is text as it is;
# a bare % (5% better) is a percent sign here, not a comment eating the rest.
_FRAGMENT = re.compile(r"\$[^$]*\$|\\[A-Za-z]+\*?(?:\s*\{[^{}]*\})*"
                       r"|\\[^A-Za-z\s](?:\{[^{}]*\}|[A-Za-z])?|\{[^{}]*\}|--+|``|''|~")
_BARE_PERCENT = re.compile(r"(?<!\\)%")  # in a field a percent sign, to LaTeX a comment
_WHOLE_UP_TO = 400  # characters: titles, names and venues are converted whole


def latex_to_text(value: str) -> str:
    """`The {\\TeX}book` -> 'The TeXbook', `G{\\"o}del` -> 'Gödel', `{\\TUG}` -> 'TUG'."""
    if not _LATEX_MARKS.search(value):
        return " ".join(value.split())
    if len(value) <= _CACHED_UP_TO:
        return _short_latex_to_text(value)
    return _latex_to_text(value)


_CACHED_UP_TO = 200  # characters: names and venues come back entry after entry


@lru_cache(maxsize=16_384)
def _short_latex_to_text(value: str) -> str:
    return _latex_to_text(value)


def _latex_to_text(value: str) -> str:
    if len(value) > _WHOLE_UP_TO:
        # One pylatexenc walk over a whole abstract took milliseconds: its pieces take micro.
        text = _FRAGMENT.sub(lambda match: _converted(match.group()), value)
        return " ".join(text.replace("{", "").replace("}", "").split())
    simple = _simple_latex_to_text(value)
    if simple is None and "$" in value:
        simple = _with_math(value)
    if simple is not None:
        return " ".join(simple.split())
    return " ".join(_converted(_BARE_PERCENT.sub(r"\\%", value)).split())


_MATH = re.compile(r"\$[^$]+\$")


def _with_math(value: str) -> str | None:
    """Simple LaTeX around inline math (`Top-$k$ Support`, `$\\ell_1$ Regularization`): the
    math converted alone (a few, coming back title after title), the rest as simple LaTeX;
    None when the rest is not simple. A whole walk of each such title took a millisecond."""
    parts, position = [], 0
    for match in _MATH.finditer(value):
        text = _simple_latex_to_text(value[position:match.start()])
        if text is None:
            return None
        parts += [text, _converted(match.group())]
        position = match.end()
    text = _simple_latex_to_text(value[position:])
    if text is None or position == 0:
        return None
    return "".join(parts) + text


# What most .bib titles and names hold, converted without pylatexenc (which walks a title in a
# millisecond): accents, text-style commands, escaped specials, groups, dashes, ties.
_ACCENTS = {"`": "\u0300", "'": "\u0301", "^": "\u0302", '"': "\u0308", "~": "\u0303",
            "=": "\u0304", ".": "\u0307", "H": "\u030b", "c": "\u0327", "u": "\u0306",
            "v": "\u030c", "k": "\u0328", "r": "\u030a"}
_ACCENT = re.compile(r"\\([`'^\"~=.]|[Hcuvkr](?![A-Za-z]))\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))")
_LETTERS = {"i": "ı", "j": "ȷ", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ss": "ß", "ae": "æ",
            "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å"}
_LETTER = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|[ijoOlL])(?![A-Za-z])\s*(?:\{\})?")
_STYLE = re.compile(r"\\(?:emph|textit|textbf|textsc|texttt|textrm|textsf|textsl|textup|mbox"
                    r"|textnormal|text)\s*(?=\{)|\\(?:em|it|bf|sc|tt|rm|sf|sl|up)(?![A-Za-z])\s*")
_ESCAPED = re.compile(r"\\([&%$#_{}\s,])")
_PUNCTUATION = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"),
                ("~", " "))


def _simple_latex_to_text(value: str) -> str | None:
    """The text of simple LaTeX, or None when something needs pylatexenc (math, macros)."""
    text = _ACCENT.sub(_accented, value)
    text = _LETTER.sub(lambda match: _LETTERS[match.group(1)], text)
    text = _STYLE.sub("", text)
    text = _ESCAPED.sub(lambda match: _ESCAPED_TEXT.get(match.group(1), match.group(1)), text)
    if "\\" in text or "$" in text:
        return None
    text = text.replace("{", "").replace("}", "")
    for latex, plain in _PUNCTUATION:
        text = text.replace(latex, plain)
    return unicodedata.normalize("NFC", text.replace("\x01", "{").replace("\x02", "}"))


# Escaped braces survive the removal of grouping braces by standing in as control characters.
_ESCAPED_TEXT = {"{": "\x01", "}": "\x02", ",": " ", " ": " ", "\n": " ", "\t": " "}


def _accented(match: re.Match[str]) -> str:
    base = match.group(2) or match.group(3)
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    if base.startswith("\\"):
        return match.group()
    return base + _ACCENTS[match.group(1)]


@lru_cache(maxsize=8_192)  # the same accents, dashes and macros come back entry after entry
def _converted(fragment: str) -> str:
    try:
        return _latex_converter().latex_to_text(fragment)
    except Exception:  # pylatexenc gives up on some odd input; the braces-free text still reads
        return fragment.replace("{", "").replace("}", "")


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def split_names(value: str) -> list[str]:
    """BibTeX's `A and B and C`, split at top-level `and`s only, each name as text."""
    if "{" not in value:  # no group to keep an `and` in: most author lists
        if not _LATEX_MARKS.search(value):  # nor any LaTeX: each name is text as it is
            return [" ".join(name.split()) for name in _AND.split(value) if name.strip()]
        return [latex_to_text(name).strip() for name in _AND.split(value) if name.strip()]
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", value, re.IGNORECASE):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            names.append(value[start:match.start()])
            start = match.end()
    names.append(value[start:])
    return [latex_to_text(name).strip() for name in names if name.strip()]
