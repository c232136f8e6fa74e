"""The cursor-context tables for Typst and Org (org-cite): where completion happens, what was
typed, which keys a file cites, which bibliographies it declares.

Each case is a document with `|` marking the cursor.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citels.cite_syntax import CiteSpan, typst_project
from citels.cite_syntax import org as org_syntax
from citels.cite_syntax import typst as typst_syntax


def at_cursor(document: str, module):
    lines = document.split("\n")
    for number, text in enumerate(lines):
        if "|" in text:
            column = text.index("|")
            lines[number] = text.replace("|", "", 1)
            return module.citation_at(lines, number, column), lines[number]
    raise AssertionError("no cursor in the case")


TYPST_MATCHES = [
    # (document, command, typed, keys printed in the same citation)
    ("See @vas|", "@", "vas", ()),
    ("@|", "@", "", ()),
    ("(@tulu|)", "@", "tulu", ()),
    ("@a @b @mirr|", "@", "mirr", ("a", "b")),
    ("@mirr| @c", "@", "mirr", ("c",)),
    ("@smith2020.|", "@", "smith2020.", ()),  # a search may end in a period
    ("@key_with-dash:and.dot|", "@", "key_with-dash:and.dot", ()),
    ("😀 ü @wasser|", "@", "wasser", ()),
    ("#cite(<|", "#cite", "", ()),
    ("#cite(<vas|", "#cite", "vas", ()),
    ("#cite(<mirror desc|", "#cite", "mirror desc", ()),  # words to search by
    ("#cite(<vas|>)", "#cite", "vas", ()),
    ("#cite( <vas|>, form: \"prose\")", "#cite", "vas", ()),
    ('#cite(label("DBLP:bo|', "#cite(label)", "DBLP:bo", ()),
    ('#cite(label("|"))', "#cite(label)", "", ()),
    ("#figure(image(\"a.png\"), caption: [after @ho|])", "@", "ho", ()),
    ("#let note = [see @x|", "@", "x", ()),
    ("#set text(lang: \"de\")\n@x|", "@", "x", ()),
    ("#box[#emph[@a|]]", "@", "a", ()),
    ("```\n@a\n```\nafter the block @b|", "@", "b", ()),
    ("/* closed */ @c|", "@", "c", ()),
    ("$x$ and @d|", "@", "d", ()),
    ("`raw` and @e|", "@", "e", ()),
    ("`` and @after|", "@", "after", ()),  # `` is empty raw text, closed
    ('#let s = "@x"\n@f|', "@", "f", ()),
]


@pytest.mark.parametrize(("document", "command", "typed", "keys"), TYPST_MATCHES)
def test_typst_citation_contexts(document, command, typed, keys):
    span, line = at_cursor(document, typst_syntax)
    assert span is not None, document
    assert (span.command, span.typed, span.keys, span.needs_at) == (command, typed, keys, False)
    # The edit replaces exactly the typed text.
    assert line[span.start:span.end] == typed


TYPST_NON_MATCHES = [
    "plain text|",
    "mail jane@example|",  # an e-mail address
    "jane@example.org|",
    "\\@escaped|",
    "`@in raw|`",
    "```\n@in a raw block|\n```",
    "```typ\n#cite(<a|\n```",
    "// @commented|",
    "text // @commented|",
    "/* @in a block comment|",
    "/* nested /* comments */ still @inside| */",
    "/*\n@over lines|\n*/",
    "````\n```\n@in a longer fence|\n````",
    "$ @math| $",
    "$\n  x = @y|\n$",
    '#let s = "@in a string|"',
    '#import "@preview/pkg|"',
    '#cite(<a>, form: "pr|")',  # a string that is not a label
    '#cite(label("x"), form: "|")',
    '#text("@a|")',
    "#cite(<a>, |",  # after the key: cite takes one
    "#cite(<a>|",
    "#ref(<intro|",  # a reference to a label, not a citation
    "= Intro <intro|",  # a label of its own
    "@key[the supplement|]",
    "https://example.org/@user|",  # a link
    "@fig:overview|",  # a figure's label
    "@sec-intro|",
    "#(1 + @x|",  # code, not markup
    "",
]


def test_typst_line_known_to_be_raw_is_skipped_without_a_scan():
    assert typst_syntax.citation_at(["@a"], 0, 2, non_text=frozenset({0})) is None


def test_typst_long_document_scans_from_the_cursors_paragraph():
    paragraph = "A paragraph with @ref, `raw`, $x$ and #emph[text].\n\n"
    lines = (paragraph * 2000 + "Last @vas").split("\n")
    span = typst_syntax.citation_at(lines, len(lines) - 1, len(lines[-1]))
    assert span is not None and (span.line, span.typed) == (len(lines) - 1, "vas")


TYPST_DOCUMENT = """\
#import "template.typ": conf
= Introduction <intro>
See @vaswani2017, @intro and #cite(<old>, form: "prose") and #cite(label("DBLP:x/y")).
// @commented
```
@raw
```
Mail me@example.org; $@math$; `@code`; "@quoted" @smith04.
#figure(image("x.png"), caption: [From @cap.]) <fig:x>
See @fig:x.
#bibliography(("a.bib", "b.yml"))
#bibliography("refs.bib", style: "ieee")
"""


def test_typst_cited_keys_with_their_columns():
    lines = TYPST_DOCUMENT.split("\n")
    found = [(k.key, k.line, lines[k.line][k.start:k.end]) for k in
             typst_syntax.cited_keys(lines)]
    assert found == [("vaswani2017", 2, "vaswani2017"), ("old", 2, "old"),
                     ("DBLP:x/y", 2, "DBLP:x/y"), ("quoted", 7, "quoted"),  # quotes are text
                     ("smith04", 7, "smith04"), ("cap", 8, "cap")]


def test_typst_non_text_lines_are_raw_and_comments():
    assert typst_syntax.non_text_lines(TYPST_DOCUMENT.split("\n")) == {3, 4, 5, 6}


def test_typst_declared_bibliographies():
    assert typst_syntax.declared_bibliographies(TYPST_DOCUMENT) == ["a.bib", "b.yml",
                                                                    "refs.bib"]
    assert typst_syntax.declared_bibliographies(
        '// #bibliography("old.bib")\n```\n#bibliography("raw.bib")\n```\n'
        '#let bib = bibliography("x.yml", title: "Refs")') == ["x.yml"]


@pytest.mark.parametrize(
    ("span_command", "typed_at", "key", "expected"),
    [
        ("@", 5, "vaswani2017", (5, "vaswani2017")),
        ("@", 5, "DBLP:books/Knuth86", (4, '#cite(label("DBLP:books/Knuth86"))')),
        ("@", 5, "ends.", (4, '#cite(label("ends."))')),
        ("#cite", 7, "a b", (6, 'label("a b")')),
        ("#cite(label)", 13, 'say "hi"', (13, 'say \\"hi\\"')),
    ],
)
def test_typst_key_insertion_writes_keys_typst_can_read(span_command, typed_at, key,
                                                        expected):
    span = CiteSpan(typst_syntax.TYPST, span_command, "", 0, typed_at, typed_at)
    assert typst_syntax.key_insertion(span, key) == expected


def test_typst_chapter_finds_the_bibliography_its_main_file_declares():
    root = PurePosixPath("/project")
    texts = {
        root / "main.typ": '#import "template.typ": conf\n#show: conf\n'
                           '#include "chapters/one.typ"\n#bibliography("refs.bib")\n',
        root / "template.typ": '#let conf(doc) = { doc; bibliography("/extra.yml") }\n',
        root / "chapters/one.typ": '#include "../chapters/two.typ"\nChapter one @a.\n',
        root / "chapters/two.typ": "Chapter two @b.\n",
        root / "other.typ": '#import "@preview/cetz:0.3.0"\n',
    }
    two = root / "chapters/two.typ"
    assert typst_project.main_file(two, texts, root) == root / "main.typ"
    assert typst_project.main_file(root / "other.typ", texts, root) == root / "other.typ"
    assert typst_project.bibliography_files(two, texts, root) == [root / "refs.bib",
                                                                 root / "extra.yml"]


ORG_MATCHES = [
    # (document, command, typed, keys already in the citation, needs "@")
    ("[cite:@vas|", "[cite:", "vas", (), False),
    ("[cite:@vas|]", "[cite:", "vas", (), False),
    ("[cite:|", "[cite:", "", (), True),
    ("[cite:@|]", "[cite:", "", (), False),
    ("[cite/t/f:@a|]", "[cite/t/f:", "a", (), False),
    ("[cite/style:see @a; @b p. 3; |]", "[cite/style:", "", ("a", "b"), True),
    ("[cite:@a;@b|]", "[cite:", "b", ("a",), False),
    ("[cite:@a; @mirror desc|; @c]", "[cite:", "mirror desc", ("a", "c"), False),
    ("[CITE:@upper|]", "[CITE:", "upper", (), False),
    ("😀 ü [cite:@wasser|", "[cite:", "wasser", (), False),
    ("#+caption: from [cite:@a|]", "[cite:", "a", (), False),
    ("#+begin_src python\nx\n#+end_src\n[cite:@z|", "[cite:", "z", (), False),
    ("#+begin_quote\n[cite:@q|\n#+end_quote", "[cite:", "q", (), False),
    # Org parses citations in verse blocks (test_org_cite_export shows Emacs resolving one).
    ("#+begin_verse\n[cite:@v|\n#+end_verse", "[cite:", "v", (), False),
]


@pytest.mark.parametrize(("document", "command", "typed", "keys", "needs_at"), ORG_MATCHES)
def test_org_citation_contexts(document, command, typed, keys, needs_at):
    span, line = at_cursor(document, org_syntax)
    assert span is not None, document
    assert (span.command, span.typed, span.keys, span.needs_at) == (command, typed, keys,
                                                                   needs_at)
    assert line[span.start:span.end] == typed


ORG_NON_MATCHES = [
    "plain text|",
    "@not in a citation|",
    "[cite:see |",  # a prefix being written
    "[cite:@a] and @b|",  # after the citation closed
    "[cit:@a|]",  # not the cite keyword
    "mail me@example|",
    "# [cite:@in a comment|",
    ": [cite:@fixed width|",
    "#+bibliography: [cite:@a|",
    "#+begin_src python\n[cite:@a|\n#+end_src",
    "#+BEGIN_EXAMPLE\n[cite:@a|",
    "#+begin_export latex\n[cite:@a|\n#+end_export",
    "#+begin_comment\n[cite:@a|\n#+end_comment",
    ":PROPERTIES:\n:NOTE: [cite:@a|\n:END:",
    "=[cite:@verbatim|]=",
    "~[cite:@code|]~",
    "",
]


@pytest.mark.parametrize(
    ("module", "document"),
    [(typst_syntax, document) for document in TYPST_NON_MATCHES]
    + [(org_syntax, document) for document in ORG_NON_MATCHES],
)
def test_non_citation_contexts(module, document):
    if "|" not in document:
        assert module.citation_at([document], 0, 0) is None
        return
    span, _ = at_cursor(document, module)
    assert span is None, document


ORG_DOCUMENT = """\
#+title: A paper
#+bibliography: refs.bib
#+BIBLIOGRAPHY: "my refs.yml"
#+cite_export: csl ieee.csl
Text [cite:@a; see @b p. 3] and [cite/t:@c] and me@example.org.
#+begin_src org
[cite:@src]
#+bibliography: not-this.bib
#+end_src
: [cite:@fixed]
# [cite:@comment]
=[cite:@verbatim]= [cite:@DBLP:x/y-1]
"""


def test_org_cited_keys_with_their_columns():
    lines = ORG_DOCUMENT.split("\n")
    found = [(k.key, k.line, lines[k.line][k.start:k.end]) for k in
             org_syntax.cited_keys(lines)]
    assert found == [("a", 4, "a"), ("b", 4, "b"), ("c", 4, "c"),
                     ("DBLP:x/y-1", 11, "DBLP:x/y-1")]


def test_org_non_text_lines():
    # A title is text (Org parses it); the other keyword lines, the block and its lines, the
    # fixed-width line and the comment are not.
    assert org_syntax.non_text_lines(ORG_DOCUMENT.split("\n")) == {1, 2, 3, 5, 6, 7, 8, 9, 10}


def test_org_declared_bibliographies():
    assert org_syntax.declared_bibliographies(ORG_DOCUMENT) == ["refs.bib", "my refs.yml"]


# Text made of the characters that change either syntax's state, to find a crash or a span
# that does not fit its line.
SYNTAX_TEXT = st.text(alphabet=st.sampled_from(list("@#<>()[]{}\"`$/*\\:;,.=~ \nab1😀")),
                      max_size=80)


@settings(max_examples=300, deadline=None)
@given(text=SYNTAX_TEXT, where=st.integers(min_value=0, max_value=10_000))
@pytest.mark.parametrize("module", [typst_syntax, org_syntax], ids=["typst", "org"])
def test_any_text_gives_spans_that_fit_their_lines(module, text, where):
    lines = text.split("\n")
    line = where % len(lines)
    column = where % (len(lines[line]) + 1)
    span = module.citation_at(lines, line, column)
    if span is not None:
        assert 0 <= span.start <= span.end == column
        assert lines[line][span.start:span.end] == span.typed
    for key in module.cited_keys(lines):
        assert lines[key.line][key.start:key.end] == key.key
    assert module.non_text_lines(lines) <= set(range(len(lines)))
