"""A large .bib read by two processes in a first index (bib_in_two.py: this one cuts the
file and resolves each entry, a helper process makes the papers) gives exactly what one
reader of the whole file gives: the same records on the same lines, the same warnings in
the same order, the same index."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest

from citels import bib_in_two, chunked_reading
from citels.corpus.filters import PaperFilter
from citels.corpus.sources import ReadOptions, SourceKind, read_source
from citels.indexer import index_corpus
from citels.merge import merge_id
from citels.store import Store
from citels.store.paper_codec import decode
from citels.store.spill import RecordSpill

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# What biber meets in real libraries, each case more than once over the file: a macro of
# a sibling file and of this one, `#` joins, a crossref parent after its child, xdata, a
# repeated field, an entry without a key, a key defined twice, LaTeX and special
# characters, an entry type with `_`, a corporate author, an entry bibtexparser cannot cut.
ABBREVIATIONS = '@string{lncs = "Lecture Notes in Computer Science"}\n'
HEAD = '@string{tug = "TUGboat"}\n@string{jt = tug # " Journal"}\n\n'
CASES = """\
@article{{plain{n},
  title = {{Tidal Glaciers {n} and the {{\\TeX}} Way: $\\ell_1$ \\& Co.}},
  author = {{M{{\\"u}}ller, J{{\\"o}}rg and {{Research Group {n}}}}},
  journal = jt, year = {{20{n:02d}}}, month = mar,
  abstract = {{We show that \\emph{{glaciers}} melt; see \\url{{https://e.org/{n}}}.}},
}}

@inproceedings{{child{n},
  title = {{A Chapter {n}}}, author = {{Ada Lovelace}},
  crossref = {{proc{n}}}, xdata = {{shared}},
}}

@proceedings{{proc{n},
  title = {{Proceedings of Meeting {n}}}, editor = {{Bo Chair}}, year = {{1999}},
  publisher = lncs,
}}

@article{{twice{n},
  title = {{First Title {n}}}, title = {{Second Title {n}}}, year = {{2001}},
}}

@article{{,
  title = {{No Key Here {n}}},
}}

@web_page{{page{n},
  title = {{A Web Page {n}}}, url = {{https://example.org/{n}}},
}}

@article{{dup{n}, title = {{Defined Once {n}}}, year = {{2002}}}}
@article{{dup{n}, title = {{Defined Again {n}}}, year = {{2003}}}}

@article{{broken{n}, title = {{Unbalanced {{brace {n}}}, year = {{2004}}}}

"""


def library(folder: Path, rounds: int = 12) -> Path:
    """A .bib with every case above, `rounds` times, beside a file of @strings it uses."""
    folder.mkdir(exist_ok=True)
    (folder / "abbrev.bib").write_text(ABBREVIATIONS, encoding="utf-8")
    text = HEAD + "@xdata{shared, note = {Shared note}, language = {english}}\n\n"
    text += "".join(CASES.format(n=n) for n in range(rounds))
    path = folder / "library.bib"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def small_runs(monkeypatch):
    """Every .bib read in two processes, however small, in runs of three entries."""
    monkeypatch.setattr(bib_in_two, "FROM_BYTES", 0)
    monkeypatch.setattr(bib_in_two, "RUN_ENTRIES", 3)


def read_whole(path: Path) -> tuple[list[tuple], list[str]]:
    """The spill's records and the warnings of one reader of the whole file."""
    spill = RecordSpill(None, [str(path)])
    reading = read_source(path, SourceKind.WHOLE, path.name, ReadOptions())
    for paper in reading.papers:
        spill.add(str(path), paper.sources[0].line, merge_id(paper), paper)
    return spilled(spill), reading.warnings


def read_two(path: Path, parser: chunked_reading.RunParser | None = None
             ) -> tuple[list[tuple], list[str], list[tuple[int, str]]]:
    """The spill's records, the warnings and the (line, merge id) told, read in two."""
    spill = RecordSpill(None, [str(path)])
    warnings: list[str] = []
    kept: list[tuple[int, str]] = []
    with parser or chunked_reading.RunParser() as reader:
        bib_in_two.read_bib_in_two(spill, path, lambda block: None, warnings,
                                   lambda line, mid: kept.append((line, mid)), reader)
    return spilled(spill), warnings, kept


def spilled(spill: RecordSpill) -> list[tuple]:
    spill._flush()
    return [(mid, place, user, decode(data)) for mid, place, user, data in spill.conn.execute(
        "SELECT merge_id, place, user, data FROM records ORDER BY rowid")]


def test_a_bib_read_in_two_keeps_the_records_and_warnings_one_reader_gives(
        small_runs, tmp_path):
    path = library(tmp_path / "lib")
    whole, whole_warnings = read_whole(path)
    two, two_warnings, kept = read_two(path)
    assert two == whole and two_warnings == whole_warnings
    assert kept == [(paper.sources[0].line, mid) for mid, _, _, paper in two]
    papers = {paper.source_key: paper for *_, paper in two}
    # The cases were resolved before the helper made the papers: a sibling's macro, a
    # crossref parent further down, xdata, the first of a repeated field.
    assert papers["plain3"].venue == "TUGboat Journal"
    assert papers["child3"].venue == "Proceedings of Meeting 3"
    assert papers["child3"].fields["publisher"] == "{Lecture Notes in Computer Science}"
    assert papers["child3"].language == "english"
    assert papers["twice3"].title == "First Title 3"
    assert papers["page3"].entry_type == "web_page"
    assert any("an entry without a key; skipped" in warning for warning in two_warnings)
    assert any("a second entry dup3; skipped" in warning for warning in two_warnings)


def test_the_fixtures_read_in_two_are_read_as_by_one_reader(small_runs, tmp_path):
    for source in [FIXTURES / "library.bib", FIXTURES / "thesis" / "refs.bib",
                   *sorted((FIXTURES / "userlib").rglob("*.bib"))]:
        folder = tmp_path / source.parent.name
        if not folder.exists():
            shutil.copytree(source.parent, folder)
        path = folder / source.name
        whole, whole_warnings = read_whole(path)
        two, two_warnings, _ = read_two(path)
        assert (two, two_warnings) == (whole, whole_warnings), source
        assert whole, source


def test_a_first_index_of_a_bib_read_in_two_is_the_index_read_whole(monkeypatch, tmp_path):
    path = library(tmp_path / "lib", rounds=30)
    indexes = []
    for name, from_bytes in (("whole", 1 << 40), ("two", 0)):
        monkeypatch.setattr(bib_in_two, "FROM_BYTES", from_bytes)
        monkeypatch.setattr(bib_in_two, "RUN_ENTRIES", 4)
        store = Store(tmp_path / f"{name}.sqlite3")
        report = index_corpus(store, [path])
        store.close()
        indexes.append((report.added, report.warnings, tables(tmp_path / f"{name}.sqlite3")))
    assert indexes[0] == indexes[1]
    # Six papers a round: no xdata container, no entry without a key, a key defined twice
    # once, the broken entry skipped.
    assert indexes[0][0] == 30 * 6
    # A save after it: the changed entry is the one paper changed (its blocks were kept).
    store = Store(tmp_path / "two.sqlite3")
    path.write_text(path.read_text().replace("A Chapter 7}", "A Chapter Renamed}"))
    report = index_corpus(store, [path])
    assert (report.added, report.removed, report.unchanged) == (1, 1, 179)
    assert store.get("child7").title == "A Chapter Renamed"
    store.close()


def tables(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("papers", "records", "keys", "files", "titles_fts",
                              "bib_blocks")}
    finally:
        conn.close()


def test_only_a_large_bib_without_filters_is_read_in_two(tmp_path):
    path = library(tmp_path / "lib")
    assert not bib_in_two.read_in_two(path, SourceKind.WHOLE, ReadOptions())  # small
    big = tmp_path / "big.bib"
    big.write_bytes(path.read_bytes() * (bib_in_two.FROM_BYTES // path.stat().st_size + 1))
    assert bib_in_two.read_in_two(big, SourceKind.WHOLE, ReadOptions())
    assert not bib_in_two.read_in_two(big, SourceKind.WHOLE,
                                      ReadOptions(PaperFilter(first_year=2015)))
    json = tmp_path / "big.json"
    shutil.copy(big, json)
    assert not bib_in_two.read_in_two(json, SourceKind.WHOLE, ReadOptions())


def test_a_helper_that_dies_leaves_the_papers_to_be_made_here(small_runs, tmp_path):
    path = library(tmp_path / "lib")
    whole, whole_warnings = read_whole(path)
    parser = chunked_reading.RunParser()
    pool = parser.pool()
    pool.submit(int).result()  # the helper is up
    # (The executor's processes are private: killing one is what a crash looks like.)
    for process in list(pool._processes.values()):
        os.kill(process.pid, signal.SIGKILL)
        process.join()
    two, two_warnings, _ = read_two(path, parser)
    assert two == whole and two_warnings == whole_warnings


def test_the_helper_that_read_a_bib_writes_its_first_index(monkeypatch, tmp_path):
    """One helper process for the whole run, and the index the same as with a helper of
    its own for the writing (or none at all)."""
    from citels import helper_process
    from citels.store import bulk

    path = library(tmp_path / "lib", rounds=30)
    started = []

    def counted_pool(*args, **kwargs):
        started.append(args)
        return helper_process.helper_pool(*args, **kwargs)

    monkeypatch.setattr(bulk, "helper_pool", counted_pool)
    monkeypatch.setattr(chunked_reading, "helper_pool", counted_pool)
    monkeypatch.setattr(bulk, "HELPER_FROM_PAPERS", 10)  # the write has a helper too
    monkeypatch.setattr(bib_in_two, "RUN_ENTRIES", 4)
    indexes = []
    for name, from_bytes in (("whole", 1 << 40), ("two", 0)):
        monkeypatch.setattr(bib_in_two, "FROM_BYTES", from_bytes)
        started.clear()
        store = Store(tmp_path / f"{name}.sqlite3")
        report = index_corpus(store, [path])
        store.close()
        indexes.append((report.added, report.warnings, tables(tmp_path / f"{name}.sqlite3"),
                        len(started)))
    assert indexes[0][:3] == indexes[1][:3]
    # Read alone, the write starts its own helper; read in two, the reader's helper writes.
    assert (indexes[0][3], indexes[1][3]) == (1, 1)


def test_a_reading_helper_that_died_leaves_the_write_to_a_run_without_one(
        monkeypatch, tmp_path):
    from citels.store import bulk

    path = library(tmp_path / "lib", rounds=30)
    monkeypatch.setattr(bulk, "HELPER_FROM_PAPERS", 10)
    monkeypatch.setattr(bib_in_two, "RUN_ENTRIES", 4)
    monkeypatch.setattr(bib_in_two, "FROM_BYTES", 1 << 40)
    store = Store(tmp_path / "whole.sqlite3")
    index_corpus(store, [path])
    store.close()
    monkeypatch.setattr(bib_in_two, "FROM_BYTES", 0)
    read = bib_in_two.read_bib_in_two

    def read_then_die(spill, path, tap, warnings, kept, parser):
        read(spill, path, tap, warnings, kept, parser)
        for process in list(parser.started()._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
            process.join()

    monkeypatch.setattr("citels.indexer.read_bib_in_two", read_then_die)
    store = Store(tmp_path / "two.sqlite3")
    report = index_corpus(store, [path])
    store.close()
    assert report.added == 30 * 6
    assert tables(tmp_path / "two.sqlite3") == tables(tmp_path / "whole.sqlite3")
