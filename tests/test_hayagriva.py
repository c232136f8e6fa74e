"""Hayagriva YAML: read as a user library, written in its own shape, appended byte-safely, and
printed by the real Typst compiler (the `typst` package) from a .yml and from a .bib."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
import typst

from citels.bibliography.append import append_entry as append_bibtex
from citels.bibliography.entry import to_bibtex
from citels.bibliography.hayagriva import (
    append_entry,
    append_to_file,
    defined_keys,
    parse_hayagriva,
    to_hayagriva,
)
from citels.cite_syntax import typst as typst_syntax
from citels.papers import Paper, Source
from citels.store import Store

ATTENTION = Paper(
    title="Attention Is All You Need",
    abstract="The dominant sequence transduction models are based on recurrent networks.",
    key="vaswaniAttentionAllYou2017",
    date="2017-06-12",
    year=2017,
    month=6,
    authors=["Ashish Vaswani", "Shazeer, Noam", "Ludwig van Beethoven"],
    venue="Advances in Neural Information Processing Systems",
    entry_type="inproceedings",
    doi="10.48550/arXiv.1706.03762",
    identifiers={"arxiv": "1706.03762"},
    urls=["https://arxiv.org/abs/1706.03762"],
)

DOCUMENTED_SHAPES = """\
# The shapes Hayagriva's file-format documentation shows.
kinetics:
    type: Article
    title: Kinetics and luminescence of the excitations of a nonequilibrium polariton condensate
    author: ["Doan, T. D.", "Tran Thoai, D. B.", "Haug, Hartmut"]
    doi: "10.1103/PhysRevB.102.165126"
    page-range: 165126-165139
    date: 2020-10-14
    parent:
        type: Periodical
        title: Physical Review B
        volume: 102

