"""A large JSON Lines dump read in runs of lines with a helper process (chunked_reading.py)
gives the first index exactly what one reader of the whole file gives: the same records on
the same lines, the same warnings (capped for the file as a whole), the same index."""

from __future__ import annotations

import gzip
import os
import signal
import json
import sqlite3
from pathlib import Path

import pytest
from dumps import DUMPS

from citels import chunked_reading
from citels.corpus.filters import PaperFilter
from citels.corpus.json_records import MAX_LISTED_WARNINGS
from citels.corpus.openalex import read_openalex
from citels.corpus.sources import ReadOptions, SourceKind, read_source
from citels.corpus.streams import DumpFormat
from citels.indexer import index_corpus
from citels.merge import merge_id
from citels.store import Store
from citels.store.paper_codec import decode
from citels.store.spill import RecordSpill


@pytest.fixture
def small_runs(monkeypatch):
    """Every dump read in runs of three lines, however small."""
    monkeypatch.setattr(chunked_reading, "FROM_BYTES", 0)
    monkeypatch.setattr(chunked_reading, "RUN_LINES", 3)


def arxiv_dump(path: Path, records: int = 40, faults: bool = True) -> Path:
    """An arXiv snapshot of the fixture's records again and again under new ids, with the
    faults a real download has between them: blank lines, a broken line, a line holding
    a JSON list, a record without a title."""
    originals = []
    for line in (DUMPS / "arxiv-snapshot.jsonl").read_text().splitlines():
        try:
            originals.append(json.loads(line))
        except ValueError:  # the fixture's own broken line
            continue
    lines = []
    for number in range(records):
        record = dict(originals[number % len(originals)])
        record["id"] = f"2101.{number:05d}"
        record["title"] = f"{record['title']} part {number}"
        record["categories"] = "cs.CL" if number % 3 else "math.AG"
        lines.append(json.dumps(record))
        if faults and number % 7 == 3:
            lines += ["", '{"id": "broken", "title": ', "[1, 2]",
                      json.dumps({"id": f"2102.{number:05d}"})]
    path.write_text("\n".join(lines) + "\n")
    return path


def read_whole(path: Path, options: ReadOptions) -> tuple[list[tuple], list[str]]:
    """The spill's records and the warnings of one reader of the whole file."""
    spill = RecordSpill(None, [str(path)])
    reading = read_source(path, SourceKind.DUMP, path.name, options)
    for paper in reading.papers:
        spill.add(str(path), paper.sources[0].line, merge_id(paper), paper)
    return spilled(spill), reading.warnings


def read_runs(path: Path, options: ReadOptions) -> tuple[list[tuple], list[str], int]:
    """The spill's records, the warnings and the papers counted, read in runs."""
    spill = RecordSpill(None, [str(path)])
    format = chunked_reading.format_read_in_runs(path, SourceKind.DUMP, options)
    assert format is not None, "the dump is read in runs"
    warnings: list[str] = []
    counted = []
    with chunked_reading.RunParser() as parser:
        chunked_reading.read_in_runs(spill, path, format, options, lambda block: None,
                                     warnings, lambda: counted.append(1), parser)
    return spilled(spill), warnings, len(counted)


def spilled(spill: RecordSpill) -> list[tuple]:
    spill._flush()
    return [(mid, place, user, decode(data)) for mid, place, user, data in spill.conn.execute(
        "SELECT merge_id, place, user, data FROM records ORDER BY rowid")]


def test_a_dump_read_in_runs_keeps_the_records_and_warnings_one_reader_gives(
        small_runs, tmp_path):
    path = arxiv_dump(tmp_path / "snapshot.jsonl")
    whole, whole_warnings = read_whole(path, ReadOptions())
    runs, run_warnings, counted = read_runs(path, ReadOptions())
    assert runs == whole and counted == len(whole) == 40
    assert run_warnings == whole_warnings
    # Each fault named by its own line of the file, not of the run it was read in.
    assert any(warning.startswith("snapshot.jsonl:6: not valid JSON")
               for warning in run_warnings), run_warnings
    assert "snapshot.jsonl:7: a JSON list, not an object; skipped" in run_warnings


def test_filters_and_a_field_mapping_apply_to_every_run(small_runs, tmp_path):
    path = tmp_path / "list.jsonl"
    path.write_text("".join(json.dumps({"name": f"Paper {n}", "summary": "Text.",
                                        "when": 2010 + n}) + "\n" for n in range(12)))
    options = ReadOptions(PaperFilter(first_year=2015),
                          {"title": "name", "abstract": "summary", "year": "when"})
    whole, _ = read_whole(path, options)
    runs, _, _ = read_runs(path, options)
    assert [paper.title for *_, paper in runs] == [f"Paper {n}" for n in range(5, 12)]
    assert runs == whole


