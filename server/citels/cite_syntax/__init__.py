"""Citation syntax: where the cursor is in a citation, and which keys a document cites.

One module per syntax, each with the same three functions (see `spans.CitationSyntax`):
`latex` (natbib and biblatex commands), `pandoc` (Markdown, Quarto, R Markdown), `typst`,
`org` (org-cite) and `bibtex` (the keys a .bib file defines). This module picks the syntax
by language and calls it. Everything works on plain strings (a document's lines, a 0-based line and a column in Python
characters) split by `lines.split_lines`; the protocol layer converts LSP positions (UTF-16).

To add a syntax: write its module, add it to `SYNTAXES` below.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from citels.cite_syntax import bibtex, latex, org, pandoc, typst
from citels.cite_syntax.bibtex import entry_end_line
from citels.cite_syntax.latex import LATEX_CITE_COMMANDS
from citels.cite_syntax.pandoc import CROSSREF_PREFIXES
from citels.cite_syntax.spans import CitationSyntax, CiteSpan, KeySpan

__all__ = [
    "BIBTEX", "CROSSREF_PREFIXES", "LATEX", "LATEX_CITE_COMMANDS", "MARKDOWN", "ORG", "SYNTAXES",
    "TYPST", "CitationSyntax", "CiteSpan", "KeySpan", "bib_entry_keys", "citation_at",
    "cited_keys", "entry_end_line", "key_at", "key_insertion", "language_of", "latex_keys",
    "non_text_lines", "pandoc_keys",
]

LATEX = latex.LANGUAGE
MARKDOWN = pandoc.LANGUAGE
BIBTEX = bibtex.LANGUAGE
TYPST = typst.LANGUAGE
ORG = org.LANGUAGE

SYNTAXES: dict[str, CitationSyntax] = {
    syntax.LANGUAGE: syntax for syntax in (latex, pandoc, typst, org, bibtex)}
_BY_LANGUAGE_ID = {id_: syntax.LANGUAGE for syntax in SYNTAXES.values()
                   for id_ in syntax.LANGUAGE_IDS}
_BY_SUFFIX = {suffix: syntax.LANGUAGE for syntax in SYNTAXES.values()
              for suffix in syntax.FILE_SUFFIXES}

# The per-syntax functions under the names callers have always used.
latex_keys = latex.cited_keys
pandoc_keys = pandoc.cited_keys
bib_entry_keys = bibtex.cited_keys


def language_of(language_id: str | None, path: str) -> str | None:
    """The citation syntax a document uses, from its language id or its file ending."""
    if language_id and language_id.lower() in _BY_LANGUAGE_ID:
        return _BY_LANGUAGE_ID[language_id.lower()]
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return _BY_SUFFIX.get(suffix)


def citation_at(lines: Sequence[str], line: int, column: int, language: str,
                extra_commands: Iterable[str] = (),
                non_text: frozenset[int] | None = None) -> CiteSpan | None:
    """The citation whose key the cursor is typing, or None where no citation can be.

    `non_text` is `non_text_lines(lines, language)`, passed in by callers that keep it per
    document version so a keystroke does not rescan a long document.
    """
    syntax = SYNTAXES.get(language)
    if syntax is None:
        return None
    return syntax.citation_at(lines, line, column, extra_commands, non_text)


def non_text_lines(lines: Sequence[str], language: str) -> frozenset[int]:
    """Lines where no citation can be: inside LaTeX verbatim-like environments; Markdown
    fenced code (fences included) and YAML front matter."""
    syntax = SYNTAXES.get(language)
    return syntax.non_text_lines(lines) if syntax else frozenset()


def cited_keys(lines: Sequence[str], language: str,
               extra_commands: Iterable[str] = ()) -> list[KeySpan]:
    """Every key a document cites (a .bib file: defines), in order."""
    syntax = SYNTAXES.get(language)
    return syntax.cited_keys(lines, extra_commands) if syntax else []


def key_at(lines: Sequence[str], line: int, column: int, language: str | None,
           extra_commands: Iterable[str] = (),
           cited: Sequence[KeySpan] | None = None) -> KeySpan | None:
    """The cited key (or .bib entry key) under the cursor.

    `cited` is the document's `cited_keys` (or those near `line`) when the caller keeps them;
    otherwise the lines up to the cursor's are scanned.
    """
    if cited is None:
        if language is None or not 0 <= line < len(lines):
            return None
        cited = cited_keys(lines[: line + 1], language, extra_commands)
    return next((span for span in cited
                 if span.line == line and span.start <= column <= span.end), None)


def key_insertion(span: CiteSpan, key: str) -> tuple[int, str]:
    """Where the edit choosing `key` starts (a column on the span's line) and the text that
    replaces the span up to `span.end`: the key, after an '@' where the syntax needs one; in
    Typst a key '@' cannot carry is written `#cite(label("key"))`."""
    if span.language == TYPST:
        return typst.key_insertion(span, key)
    return span.start, ("@" if span.needs_at else "") + key
