"""The cursor-context table: where completion happens, what was typed, and where it does not.

Each case is a document with `|` marking the cursor.
"""

from __future__ import annotations

import pytest

from citels.cite_syntax import (
    LATEX,
    MARKDOWN,
    SYNTAXES,
    bib_entry_keys,
    citation_at,
    cited_keys,
    key_at,
    language_of,
    latex_keys,
    non_text_lines,
    pandoc_keys,
)
from citels.cite_syntax.lines import lines_with_endings, split_lines


def at_cursor(document: str, language: str, extra: tuple[str, ...] = ()):
    lines = document.split("\n")
    for number, text in enumerate(lines):
        if "|" in text:
            column = text.index("|")
            lines[number] = text.replace("|", "", 1)
            return citation_at(lines, number, column, language, extra), lines[number]
    raise AssertionError("no cursor in the case")


LATEX_MATCHES = [
    # (document, command, typed, keys already in the command)
    (r"\cite{|", r"\cite", "", ()),
    (r"See \cite{mirror desc|", r"\cite", "mirror desc", ()),
    (r"\cite*{mdpo|}", r"\cite*", "mdpo", ()),
    (r"\Cite{x|", r"\Cite", "x", ()),
    (r"\nocite{|", r"\nocite", "", ()),
    (r"\citet{|", r"\citet", "", ()),
    (r"\citep{|", r"\citep", "", ()),
    (r"\citet*{|", r"\citet*", "", ()),
    (r"\citep*{|", r"\citep*", "", ()),
    (r"\citeauthor{|", r"\citeauthor", "", ()),
    (r"\Citeauthor{|", r"\Citeauthor", "", ()),
    (r"\citeyear{|", r"\citeyear", "", ()),
    (r"\citeyearpar{|", r"\citeyearpar", "", ()),
    (r"\citetitle{|", r"\citetitle", "", ()),
    (r"\citedate{|", r"\citedate", "", ()),
    (r"\citeurl{|", r"\citeurl", "", ()),
    (r"\citealt{|", r"\citealt", "", ()),
    (r"\citealp{|", r"\citealp", "", ()),
    (r"\citetext{|", r"\citetext", "", ()),
    (r"\fullcite{|", r"\fullcite", "", ()),
    (r"\footcite{|", r"\footcite", "", ()),
    (r"\footfullcite{|", r"\footfullcite", "", ()),
    (r"\footcitetext{|", r"\footcitetext", "", ()),
    (r"\parencite{|", r"\parencite", "", ()),
    (r"\Parencite{|", r"\Parencite", "", ()),
    (r"\textcite{|", r"\textcite", "", ()),
    (r"\Textcite{|", r"\Textcite", "", ()),
    (r"\smartcite{|", r"\smartcite", "", ()),
    (r"\Smartcite{|", r"\Smartcite", "", ()),
    (r"\supercite{|", r"\supercite", "", ()),
    (r"\autocite{|", r"\autocite", "", ()),
    (r"\Autocite{|", r"\Autocite", "", ()),
    (r"\notecite{|", r"\notecite", "", ()),
    (r"\pnotecite[see]{|", r"\pnotecite", "", ()),
    (r"\volcite{3}{|", r"\volcite", "", ()),
    (r"\pvolcite[see]{3}[p.~4]{hal|", r"\pvolcite", "hal", ()),
    (r"\cite[see][p.~3]{mirror|", r"\cite", "mirror", ()),
    (r"\cite[p.~3]{|", r"\cite", "", ()),
    (r"\cite [see] {tulu|", r"\cite", "tulu", ()),
    (r"\cite{a,b, |}", r"\cite", "", ("a", "b")),
    (r"\cite{a,  mirror d|,c}", r"\cite", "mirror d", ("a", "c")),
    (r"\cites{a}{|", r"\cites", "", ("a",)),
    (r"\parencites[p.~1]{a}[][]{b|", r"\parencites", "b", ("a",)),
    (r"\textcites(pre)(post)[s]{a,b}{c}[p]{|", r"\textcites", "", ("a", "b", "c")),
    (r"text 😀 and ü \citep{tülu|", r"\citep", "tülu", ()),
    (r"\mycite{|", r"\mycite", "", ()),  # a user macro from the setting
]


