"""Reading a Zotero library in place: every paper with its key, nothing else, and safely.

The data directories are built at test time (`zotero_libraries.py`), one as current Zotero
keeps it (WAL, native citation keys), one as Zotero 7 with Better BibTeX 7 does.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from citels.bibliography.entry import to_bibtex
from citels.corpus.zotero import library_state, read_items
from citels.corpus.zotero_location import ZoteroError, default_data_directory
from citels.papers import Paper
from zotero_fixtures import ZoteroBuilder
from zotero_libraries import ABSENT, KEYS, Fixture, current_library, zotero7_library

LIBRARIES: dict[str, Callable[[Path], Fixture]] = {
    "current": current_library, "zotero7": zotero7_library}


@pytest.fixture(params=list(LIBRARIES))
def library(request: pytest.FixtureRequest, tmp_path: Path) -> Fixture:
    return LIBRARIES[request.param](tmp_path / request.param)


def by_title(papers: list[Paper]) -> dict[str | None, Paper]:
    return {paper.title: paper for paper in papers}


def test_every_paper_of_every_library_is_found_with_the_key_the_user_sees(library: Fixture):
    read = read_items(library.directory)
    assert {paper.title: paper.source_key for paper in read.papers} == KEYS
    assert read.warnings == []
    assert read.complete and read.removed == set()


def test_notes_attachments_annotations_trash_and_feeds_are_not_papers(library: Fixture):
    titles = {paper.title for paper in read_items(library.database).papers}
    assert titles.isdisjoint(ABSENT)
    assert "A standalone note" not in titles


def test_fields_creators_and_dates_are_mapped(library: Fixture):
    papers = by_title(read_items(library.directory).papers)
    article = papers["CO2 capture with metal–organic frameworks in E. coli"]
    assert article.entry_type == "article"
    assert article.authors == ["Smith, Jane", "Müller, Jörg"]
    assert (article.year, article.month, article.date) == (2019, 3, None)  # day unknown
    assert article.venue == "Journal of Porous Materials"
    assert article.abstract == "We capture carbon dioxide with porous crystals."
    assert article.doi == "10.1000/jpm.2019.12"
    assert article.identifiers["issn"] == "1234-5678"
    assert article.language == "en"
    assert article.tags == ["Thesis/Chapter 2"]  # the trashed collection is not offered
    assert article.sources[0].line == library.ids[article.title or ""]

    talk = papers["Attention Is All You Need"]
    assert talk.entry_type == "inproceedings"
    assert talk.authors == ["Vaswani, Ashish", "Shazeer, Noam"]  # the editor came first
    assert talk.editors == ["Guyon, Isabelle"]
    assert talk.date == "2017-12-04"
    assert talk.identifiers["arxiv"] == "1706.03762"  # from Extra
    assert talk.fields["booktitle"] == "{Advances in Neural Information Processing Systems}"

    assert papers["Global report on infection prevention"].authors == [
        "World Health Organization"]
    assert papers["citels"].authors == ["Doe, Jane"]  # a program's programmer
    assert papers["Energy use of small data centres"].retracted
    assert not talk.retracted
    preprint = papers["A preprint about sparse transformers"]
    assert preprint.identifiers["arxiv"] == "2401.01234"
    assert preprint.urls == ["https://arxiv.org/abs/2401.01234v2"]
    group = papers["Shared reading on graph neural networks"]
    assert group.tags == ["Lab Reading Group", "Lab Reading Group/Reading"]
    assert group.identifiers["zotero"] == article.identifiers["zotero"]  # same item key


def test_entries_are_written_as_better_bibtex_would(library: Fixture):
    papers = by_title(read_items(library.directory).papers)
    assert to_bibtex(papers["CO2 capture with metal–organic frameworks in E. coli"]) == (
        "@article{smith2019co2,\n"
        '  author   = {Smith, Jane and M{\\"u}ller, J{\\"o}rg},\n'
        "  title    = {{CO}\\textsubscript{2} capture with"
        " \\textit{metal{\\textendash}organic} frameworks in {E. coli}},\n"
        "  journal  = {Journal of Porous Materials},\n"
        "  year     = 2019,\n"
        "  month    = mar,\n"
        "  doi      = {10.1000/jpm.2019.12},\n"
        "  url      = {https://example.org/co2},\n"
        "  abstract = {We capture carbon dioxide with porous crystals.},\n"
        "  volume   = {12},\n"
        "  number   = {3},\n"
        "  pages    = {100--110},\n"
        "  issn     = {1234-5678},\n"
        "  language = {en},\n"
        "}\n")
    thesis = papers["Learning to rank citations"]
    assert (thesis.entry_type, thesis.fields["school"]) == (
        "mastersthesis", "{University of Somewhere}")
    report = papers["Energy use of small data centres"].fields
    assert (report["author"], report["institution"], report["number"], report["type"]) == (
        "{{International Energy Agency}}", "{IEA}", "{TR-42}", "{Technical note}")
    assert papers["Graph kernels revisited"].fields["editor"] == "{Doe, John}"


def test_the_generated_entries_compile_with_bibtex(library: Fixture, tmp_path: Path):
    papers = read_items(library.directory).papers
    folder = tmp_path / "doc"
    folder.mkdir()
    (folder / "refs.bib").write_text(
        "\n".join(to_bibtex(paper) for paper in papers if paper.source_key), encoding="utf-8")
    (folder / "doc.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\nocite{*}\n"
        "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n")
    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, cwd=folder, capture_output=True, text=True,
                              errors="replace", timeout=300)
    run("pdflatex", "-interaction=nonstopmode", "doc")
    bibtex = run("bibtex", "doc")
    assert "error" not in bibtex.stdout.lower(), bibtex.stdout
    run("pdflatex", "-interaction=nonstopmode", "doc")
    final = run("pdflatex", "-interaction=nonstopmode", "doc")
    assert [line for line in final.stdout.splitlines() if line.startswith("!")] == []
    assert "\\bibitem{vaswani2017attention}" in (folder / "doc.bbl").read_text()


def directory_bytes(directory: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.iterdir())}


def hold_like_zotero(database: Path) -> sqlite3.Connection:
    """A connection that locks the database for good, in WAL mode, as running Zotero does."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA locking_mode=EXCLUSIVE")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")  # new items stay in the WAL
    return connection