def test_the_warnings_of_a_faulty_dump_are_capped_for_the_file_not_each_run(
        small_runs, tmp_path):
    path = arxiv_dump(tmp_path / "faulty.jsonl", 1, faults=False)
    path.write_text(path.read_text() + "not json\n" * (MAX_LISTED_WARNINGS + 20))
    _, whole_warnings = read_whole(path, ReadOptions())
    _, run_warnings, _ = read_runs(path, ReadOptions())
    assert run_warnings == whole_warnings
    assert len(run_warnings) == MAX_LISTED_WARNINGS + 1
    assert run_warnings[-1] == (f"faulty.jsonl: 20 more records skipped for the same kinds"
                                f" of faults ({MAX_LISTED_WARNINGS + 20} in all)")


def test_a_truncated_download_keeps_every_record_before_the_break(small_runs, tmp_path):
    whole = gzip.compress(arxiv_dump(tmp_path / "full.jsonl", 3000, faults=False).read_bytes())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[:len(whole) * 2 // 3])
    with pytest.raises(EOFError):
        read_whole(path, ReadOptions())
    spill = RecordSpill(None, [str(path)])
    format = chunked_reading.format_read_in_runs(path, SourceKind.DUMP, ReadOptions())
    with pytest.raises(EOFError), chunked_reading.RunParser() as parser:
        chunked_reading.read_in_runs(spill, path, format, ReadOptions(), lambda block: None,
                                     [], lambda: None, parser)
    kept = [paper.sources[0].line for *_, paper in spilled(spill)]
    assert len(kept) > 100 and kept == list(range(1, len(kept) + 1))


def test_a_file_opening_a_json_array_is_read_whole(small_runs, tmp_path):
    path = tmp_path / "array.json"
    path.write_text(json.dumps([{"title": f"Paper {n}"} for n in range(5)], indent=1))
    assert chunked_reading.format_read_in_runs(path, SourceKind.DUMP, ReadOptions()) is None


def test_a_first_index_of_a_dump_read_in_runs_is_the_index_read_whole(
        monkeypatch, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    arxiv_dump(corpus / "snapshot.jsonl", 60)
    (corpus / "works.jsonl").write_text((DUMPS / "openalex-works.jsonl").read_text())
    indexes = []
    for name, from_bytes in (("whole", 1 << 40), ("runs", 0)):
        monkeypatch.setattr(chunked_reading, "FROM_BYTES", from_bytes)
        monkeypatch.setattr(chunked_reading, "RUN_LINES", 4)
        store = Store(tmp_path / f"{name}.sqlite3")
        report = index_corpus(store, [corpus])
        store.close()
        indexes.append((report.added, report.warnings, tables(tmp_path / f"{name}.sqlite3")))
    assert indexes[0] == indexes[1]
    works = list(read_openalex(DUMPS / "openalex-works.jsonl", "works.jsonl", []))
    assert indexes[0][0] == 60 + len(works) and works


def tables(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("papers", "records", "keys", "files", "titles_fts")}
    finally:
        conn.close()


def test_only_dumps_read_a_line_at_a_time_are_read_in_runs(small_runs):
    assert chunked_reading.format_read_in_runs(
        DUMPS / "dblp-sample.xml", SourceKind.DUMP, ReadOptions()) is None
    assert chunked_reading.format_read_in_runs(
        DUMPS / "openalex-works.jsonl", SourceKind.DUMP, ReadOptions()) is DumpFormat.OPENALEX


def test_a_helper_that_dies_leaves_the_runs_to_be_parsed_here(small_runs, tmp_path):
    path = arxiv_dump(tmp_path / "snapshot.jsonl")
    whole, whole_warnings = read_whole(path, ReadOptions())
    spill = RecordSpill(None, [str(path)])
    warnings: list[str] = []
    with chunked_reading.RunParser() as parser:
        pool = parser.pool()
        pool.submit(int).result()  # the helper is up
        # (The executor's processes are private: killing one is what a crash looks like.)
        for process in list(pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
            process.join()
        chunked_reading.read_in_runs(spill, path, DumpFormat.ARXIV, ReadOptions(),
                                     lambda block: None, warnings, lambda: None, parser)
    assert spilled(spill) == whole and warnings == whole_warnings


def test_a_helper_that_cannot_be_started_leaves_the_runs_to_be_parsed_here(
        small_runs, tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    class NoProcessToBeHad(ProcessPoolExecutor):
        """A system out of processes: starting the helper fails (EAGAIN)."""

        def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
            raise BlockingIOError(11, "Resource temporarily unavailable")

    path = arxiv_dump(tmp_path / "snapshot.jsonl")
    whole, whole_warnings = read_whole(path, ReadOptions())
    spill = RecordSpill(None, [str(path)])
    warnings: list[str] = []
    with chunked_reading.RunParser() as parser:
        parser._pool = NoProcessToBeHad(1)  # (the parser's pool is private: a fault put in)
        chunked_reading.read_in_runs(spill, path, DumpFormat.ARXIV, ReadOptions(),
                                     lambda block: None, warnings, lambda: None, parser)
    assert spilled(spill) == whole and warnings == whole_warnings
