"""A user's library written out by citels compiles with bibtex and biber, warning no more than
the library itself does."""

from __future__ import annotations

import subprocess
from pathlib import Path

from citels.bibliography.entry import to_bibtex
from citels.indexer import index_corpus
from citels.store import Store

USERLIB = Path(__file__).parent / "fixtures" / "userlib"
LIBRARY = [USERLIB / "crypto", USERLIB / "zotero.json", USERLIB / "first.bib"]


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300,
                          errors="replace")


def written_library(tmp_path: Path) -> str:
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, LIBRARY)
    return "\n".join(to_bibtex(paper) for paper in store.papers())


def test_bibtex_reads_the_written_entries_with_no_warning(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(written_library(tmp_path), encoding="utf-8")
    (tmp_path / "doc.aux").write_text("\\relax\n\\citation{*}\n\\bibstyle{plain}\n"
                                      "\\bibdata{refs}\n")
    bibtex = run("bibtex", "doc", cwd=tmp_path)
    warnings = [line for line in bibtex.stdout.splitlines() if line.startswith("Warning")]
    # The one the library itself has: plain knows no @web_page (biblatex does).
    assert warnings == ["Warning--entry type for \"w3c:html\" isn't style-file defined"], \
        bibtex.stdout
    bbl = (tmp_path / "doc.bbl").read_text()
    for expected in ("Lecture Notes in Computer Science", "TUGboat", "{World Health",
                     "Academic Press", "CRYPTO 2020, Part I", "101--120"):
        assert expected in bbl


def test_biber_reads_the_written_entries_with_no_warning(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(written_library(tmp_path), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[backend=biber]{biblatex}\n"
        "\\addbibresource{refs.bib}\n\\begin{document}\n\\nocite{*}\n\\printbibliography\n"
        "\\end{document}\n")
    run("pdflatex", "-interaction=nonstopmode", "doc", cwd=tmp_path)
    biber = run("biber", "doc", cwd=tmp_path)
    assert biber.returncode == 0, biber.stdout
    assert [line for line in biber.stdout.splitlines() if "WARN" in line or "ERROR" in line] \
        == []


def test_csl_json_fields_reach_bibtex_without_loss():
    from citels.corpus import read_records

    path = USERLIB / "zotero.json"
    papers = {p.source_key: p for p in read_records(path, path.read_bytes(), path.name).papers}
    article = to_bibtex(papers["smith2019journal"])
    for line in ("journal = {Journal of Measurement}", "volume  = {12}", "number  = {3}",
                 "pages   = {101--120}", "doi     = {10.1234/jm.2019.12.3}",
                 "issn    = {1234-5678}", "author  = {Smith, Jane and van Gogh, Vincent}"):
        assert f"  {line},\n" in article
    chapter = to_bibtex(papers["jones2018chapter"])
    for line in ("editor    = {Editor, Erin and Other, Otto}", "booktitle = {The Book of Things}",
                 "publisher = {Academic Press}", "address   = {London}",
                 "isbn      = {978-0-12-345678-6}", "series    = {Things Series}"):
        assert f"  {line},\n" in chapter
    report = to_bibtex(papers["who2020report"])
    for line in ("author      = {{World Health Organization}}", "number      = {WHO/HIS/2020.1}",
                 "institution = {World Health Organization}",
                 "url         = {https://www.who.int/data}"):
        assert f"  {line},\n" in report


def test_a_family_name_of_two_words_is_braced_whole_not_escaped():
    from citels.corpus.csl_json import csl_item_paper

    paper = csl_item_paper({"id": "vg", "type": "book", "title": "Letters",
                            "author": [{"family": "Van Gogh", "given": "Vincent"}]}, "x.json")
    assert paper.fields["author"] == "{{Van Gogh}, Vincent}"
