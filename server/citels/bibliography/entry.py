"""Render a paper as a BibTeX entry: stable field order, valid escaping, protected capitals.

An entry read from the user's own .bib is written back with its own type, key and raw field
values; every other paper gets an entry built from what is known, inventing nothing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from citels.papers import Paper
from citels.render import abstract_opening

if TYPE_CHECKING:
    from pylatexenc.latexencode import UnicodeToLatexEncoder

# LaTeX the source already wrote is kept as it is: inline math, old-style groups such as
# {\em x}, and commands with one brace-balanced argument such as \textit{x}.
_LATEX_ALREADY = re.compile(r"\$[^$]+\$|\{\\[A-Za-z]+\s[^{}]*\}|\\[A-Za-z]+(?:\{[^{}]*\})?")
_SUPERSCRIPT = re.compile(r"\^(\d+)")  # MedS^3: a superscript written with a caret
# Text commands every LaTeX document knows; any other command in a source (an author's own
# \method) would be undefined where the entry is printed, so only its name is kept.
KNOWN_TEXT_COMMANDS = frozenset(
    "emph em textit textbf textsc texttt textrm textsf textsl textsuperscript textsubscript"
    " it bf tt sc sl rm sf ldots dots LaTeX TeX".split())
_COMMAND_NAME = re.compile(r"\\([A-Za-z]+)")
_TEXT_IN_MATH = re.compile(r"\\text\{")
_SPECIALS = {
    "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "$": r"\$", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
}
MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec")
FIELD_ORDER = ("author", "editor", "title", "journal", "booktitle", "year", "month", "date",
               "key", "doi", "url", "note", "abstract")


def escape(text: str, *, unicode: bool = False) -> str:
    """Make text valid in a BibTeX field value; `unicode` keeps UTF-8 letters (for biber)."""
    out = []
    position = 0
    for match in _LATEX_ALREADY.finditer(text):
        out.append(_escape_plain(text[position:match.start()], unicode))
        out.append(_kept_latex(match.group(), unicode))
        position = match.end()
    out.append(_escape_plain(text[position:], unicode))
    return "".join(out)


def _kept_latex(fragment: str, unicode: bool) -> str:
    """LaTeX from the source, made safe to print anywhere."""
    if fragment.startswith("$"):
        # \text needs amsmath; \mathrm does not. Unicode (ε in $ε_{BC}$) becomes macros.
        fragment = _TEXT_IN_MATH.sub(r"\\mathrm{", fragment)
        return "".join(_encode_char(char, unicode) for char in fragment)
    name = _COMMAND_NAME.search(fragment)
    if name and name.group(1) in KNOWN_TEXT_COMMANDS:
        return "".join(_encode_char(char, unicode) for char in fragment)
    # An unknown command: keep its name and argument as text.
    return _escape_plain(_COMMAND_NAME.sub(r"\1", fragment).strip("{}"), unicode)


def _escape_plain(text: str, unicode: bool) -> str:
    pieces = []
    position = 0
    for match in _SUPERSCRIPT.finditer(text):
        pieces.append(_escape_chars(text[position:match.start()], unicode))
        pieces.append(rf"\textsuperscript{{{match.group(1)}}}")
        position = match.end()
    pieces.append(_escape_chars(text[position:], unicode))
    return "".join(pieces)


def _escape_chars(text: str, unicode: bool) -> str:
    escaped = "".join(_SPECIALS.get(char, char) for char in text)
    return "".join(_encode_char(char, unicode) for char in escaped)


def _encode_char(char: str, unicode: bool) -> str:
    # UTF-8 (when asked) for letters any LaTeX engine reads: Latin with accents. Macros for
    # the rest (Greek, symbols), which pdfLaTeX cannot typeset from UTF-8.
    if char.isascii() or (unicode and _is_latin_letter(char)):
        return char
    return _encoder().unicode_to_latex(char)


@cache
def _encoder() -> UnicodeToLatexEncoder:
    # Made when first needed: its import takes the server's start-up ~10 ms, and only an
    # entry being written uses it.
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(non_ascii_only=True, replacement_latex_protection="braces-all",
                                 unknown_char_policy="keep")


def _is_latin_letter(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "")


def protect_title(title: str, *, unicode: bool = False) -> str:
    """Escape a title and brace the words whose capitals must survive a lower-casing style."""
    words = []
    for word in title.split(" "):
        escaped = escape(word, unicode=unicode)
        words.append("{" + escaped + "}" if _needs_protection(word) else escaped)
    return " ".join(words)


def _needs_protection(word: str) -> bool:
    if "$" in word or "\\" in word:
        return False
    # Capitalised on purpose: a capital after the first letter of a part (DPO, LLaMA,
    # VinePPO, u-μP), or capitals with digits or a plus (R1V2, CFG++). Hyphenated title-case
    # words (Self-Evolved) are ordinary words.
    for part in re.split(r"[-–/]", word):
        letters = [char for char in part if char.isalpha()]
        if any(char.isupper() for char in letters[1:]):
            return True
        if letters and letters[0].isupper() and any(c.isdigit() or c == "+" for c in part):
            return True
    return False


def to_bibtex(paper: Paper, *, unicode: bool = False, include_abstract: bool = True,
              url_field: str = "url") -> str:
    """The paper's entry; nothing is invented, and an untitled paper says so in brackets."""
    key = paper.key or paper.source_key
    assert key, "an entry needs a key"
    if paper.fields:
        fields = dict(paper.fields)  # the user's entry, value for value
        if not include_abstract:
            fields.pop("abstract", None)
        return _layout(paper.entry_type or "misc", key, fields, raw=True)
    fields = _known_fields(paper, unicode, url_field)
    if include_abstract and paper.abstract:
        fields["abstract"] = escape(paper.abstract, unicode=unicode)
    entry_type = paper.entry_type or ("article" if paper.venue else "misc")
    return _layout(entry_type, key, fields, raw=False)


