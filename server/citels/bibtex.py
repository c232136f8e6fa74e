"""Render a paper as a BibTeX entry: stable field order, valid escaping, protected capitals."""

from __future__ import annotations

import re

from pylatexenc.latexencode import UnicodeToLatexEncoder

from citels.papers import Paper
from citels.render import abstract_opening

# LaTeX the source already wrote is kept as it is: inline math, and commands with one
# brace-balanced argument such as \textit{x}, and old-style groups such as {\em x}.
_LATEX_ALREADY = re.compile(r"\$[^$]+\$|\{\\[A-Za-z]+\s[^{}]*\}|\\[A-Za-z]+(?:\{[^{}]*\})?")
_SPECIALS = {
    "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "$": r"\$", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
}
_ENCODER = UnicodeToLatexEncoder(
    non_ascii_only=True, replacement_latex_protection="braces-all", unknown_char_policy="keep"
)
FIELD_ORDER = ("author", "title", "year", "date", "key", "url", "note", "abstract")


def escape(text: str, *, unicode: bool = False) -> str:
    """Make text valid in a BibTeX field value; `unicode` keeps UTF-8 (for biber)."""
    out = []
    position = 0
    for match in _LATEX_ALREADY.finditer(text):
        out.append(_escape_plain(text[position:match.start()], unicode))
        out.append(match.group())
        position = match.end()
    out.append(_escape_plain(text[position:], unicode))
    return "".join(out)


def _escape_plain(text: str, unicode: bool) -> str:
    escaped = "".join(_SPECIALS.get(char, char) for char in text)
    return escaped if unicode else _ENCODER.unicode_to_latex(escaped)


def protect_title(title: str, *, unicode: bool = False) -> str:
    """Escape a title and brace the words whose capitals must survive a lower-casing style."""
    words = []
    for word in title.split(" "):
        escaped = escape(word, unicode=unicode)
        words.append("{" + escaped + "}" if _needs_protection(word) else escaped)
    return " ".join(words)


def _needs_protection(word: str) -> bool:
    # Capitalised on purpose: a capital after the first letter (DPO, LLaMA, VinePPO, u-μP),
    # or capitals mixed with digits or a plus (R1V2, CFG++).
    letters = [char for char in word if char.isalpha()]
    if len(letters) < 1 or "$" in word or "\\" in word:
        return False
    has_inner_capital = any(char.isupper() for char in word[1:] if char.isalpha())
    mixes_digits = any(char.isdigit() for char in word) and any(c.isupper() for c in letters)
    return has_inner_capital or mixes_digits or "+" in word and word[0].isupper()


def to_bibtex(paper: Paper, *, unicode: bool = False, include_abstract: bool = True) -> str:
    """The paper's entry; nothing is invented, and an untitled paper says so in brackets."""
    assert paper.key, "an entry needs a key"
    fields: dict[str, str] = {}
    if paper.authors:
        fields["author"] = escape(" and ".join(paper.authors), unicode=unicode)
    if paper.title:
        fields["title"] = protect_title(paper.title, unicode=unicode)
    else:
        # Supplied, not found: the cataloguers' square brackets say so.
        opening = abstract_opening(paper.abstract or "", words=8)
        fields["title"] = escape(f'[Untitled; abstract begins "{opening}"]', unicode=unicode)
    if paper.year:
        fields["year"] = str(paper.year)
    if paper.date:
        fields["date"] = paper.date
    if not paper.authors:
        # Styles sort author-less entries by `key`; without it they warn and sort by nothing.
        fields["key"] = escape(paper.title or paper.key, unicode=unicode)
    if paper.urls:
        fields["url"] = paper.urls[0]
        if len(paper.urls) > 1:
            fields["note"] = "See also " + ", ".join(rf"\url{{{url}}}" for url in paper.urls[1:])
    if include_abstract and paper.abstract:
        fields["abstract"] = escape(paper.abstract, unicode=unicode)
    width = max(len(name) for name in fields)
    lines = [f"@misc{{{paper.key},"]
    for name in FIELD_ORDER:
        if name in fields:
            lines.append(f"  {name.ljust(width)} = {{{fields[name]}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"
