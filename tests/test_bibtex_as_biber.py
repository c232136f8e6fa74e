"""A .bib read as biber reads it: what biber forgives is kept, what it rejects is one entry."""

from __future__ import annotations

from pathlib import Path

from citels.bibliography.read import find_entry
from citels.cite_syntax import bibtex as bib_syntax
from citels.corpus import read_records
from citels.indexer import index_corpus
from citels.render import describe_entry
from citels.store import Store

CRYPTO = Path(__file__).parent / "fixtures" / "userlib" / "crypto"


def read(name: str):
    path = CRYPTO / name
    return read_records(path, path.read_bytes(), path.name)


def test_every_key_of_a_library_is_found_with_its_own_title(tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [CRYPTO])
    titles = {key: store.get(key).title for key in (
        "C:AbcDef20", "Knuth:TB1-1", "w3c:html", "Sample:2021", "CRYPTO2020-1")}
    assert titles == {
        "C:AbcDef20": "Proofs of Things",
        "Knuth:TB1-1": "TUG and Report from an early AmSTeX user",
        "w3c:html": "HTML 5.2: Bell & Howell & friends",
        "Sample:2021": "A Book With Its Publisher in Xdata",
        "CRYPTO2020-1": "CRYPTO 2020, Part I"}
    assert store.get("springer-cham") is None  # an xdata container is not citable


def test_an_entry_without_a_key_is_skipped_alone_and_parents_nobody():
    result = read("crypto.bib")
    assert "crypto.bib:9: an entry without a key; skipped" in result.warnings
    papers = {paper.source_key: paper for paper in result.papers}
    assert all(paper.venue != "Foreign Journal" and not paper.abstract
               for paper in papers.values())


def test_a_repeated_field_keeps_its_first_value_with_a_warning_naming_the_line():
    result = read("crypto.bib")
    assert "crypto.bib:20: Knuth:TB1-1 repeats field title; the first value is kept" \
        in result.warnings
    entry = find_entry((CRYPTO / "crypto.bib").read_text(), "knuth:tb1-1", "crypto.bib")
    assert entry is not None and entry.fields["title"].startswith(r"{\TUG}")


def test_an_unclosed_comment_loses_nothing_after_it():
    result = read("crypto.bib")
    assert result.papers[0].source_key == "C:AbcDef20"
    assert any(w.startswith("crypto.bib:1: an unclosed @comment") for w in result.warnings)


def test_macros_crossref_and_xdata_come_from_the_other_files_of_the_library():
    papers = {paper.source_key: paper for paper in read("crypto.bib").papers}
    proofs = papers["C:AbcDef20"]
    assert proofs.venue == "CRYPTO 2020, Part I" and proofs.year == 2020
    assert proofs.editors == ["Daniele Micciancio", "Thomas Ristenpart"]
    assert papers["Knuth:TB1-1"].venue == "TUGboat"
    # Written alone, an entry carries what it inherits: no parent it would need.
    book = papers["Sample:2021"].fields
    assert (book["publisher"], book["address"]) == ("{Springer}", "{Cham}")
    assert "xdata" not in book and "crossref" not in proofs.fields
    assert proofs.fields["series"] == "{Lecture Notes in Computer Science}"


def test_entry_types_with_underscores_are_entries():
    lines = (CRYPTO / "crypto.bib").read_text().splitlines()
    keys = [span.key for span in bib_syntax.cited_keys(lines)]
    assert "w3c:html" in keys


def test_hover_of_an_entry_shows_unknown_macros_and_ampersands():
    entry = find_entry((CRYPTO / "crypto.bib").read_text(), "w3c:html", "crypto.bib")
    text = describe_entry("w3c:html", entry, None, markdown=False)
    assert text.startswith("HTML 5.2: Bell & Howell & friends\n\nWorld Wide Web Consortium")


def test_a_big_file_read_in_pieces_keeps_lines_macros_and_braced_at_signs(monkeypatch):
    from citels.corpus import bibtex_file

    monkeypatch.setattr(bibtex_file, "_CHUNK_CHARACTERS", 50)  # as if the file were big
    text = ('@string{j = "Journal"}\n@article{a, title={One\n@notanentry}, journal=j}\n'
            "@article{b, title={Two}, journal=j}\n")
    warnings: list[str] = []
    papers = list(bibtex_file.parse_bibtex(text, "x.bib", warnings))
    assert [(p.source_key, p.title, p.venue, p.sources[0].line) for p in papers] == [
        ("a", "One @notanentry", "Journal", 2), ("b", "Two", "Journal", 4)]
    assert warnings == []