@pytest.mark.parametrize(("document", "command", "typed", "keys"), LATEX_MATCHES)
def test_latex_citation_contexts(document, command, typed, keys):
    span, line = at_cursor(document, LATEX, extra=("mycite",))
    assert span is not None, document
    assert (span.command, span.typed, tuple(sorted(span.keys))) == (command, typed,
                                                                    tuple(sorted(keys)))
    # The edit replaces exactly the typed text, spaces included.
    assert line[span.start:span.end] == typed


LATEX_NON_MATCHES = [
    r"\cite|",  # no brace yet
    r"\section{|",
    r"\ref{|",
    r"\mycite{|",  # not configured in this case
    r"\cite{a}|",  # after the closing brace
    r"\cite{a} and {|",
    r"\cite{a}{|",  # only multicite takes several groups
    r"\volcite{|",  # the volume, not keys
    r"\cite[a][b][c]{|",  # three optional arguments
    r"% \cite{|",  # in a comment
    r"text % see \cite{mirror|",
    "\\begin{verbatim}\n\\cite{|\n\\end{verbatim}",
    "\\begin{lstlisting}[language=TeX]\n  \\citep{x|",
    r"\cite{\textbf{|",
    "",
    "|",
    r"\\cite{|}",  # "\\" is a line break, then the text "cite{"
]


@pytest.mark.parametrize("document", LATEX_NON_MATCHES)
def test_latex_non_citation_contexts(document):
    if "|" not in document:
        assert citation_at([document], 0, 0, LATEX) is None
        return
    span, _ = at_cursor(document, LATEX)
    assert span is None, document


def test_verbatim_ends_and_citations_work_again():
    doc = "\\begin{verbatim}\n\\cite{x}\n\\end{verbatim}\n\\cite{|"
    span, _ = at_cursor(doc, LATEX)
    assert span is not None and span.typed == ""


def test_escaped_percent_is_not_a_comment():
    span, _ = at_cursor(r"50\% of \cite{mir|", LATEX)
    assert span is not None and span.typed == "mir"


MARKDOWN_MATCHES = [
    # (document, typed, keys already there, needs "@")
    ("As @mirror| says", "mirror", (), False),
    ("@|", "", (), False),
    ("[@mirror desc|", "mirror desc", (), False),
    ("[@mirror desc|]", "mirror desc", (), False),
    ("[-@tulu|]", "tulu", (), False),
    ("[see @a, pp. 33-35; @b|]", "b", ("a",), False),
    ("[see @a, pp. 33-35; @|]", "", ("a",), False),
    ("[see @a; |]", "", ("a",), True),
    ("@{mirror desc|}", "mirror desc", (), False),
    ("[@{mirror d|}]", "mirror d", (), False),
    ("(@hanabi|)", "hanabi", (), False),
    ("😀 ü [@wasser|", "wasser", (), False),
    ("---\ntitle: x\n---\nText [@a|", "a", (), False),
    ("```\ncode\n```\n[@z|", "z", (), False),
]


@pytest.mark.parametrize(("document", "typed", "keys", "needs_at"), MARKDOWN_MATCHES)
def test_markdown_citation_contexts(document, typed, keys, needs_at):
    span, line = at_cursor(document, MARKDOWN)
    assert span is not None, document
    assert (span.typed, span.keys, span.needs_at) == (typed, keys, needs_at)
    assert line[span.start:span.end] == typed


MARKDOWN_NON_MATCHES = [
    "mail jane@example|",
    "jane@example.org|",
    "[mail jane@ex|]",
    "`@code|`",
    "```\n[@fenced|\n```",
    "~~~~\n@x|\n~~~~",
    "---\nauthor: me@|\n---",
    "[@a, pp. 33|]",  # the locator, not a key
    "see [@fig:|]",  # a pandoc-crossref reference
    "@sec:intro|",
    "plain text|",
    "[link text|](http://x)",
]


@pytest.mark.parametrize("document", MARKDOWN_NON_MATCHES)
def test_markdown_non_citation_contexts(document):
    span, _ = at_cursor(document, MARKDOWN)
    assert span is None, document


def test_latex_keys_are_found_with_their_columns():
    lines = [r"See \citep[p.~3]{a, bb} and \parencites{c}[x]{d}.", r"% \cite{hidden}",
             r"\cite{e} % \cite{f}"]
    found = [(k.key, k.line, k.start) for k in latex_keys(lines)]
    assert found == [("a", 0, 17), ("bb", 0, 20), ("c", 0, 40), ("d", 0, 46), ("e", 2, 6)]


