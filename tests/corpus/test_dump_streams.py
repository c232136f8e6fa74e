"""Dumps stream whatever their compression, are told apart by content, and are never held."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dumps import COMPRESSORS, DUMPS, compressed_copy

from citels.corpus.arxiv import read_arxiv
from citels.corpus.openalex import read_openalex
from citels.corpus.streams import DumpFormat, compression, open_text, sniff, sniff_file

SERVER = Path(__file__).resolve().parents[2] / "server"
FIXTURE_FORMATS = {
    "arxiv-snapshot.jsonl": DumpFormat.ARXIV,
    "openalex-works.jsonl": DumpFormat.OPENALEX,
    "s2-papers.jsonl": DumpFormat.S2_PAPERS,
    "s2-abstracts.jsonl": DumpFormat.S2_ABSTRACTS,
    "dblp-sample.xml": DumpFormat.DBLP,
    "venue-list.jsonl": DumpFormat.JSON_LINES,
}


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_every_compression_streams_the_same_papers_under_any_name(tmp_path, kind):
    snapshot = DUMPS / "arxiv-snapshot.jsonl"
    # The name says nothing true: the first bytes decide.
    packed = compressed_copy(snapshot, tmp_path / "papers.txt", kind)
    assert compression(packed) == kind
    plain: list[str] = []
    expected = [p.title for p in read_arxiv(snapshot, "x", plain)]
    warnings: list[str] = []
    assert [p.title for p in read_arxiv(packed, "x", warnings)] == expected
    assert warnings == plain


@pytest.mark.parametrize(("name", "format"), sorted(FIXTURE_FORMATS.items()))
@pytest.mark.parametrize("kind", [None, "gzip", "zstd"])
def test_each_format_is_told_by_content_even_under_a_misleading_name(tmp_path, name, format,
                                                                     kind):
    misnamed = tmp_path / "library.bib"
    if kind:
        compressed_copy(DUMPS / name, misnamed, kind)
    else:
        shutil.copy(DUMPS / name, misnamed)
    assert sniff_file(misnamed) == format


@pytest.mark.parametrize(("content", "format"), [
    ('[{"id": "a", "type": "article-journal", "title": "T", "issued": {"date-parts": [[2020]]}}]',
     DumpFormat.CSL_JSON),
    ('[\n  {"title": "T", "authors": ["A"]}\n]', DumpFormat.JSON_ARRAY),
    ('{"items": 3}\n', DumpFormat.JSON_LINES),
    ('{"broken\n{"id": "1", "categories": "cs.CL", "versions": []}\n', DumpFormat.ARXIV),
    ('{"broken\n', None),
    ("@article{key, title={T}}\n", None),
    ("<html><body>not dblp</body></html>", None),
    ("", None),
])
def test_sniffing_small_files(tmp_path, content, format):
    path = tmp_path / "corpus.json"
    path.write_text(content, encoding="utf-8")
    assert sniff_file(path) == format


def test_the_bundled_csl_json_library_is_told_apart_from_a_plain_array():
    library = Path(__file__).resolve().parents[1] / "fixtures" / "library.json"
    assert sniff_file(library) == DumpFormat.CSL_JSON


def test_an_openalex_snapshot_folder_is_one_dump_of_its_parts(tmp_path):
    works = tmp_path / "works"
    for day in ("2024-02-01", "2023-12-01"):
        compressed_copy(DUMPS / "openalex-works.jsonl",
                        works / f"updated_date={day}" / "part_000.gz", "gzip")
    (works / "manifest").write_text('{"entries": []}', encoding="utf-8")
    dump = sniff(works)
    assert dump is not None and dump.format == DumpFormat.OPENALEX
    assert [p.relative_to(works).as_posix() for p in dump.files] == [
        "updated_date=2023-12-01/part_000.gz", "updated_date=2024-02-01/part_000.gz"]


def test_a_semantic_scholar_folder_pairs_papers_with_abstracts(tmp_path):
    shutil.copy(DUMPS / "s2-papers.jsonl", tmp_path / "a")
    shutil.copy(DUMPS / "s2-abstracts.jsonl", tmp_path / "b")
    dump = sniff(tmp_path)
    assert dump is not None and dump.format == DumpFormat.S2_PAPERS
    assert (dump.files, dump.abstracts) == ([tmp_path / "a"], [tmp_path / "b"])


def test_open_text_drops_a_byte_order_mark_and_survives_a_bad_byte(tmp_path):
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(gzip.compress(b'\xef\xbb\xbf{"title": "caf\xe9"}\n'))
    with open_text(path) as lines:
        assert list(lines) == ['{"title": "caf\ufffd"}\n']


def _write_generated_snapshot(path: Path, count: int) -> None:
    """A gzipped arXiv snapshot of `count` generated papers, written as it is made."""
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for number in range(count):
            record = {
                "id": f"{1500 + number // 99999:04d}.{number % 99999:05d}",
                "authors": "A. Writer and B. Reader",
                "title": f"Generated paper {number} on sparse\n  retrieval",
                "abstract": f"  Paper {number} studies {'words ' * 60}at length.\n",
                "categories": "cs.IR cs.CL", "journal-ref": None, "doi": None,
                "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
                "update_date": "2008-11-13",
                "authors_parsed": [["Writer", "A.", ""], ["Reader", "B.", ""]],
            }
            out.write(json.dumps(record) + "\n")


_MEASURE_PEAK_GROWTH = """
import resource, sys
from itertools import islice
from citels.corpus.arxiv import read_arxiv
papers = read_arxiv(sys.argv[1], "snapshot", [])
count = sum(1 for _ in islice(papers, 1000))  # imports and buffers are paid for by now
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
count += sum(1 for _ in papers)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(count, (after - before) * 1024)  # ru_maxrss is in KiB on Linux
"""


def test_reading_a_large_dump_holds_one_record_at_a_time(tmp_path):
    path = tmp_path / "snapshot.json.gz"
    _write_generated_snapshot(path, 200_000)
    # A process of its own: its peak memory is the reader's alone, whatever ran before.
    result = subprocess.run([sys.executable, "-c", _MEASURE_PEAK_GROWTH, str(path)],
                            capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(SERVER)})
    count, growth = map(int, result.stdout.split())
    assert count == 200_000
    # The file is about 100 MB of text; reading all of it may cost what a few records do.
    assert growth < 8 * 1024 * 1024, f"peak memory grew by {growth / 1e6:.1f} MB"


def test_a_million_warnings_are_counted_not_listed():
    warnings: list[str] = []
    assert list(read_openalex(["not json\n"] * 1000, "bad.jsonl", warnings)) == []
    assert len(warnings) == 101
    assert warnings[-1] == ("bad.jsonl: 900 more records skipped for the same kinds of faults "
                            "(1000 in all)")
