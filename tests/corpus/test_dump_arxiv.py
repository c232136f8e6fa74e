"""The arXiv metadata snapshot reader: every field a citation needs arrives."""

from __future__ import annotations

from dumps import DUMPS

from citels.corpus.arxiv import read_arxiv
from citels.papers import Source

SNAPSHOT = DUMPS / "arxiv-snapshot.jsonl"


def read(source=SNAPSHOT):
    warnings: list[str] = []
    return list(read_arxiv(source, "arxiv.jsonl", warnings)), warnings


def test_every_field_of_a_snapshot_record_arrives():
    paper = read()[0][0]
    # Line breaks and LaTeX are the authors' own: only the surrounding whitespace goes.
    assert paper.title == ("Sparse Gaussian Kernels for $\\mathcal{O}(n)$ Nearest\n"
                           "  Neighbour Search")
    assert paper.abstract == (
        "We index $n$ points with sparse kernels so that a query costs\n"
        "$\\mathcal{O}(\\log n)$ on average. Experiments on three\n"
        "benchmarks show the method is exact in 98\\% of cases.")
    assert paper.authors == ["Quill, Ada", "Osei, Jr., Bruno K.", "Li, Chen"]
    assert (paper.date, paper.year, paper.month) == ("2021-01-01", 2021, 1)  # first version
    assert paper.updated == "2021-03-17"
    assert paper.venue == "J. Approx. Retrieval 7 (2021) 101-113"
    assert paper.doi == "10.1234/jar.2021.0007"
    assert paper.identifiers == {"arxiv": "2101.00001"}
    assert paper.tags == ["cs.IR", "cs.DS", "stat.ML"]
    assert paper.urls == ["https://arxiv.org/abs/2101.00001"]
    assert paper.entry_type == "article"
    assert paper.sources == [Source("arxiv.jsonl", 1)]


def test_old_style_ids_and_unpublished_preprints():
    paper = read()[0][1]
    assert paper.identifiers == {"arxiv": "hep-th/9901001"}
    assert paper.urls == ["https://arxiv.org/abs/hep-th/9901001"]
    assert (paper.entry_type, paper.venue, paper.doi) == ("misc", None, None)
    assert (paper.date, paper.year, paper.updated) == ("1999-01-02", 1999, "2008-11-26")
    assert paper.sources == [Source("arxiv.jsonl", 3)]


def test_the_flat_author_list_is_used_when_authors_parsed_is_missing():
    assert read()[0][2].authors == ["Gil Park", "Hana Ito"]


def test_a_broken_line_is_skipped_with_its_file_and_line_and_the_rest_read():
    papers, warnings = read()
    assert len(papers) == 3
    assert len(warnings) == 1 and warnings[0].startswith("arxiv.jsonl:2: not valid JSON")


def test_lines_already_open_read_like_the_file():
    with SNAPSHOT.open(encoding="utf-8") as lines:
        from_lines = read(lines)[0]
    assert from_lines == read()[0]


def test_a_record_without_a_title_is_skipped_and_named():
    papers, warnings = read(['{"id": "2101.09999", "abstract": "No title."}\n'])
    assert papers == []
    assert warnings == ["arxiv.jsonl:1: an arXiv record without an id or a title; skipped"]