def add_paper(connection: sqlite3.Connection, database: Path, title: str, key: str,
              when: str = "2024-05-02 09:00:00") -> int:
    builder = ZoteroBuilder.on(connection, database)
    builder.now = when
    connection.execute("BEGIN")
    fields = {"title": title, "date": "2024-00-00 2024"}
    if builder.native_keys:
        fields["citationKey"] = key
    else:
        fields["extra"] = f"Citation Key: {key}"
    item_id = builder.add_item(1, "journalArticle", fields, [("author", "New", "Author")])
    connection.execute("COMMIT")
    return item_id


def test_a_locked_library_is_read_from_its_wal_and_left_byte_for_byte(tmp_path: Path):
    library = current_library(tmp_path / "zotero")
    zotero = hold_like_zotero(library.database)
    add_paper(zotero, library.database, "Written only to the WAL", "wal2024only")
    assert (library.directory / "zotero.sqlite-wal").stat().st_size > 0
    with pytest.raises(sqlite3.OperationalError, match="locked"):  # the lock is real
        sqlite3.connect(f"{library.database.as_uri()}?mode=ro", uri=True).execute(
            "SELECT count(*) FROM items").fetchall()
    before = directory_bytes(library.directory)

    read = read_items(library.directory)

    assert directory_bytes(library.directory) == before
    assert by_title(read.papers)["Written only to the WAL"].source_key == "wal2024only"
    assert read.warnings == []
    zotero.close()


def test_without_a_private_copy_the_library_is_read_in_place_and_the_user_told(
        tmp_path: Path):
    library = zotero7_library(tmp_path / "zotero")
    not_a_directory = tmp_path / "scratch"
    not_a_directory.write_text("a file where the copies would go")
    before = directory_bytes(library.directory)
    read = read_items(library.directory, scratch=not_a_directory)
    assert {paper.title: paper.source_key for paper in read.papers} == KEYS
    assert read.warnings and all("may be missing" in warning for warning in read.warnings)
    assert directory_bytes(library.directory) == before