wwdc-network:
    type: article
    author:  ["Mehta, Jiten", "Kinnear, Eric"]
    title: {value: Boost Performance and Security with Modern Networking, verbatim: true}
    date: 2020-06
    parent:
        - type: Conference
          title: World Wide Developer Conference 2020
        - type: Video
          runtime: "00:13:42"
    url: { value: https://developer.apple.com/videos/play/wwdc2020/10111/, date: 2020-11-12 }

42:
    type: Book
    title: The Hitchhiker's Guide to the Galaxy
    author:
        given-name: Douglas
        name: Adams
    date: 1979
    serial-number:
        isbn: 978-0-330-25864-7

preprint:
    type: article
    title: A preprint
    serial-number: 2003.13722
"""


def test_reads_the_documented_shapes_with_their_lines():
    warnings: list[str] = []
    papers = {p.key: p for p in parse_hayagriva(DOCUMENTED_SHAPES, "refs.yml", warnings)}
    assert warnings == []
    kinetics = papers["kinetics"]
    assert (kinetics.title, kinetics.authors[2], kinetics.doi, kinetics.date, kinetics.venue,
            kinetics.entry_type, kinetics.sources) == (
        "Kinetics and luminescence of the excitations of a nonequilibrium polariton condensate",
        "Haug, Hartmut", "10.1103/PhysRevB.102.165126", "2020-10-14", "Physical Review B",
        "article", [Source("refs.yml", 2)])
    talk = papers["wwdc-network"]
    assert (talk.title, talk.year, talk.month, talk.venue, talk.entry_type, talk.urls) == (
        "Boost Performance and Security with Modern Networking", 2020, 6,
        "World Wide Developer Conference 2020", "inproceedings",
        ["https://developer.apple.com/videos/play/wwdc2020/10111/"])
    book = papers["42"]
    assert (book.authors, book.year, book.identifiers, book.source_key, book.sources) == (
        ["Adams, Douglas"], 1979, {"isbn": "978-0-330-25864-7"}, "42", [Source("refs.yml", 26)])
    assert papers["preprint"].identifiers == {"arxiv": "2003.13722"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a:\n  title: x\n b: [\n", "refs.yml:3: not valid YAML"),
        ("- a\n- b\n", "refs.yml:1: not a Hayagriva bibliography"),
        ("a: just a string\nb:\n  title: B\n", "refs.yml:1: entry a is not a mapping"),
        ("a:\n  title: A\na:\n  title: again\n", "refs.yml:3: entry a is defined again"),
        ("\ta: tab\n", "refs.yml:1: not valid YAML"),
    ],
)
def test_bad_files_are_reported_with_file_and_line(text, message):
    warnings: list[str] = []
    papers = list(parse_hayagriva(text, "refs.yml", warnings))
    assert len(warnings) == 1 and warnings[0].startswith(message), warnings
    assert all(p.title for p in papers)


def test_rendered_entry_in_hayagrivas_shape():
    assert to_hayagriva(ATTENTION) == """\
vaswaniAttentionAllYou2017:
  type: article
  title: Attention Is All You Need
  author:
    - Vaswani, Ashish
    - Shazeer, Noam
    - van Beethoven, Ludwig
  date: 2017-06-12
  parent:
    type: proceedings
    title: Advances in Neural Information Processing Systems
  serial-number:
    doi: 10.48550/arXiv.1706.03762
    arxiv: '1706.03762'
  url: https://arxiv.org/abs/1706.03762
  abstract: The dominant sequence transduction models are based on recurrent networks.
"""


def test_what_is_written_reads_back_the_same(bundled_store: Store):
    papers = [ATTENTION, *bundled_store.papers()]
    text = "\n".join(to_hayagriva(p) for p in papers)
    warnings: list[str] = []
    read = list(parse_hayagriva(text, "refs.yml", warnings))
    assert warnings == []
    assert [(p.key, p.year, p.doi) for p in read] == [(p.key, p.year, p.doi) for p in papers]
    # An untitled paper is written with a title in brackets that says it was supplied.
    assert [p.title if p.title else "[Untitled" for p in papers] == [
        p.title if not p.title.startswith("[Untitled;") else "[Untitled" for p in read]
    first = read[0]
    assert (first.authors, first.venue, first.entry_type, first.identifiers, first.date) == (
        ["Vaswani, Ashish", "Shazeer, Noam", "van Beethoven, Ludwig"], ATTENTION.venue,
        "inproceedings", {"arxiv": "1706.03762"}, "2017-06-12")


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
@pytest.mark.parametrize("final_newline", [True, False])
def test_append_keeps_every_existing_byte(eol: str, final_newline: bool):
    existing = eol.join(["# my library", "knuth84:", "  type: book", "  title: Literate"])
    existing += eol if final_newline else ""
    entry = to_hayagriva(ATTENTION)
    append = append_entry(existing, ATTENTION.key, entry)
    assert append is not None
    lines = existing.split(eol)
    assert (append.line, append.column) == (len(lines) - 1, len(lines[-1]))
    new = existing + append.text
    assert new.startswith(existing)
    assert new.count("\n") == new.count(eol)  # the file's own line ending throughout
    assert new.endswith(eol) and eol * 3 not in new
    keys = [p.key for p in parse_hayagriva(new, "refs.yml", [])]
    assert keys == ["knuth84", ATTENTION.key]
    assert append_entry(new, ATTENTION.key, entry) is None  # never a second entry


def test_append_to_file_on_disk_refuses_an_existing_key(tmp_path: Path):
    path = tmp_path / "refs.yml"
    path.write_bytes(b'"quoted key":\r\n  title: x')
    assert append_to_file(path, ATTENTION.key, to_hayagriva(ATTENTION))
    data = path.read_bytes()
    assert data.startswith(b'"quoted key":\r\n  title: x\r\n\r\nvaswani')
    assert not append_to_file(path, ATTENTION.key, to_hayagriva(ATTENTION))
    assert not append_to_file(path, "quoted key", "quoted key:\n  title: y\n")
    assert path.read_bytes() == data


def test_keys_are_found_even_in_a_file_yaml_rejects():
    lines = ['"q k": x', "'it''s':", "  title: [unclosed", "DBLP:books/x:", "# c:", "  n: 1"]
    assert [(k.key, k.line, k.start) for k in defined_keys(lines)] == [
        ("q k", 0, 1), ("it's", 1, 1), ("DBLP:books/x", 3, 0)]


# --- the real Typst compiler ---------------------------------------------------------------


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext is missing: run tests/run.sh"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return " ".join(unicodedata.normalize("NFKC", text).split())


def inserted_citation(before: str, key: str) -> str:
    """The line citels leaves after completing `key` where the writer typed `before`."""
    span = typst_syntax.citation_at([before], 0, len(before))
    assert span is not None
    start, text = typst_syntax.key_insertion(span, key)
    return before[:start] + text + before[span.end:]


USER_ENTRY = {".yml": "knuth84:\n  type: book\n  title: Literate Programming\n  date: 1984",
              ".bib": "@book{knuth84,\n  title = {Literate Programming},\n  year = 1984,\n}"}


@pytest.mark.parametrize("suffix", [".yml", ".bib"])
def test_typst_prints_the_paper_citels_inserted_and_wrote(tmp_path: Path, suffix: str):
    bibliography = tmp_path / f"refs{suffix}"
    bibliography.write_text(USER_ENTRY[suffix], encoding="utf-8")  # no final newline
    existing = bibliography.read_text(encoding="utf-8")
    if suffix == ".yml":
        append = append_entry(existing, ATTENTION.key, to_hayagriva(ATTENTION))
    else:
        append = append_bibtex(existing, ATTENTION.key, to_bibtex(ATTENTION, unicode=True))
    assert append is not None
    bibliography.write_text(existing + append.text, encoding="utf-8")
    body = inserted_citation("Transformers @atten", ATTENTION.key)
    document = tmp_path / "main.typ"
    document.write_text(f"{body} and @knuth84.\n\n#bibliography(\"refs{suffix}\")\n",
                        encoding="utf-8")
    typst.compile(str(document), output=str(tmp_path / "main.pdf"), format="pdf")
    text = pdf_text(tmp_path / "main.pdf")
    assert "Transformers [1] and [2]." in text
    assert "Attention Is All You Need" in text and "Vaswani" in text
    assert "Literate Programming" in text


def test_typst_prints_every_bundled_paper_from_hayagriva(bundled_store: Store, tmp_path: Path):
    papers = list(bundled_store.papers())
    (tmp_path / "refs.yml").write_text("\n".join(to_hayagriva(p) for p in papers),
                                       encoding="utf-8")
    citations = " ".join(inserted_citation("@", p.key or "") for p in papers)
    (tmp_path / "main.typ").write_text(f"{citations}\n#bibliography(\"refs.yml\")\n",
                                       encoding="utf-8")
    typst.compile(str(tmp_path / "main.typ"), output=str(tmp_path / "main.pdf"), format="pdf")
    text = pdf_text(tmp_path / "main.pdf")
    assert f"[{len(papers)}]" in text and f"[{len(papers) + 1}]" not in text
    for title in ("TÜLU 3: Pushing Frontiers", "u-μP: The Unit-Scaled Maximal Update"):
        assert title in text