def _known_fields(paper: Paper, unicode: bool, url_field: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    if paper.authors:
        fields["author"] = " and ".join(_bibtex_name(name, unicode) for name in paper.authors)
    if paper.editors:
        fields["editor"] = " and ".join(_bibtex_name(name, unicode) for name in paper.editors)
    if paper.title:
        fields["title"] = protect_title(paper.title, unicode=unicode)
    else:
        # Supplied, not found: the cataloguers' square brackets say so.
        opening = abstract_opening(paper.abstract or "", words=8)
        fields["title"] = escape(f'[Untitled; abstract begins "{opening}"]', unicode=unicode)
    if paper.venue:
        venue_field = "booktitle" if paper.entry_type == "inproceedings" else "journal"
        fields[venue_field] = escape(paper.venue, unicode=unicode)
    if paper.year:
        fields["year"] = str(paper.year)
    month = paper.month or (int(paper.date[5:7]) if paper.date else None)
    if month and 1 <= month <= 12:
        fields["month"] = MONTH_MACROS[month - 1]  # a macro: every style prints its name
    if paper.date:
        fields["date"] = paper.date
    if not paper.authors:
        # Styles sort author-less entries by `key`; without it they warn and sort by nothing.
        fields["key"] = escape(paper.title or paper.key or "", unicode=unicode)
    if paper.doi:
        fields["doi"] = escape(paper.doi, unicode=unicode)
    if paper.urls and url_field == "url":
        fields["url"] = paper.urls[0]
        if len(paper.urls) > 1:
            fields["note"] = "See also " + ", ".join(escape(url) for url in paper.urls[1:])
    elif paper.urls:
        fields["note"] = "Code: " + ", ".join(escape(url) for url in paper.urls)
    return fields


# Words that make a name an organisation's: BibTeX must not read "Gemini Team" as G. Team.
_CORPORATE = re.compile(
    r"\b(?:team|consortium|collaboration|group|committee|association|institute|organi[sz]ation"
    r"|university|inc|ltd|llc|gmbh|project|foundation|society|council|agency|ministry|office"
    r"|laborator(?:y|ies)|cent(?:er|re)|department|commission|board|network|initiative"
    r"|alliance|corporation|company|community|authors|contributors|developers)\b",
    re.IGNORECASE)


def _bibtex_name(name: str, unicode: bool) -> str:
    """A name for BibTeX's author field; an organisation's braced whole."""
    escaped = escape(name, unicode=unicode)
    if "," not in name and _CORPORATE.search(name) and not name.startswith("{"):
        return "{" + escaped + "}"
    return escaped


def _layout(entry_type: str, key: str, fields: dict[str, str], *, raw: bool) -> str:
    """One field a line, names aligned, known fields in a fixed order, then the rest."""
    names = [n for n in FIELD_ORDER if n in fields] + [n for n in fields if n not in FIELD_ORDER]
    width = max((len(name) for name in names), default=0)
    lines = [f"@{entry_type}{{{key},"]
    for name in names:
        value = fields[name]
        if not raw and not (name == "month" and value in MONTH_MACROS):
            value = "{" + value + "}"
        lines.append(f"  {name.ljust(width)} = {value},")
    lines.append("}")
    return "\n".join(lines) + "\n"