def test_pandoc_keys_skip_code_mail_and_crossrefs():
    lines = ["---", "bibliography: refs.bib", "author: a@b.org", "---",
             "As @smith04 says [@doe99, p. 3; -@roe]. See @fig:one, `@code`, me@x.org.",
             "```", "@fenced", "```", "End @last."]
    assert [k.key for k in pandoc_keys(lines)] == ["smith04", "doe99", "roe", "last"]


def test_bib_entry_keys_skip_strings_and_comments():
    lines = ['@string{jan = "January"}', "@Article{knuth84,", "  title={x}}",
             "@comment{nothing}", "@misc( paren ,", ")"]
    assert [(k.key, k.line) for k in bib_entry_keys(lines)] == [("knuth84", 1), ("paren", 4)]


@pytest.mark.parametrize(
    ("lines", "line", "column", "language", "key"),
    [
        ([r"See \cite{alpha,beta}."], 0, 17, LATEX, "beta"),
        ([r"See \cite{alpha,beta}."], 0, 10, LATEX, "alpha"),
        ([r"See \cite{alpha,beta}."], 0, 2, LATEX, None),
        (["As @alpha says."], 0, 6, MARKDOWN, "alpha"),
        (["[@alpha; @beta]"], 0, 11, MARKDOWN, "beta"),
        (["@misc{gamma,", "title={x}}"], 0, 8, "bibtex", "gamma"),
    ],
)
def test_key_under_the_cursor(lines, line, column, language, key):
    found = key_at(lines, line, column, language)
    assert (found.key if found else None) == key


@pytest.mark.parametrize(
    ("language_id", "path", "expected"),
    [("latex", "a.tex", LATEX), (None, "/x/a.qmd", MARKDOWN), ("rmd", "a.Rmd", MARKDOWN),
     ("bibtex", "r.bib", "bibtex"), ("python", "a.py", None), ("plaintext", "a.md", MARKDOWN)],
)
def test_language_of(language_id, path, expected):
    assert language_of(language_id, path) == expected


@pytest.mark.parametrize(
    ("lines", "non_text", "keys"),
    [
        # The line that ends a verbatim block is text again after its \end.
        (["\\begin{verbatim}", "\\cite{hidden}", "\\end{verbatim} see \\cite{after}"],
         [1], ["after"]),
        # Inside verbatim a % is text: the block still ends on that line.
        (["\\begin{verbatim}", "50% \\end{verbatim}", "\\cite{a}"], [], ["a"]),
        # An environment opened and closed on one line hides only what it holds.
        (["\\begin{comment}\\cite{x}\\end{comment} \\cite{y}", "\\cite{z}"], [], ["y", "z"]),
        # What precedes \begin on its line is text; the block then runs to its \end.
        (["\\cite{a} \\begin{lstlisting}", "\\cite{b}", "\\end{lstlisting}"], [1], ["a"]),
    ],
)
def test_latex_text_lines_and_cited_keys_agree(lines, non_text, keys):
    assert sorted(non_text_lines(lines, LATEX)) == non_text
    assert [k.key for k in cited_keys(lines, LATEX)] == keys


def test_front_matter_is_not_a_place_for_fences():
    # A ``` inside YAML front matter opens no code block in the text after it.
    lines = ["---", "note: |", "  ```", "---", "As @smith says."]
    assert sorted(non_text_lines(lines, MARKDOWN)) == [0, 1, 2, 3]
    assert [k.key for k in pandoc_keys(lines)] == ["smith"]


@pytest.mark.parametrize("syntax", sorted(SYNTAXES), ids=str)
def test_every_syntax_module_offers_the_same_functions(syntax):
    module = SYNTAXES[syntax]
    assert module.LANGUAGE == syntax
    assert language_of(module.LANGUAGE_IDS[0], "") == syntax
    assert language_of(None, f"a.{module.FILE_SUFFIXES[0]}") == syntax
    assert module.non_text_lines([]) == frozenset()
    assert module.cited_keys([]) == []
    assert module.citation_at([""], 0, 0) is None


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\r\nb\rc\nd", ["a", "b", "c", "d"]),
        ("a\n", ["a", ""]),
        ("", [""]),
        ("form\x0cfeed\u2028line\x85next", ["form\x0cfeed\u2028line\x85next"]),
    ],
)
def test_lines_split_as_lsp_counts_them(text, lines):
    assert split_lines(text) == lines
    assert "".join(lines_with_endings(text)) == text
    assert len(lines_with_endings(text)) == len(lines) - (lines[-1] == "")
