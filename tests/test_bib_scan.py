"""The .bib scan (corpus/bib_scan.py) reads what bibtexparser reads, only faster: well-formed
entries by regular expressions, the rest left to bibtexparser, every problem with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from citels.corpus import bib_scan
from citels.corpus.bibtex_file import parse_bibtex

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.bib"))


def _variants(text: str) -> list[str]:
    """The text, and broken copies of it: each of its first braces, quotes, commas and
    equals signs taken out in turn, as a slip of the hand would."""
    found = [text]
    for mark in '{}",=':
        at = -1
        for _ in range(6):
            at = text.find(mark, at + 1)
            if at < 0:
                break
            found.append(text[:at] + text[at + 1:])
    return found


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.parent.name + "/" + path.name)
def test_the_scan_reads_every_fixture_and_its_broken_copies_as_bibtexparser_does(path: Path):
    for text in _variants(path.read_text(encoding="utf-8")):
        assert list(bib_scan.pieces(text)) == list(bib_scan.pieces_by_bibtexparser(text))


WELL_FORMED = r"""% A library as exports write it
@string{acm = "ACM"}
@string{jcs = acm # { Journal of } # "Computing"}

@Article{knuth:1984,
  author    = {Donald E. Knuth},
  title     = {Literate {Programming} with {\TeX} and {\"O}sterreich \{braces\}},
  journal   = jcs,
  year      = 1984,
  month     = jan,
  title     = {A second title},
  note      = "Seen at https://example.org/a,b",
}

@web_page{w3c:html, title = {{HTML} {5.2}: Bell & Howell}, url = {https://w3.org/TR/html52/},}
@inproceedings{,
  title = {An entry without a key},
}
@misc{knuth:1984, title = {The same key again}}
"""


def test_well_formed_entries_need_no_bibtexparser(monkeypatch):
    expected = list(bib_scan.pieces_by_bibtexparser(WELL_FORMED))

    def no_parser(*_: object) -> None:
        raise AssertionError("bibtexparser was asked to read a well-formed entry")

    monkeypatch.setattr(bib_scan, "pieces_by_bibtexparser", no_parser)
    assert list(bib_scan.pieces(WELL_FORMED)) == expected
    warnings: list[str] = []
    papers = {paper.source_key: paper for paper in parse_bibtex(WELL_FORMED, "x.bib", warnings)}
    assert papers["knuth:1984"].title == \
        "Literate Programming with TeX and Österreich {braces}"
    assert papers["knuth:1984"].venue == "ACM Journal of Computing"
    assert papers["knuth:1984"].month == 1
    assert papers["w3c:html"].entry_type == "web_page"
    assert warnings == [
        "x.bib:11: knuth:1984 repeats field title; the first value is kept",
        "x.bib:16: an entry without a key; skipped",
        "x.bib:19: a second entry knuth:1984; skipped",
    ]


def test_a_broken_entry_among_good_ones_is_named_by_its_line_and_the_rest_is_read():
    text = ("@article{one, title = {First}}\n"
            "@preamble{\"\\newcommand{\\x}{y}\\\n\"}\n"  # a backslash ends a line here
            "@article{broken, title = {Never closed}\n"
            "@article{two,\n  title = {Second},\n}\n")
    warnings: list[str] = []
    papers = list(parse_bibtex(text, "x.bib", warnings))
    assert [(paper.source_key, paper.title, paper.sources[0].line) for paper in papers] == [
        ("one", "First", 1), ("two", "Second", 5)]
    assert warnings == ["x.bib:4: an entry with a syntax error (unbalanced braces or quotes,"
                        " or a missing comma); skipped"]


def test_an_entry_whose_braces_nest_deeper_than_the_scan_reads_is_still_read():
    title = "{a {b {c {d {e {f {g {h} g} f} e} d} c} b} a}"
    text = f"@article{{deep, title = {title}, year = 2001}}\n@article{{next, title = {{N}}}}\n"
    assert list(bib_scan.pieces(text)) == list(bib_scan.pieces_by_bibtexparser(text))
    papers = list(parse_bibtex(text, "x.bib", []))
    assert [(paper.source_key, paper.title, paper.year) for paper in papers] == [
        ("deep", "a b c d e f g h g f e d c b a", 2001), ("next", "N", None)]