def test_an_item_added_after_zotero_replaced_its_file_is_read_again(tmp_path: Path):
    library = current_library(tmp_path / "zotero")
    first = read_items(library.directory)
    state = library_state(library.directory)
    # Zotero's compaction: a new file written beside the old one, then moved over it.
    compacted = tmp_path / "zotero.sqlite.new"
    shutil.copyfile(library.database, compacted)
    connection = sqlite3.connect(compacted, isolation_level=None)
    added = add_paper(connection, compacted, "Added after compaction", "compact2024added",
                      when="2024-06-01 12:00:00")
    connection.close()
    os.replace(compacted, library.database)

    assert library_state(library.directory) != state
    again = read_items(library.directory, since=first.mark)
    assert [paper.title for paper in again.papers] == ["Added after compaction"]
    assert again.papers[0].sources[0].line == added and not again.complete


def test_only_what_changed_is_read_again(library: Fixture):
    first = read_items(library.directory)
    assert read_items(library.directory, since=first.mark).papers == []
    state = library_state(library.directory)
    assert library_state(library.directory) == state  # nothing changed, nothing to read
    connection = sqlite3.connect(library.database, isolation_level=None)
    title_field = connection.execute(
        "SELECT fieldID FROM fields WHERE fieldName = 'title'").fetchone()[0]
    edited = library.ids["Graph kernels revisited"]
    connection.execute("INSERT INTO itemDataValues (value) VALUES ('Graph kernels, revised')")
    connection.execute("UPDATE itemData SET valueID = last_insert_rowid()"
                       " WHERE itemID = ? AND fieldID = ?", (edited, title_field))
    connection.execute("UPDATE items SET clientDateModified = '2024-07-01 08:00:00'"
                       " WHERE itemID = ?", (edited,))
    trashed = library.ids["The citels manual"]
    connection.execute("INSERT INTO deletedItems VALUES (?, '2024-07-01 08:00:00')",
                       (trashed,))
    connection.close()

    assert library_state(library.directory) != state
    again = read_items(library.directory, since=first.mark)
    assert [paper.title for paper in again.papers] == ["Graph kernels, revised"]
    assert again.removed == {trashed}


def test_filing_an_item_in_a_collection_reads_the_library_again(library: Fixture):
    first = read_items(library.directory)
    connection = sqlite3.connect(library.database, isolation_level=None)
    connection.execute("INSERT INTO collectionItems VALUES (1, ?, 0)",
                       (library.ids["Attention Is All You Need"],))
    connection.close()
    again = read_items(library.directory, since=first.mark)
    assert again.complete
    assert by_title(again.papers)["Attention Is All You Need"].tags == ["Thesis"]


def test_a_missing_library_or_a_backup_is_refused_with_its_name(tmp_path: Path):
    with pytest.raises(ZoteroError, match="no Zotero database"):
        read_items(tmp_path)
    backup = tmp_path / "zotero.sqlite.bak"
    backup.write_bytes(b"SQLite format 3\0")
    with pytest.raises(ZoteroError, match="backup"):
        read_items(backup)


def test_the_default_data_directory_is_found_under_home(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_data_directory() is None
    current_library(tmp_path / "Zotero")
    assert default_data_directory() == tmp_path / "Zotero"


def test_a_key_changed_in_better_bibtex_7_is_read_again(tmp_path: Path):
    library = zotero7_library(tmp_path / "zotero")
    first = read_items(library.directory)
    state = library_state(library.directory)
    keys = sqlite3.connect(library.directory / "better-bibtex.sqlite", isolation_level=None)
    keys.execute("UPDATE citationkey SET citationKey = 'vaswani2017transformer'"
                 " WHERE citationKey = 'vaswani2017attention'")
    keys.close()
    assert library_state(library.directory) != state
    again = read_items(library.directory, since=first.mark)
    assert again.complete  # keys live outside Zotero's items: no item time changed
    assert by_title(again.papers)["Attention Is All You Need"].source_key == (
        "vaswani2017transformer")
