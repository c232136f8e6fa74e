"""`citels index` on real dumps and a Zotero library: found by content, streamed, filtered."""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

import zstandard

from cli_helpers import citels_json, run_citels

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zotero_libraries import current_library  # noqa: E402

DUMPS = Path(__file__).resolve().parent / "fixtures" / "dumps"


def search(db: Path, query: str) -> list[str]:
    return [hit["title"] for hit in citels_json("search", "--json", query, "--db", str(db))]


def test_a_compressed_arxiv_snapshot_misnamed_json_is_read_by_its_content(tmp_path: Path):
    dump = tmp_path / "arxiv-metadata-oai-snapshot.json.gz"
    dump.write_bytes(gzip.compress((DUMPS / "arxiv-snapshot.jsonl").read_bytes()))
    result = run_citels("index", str(dump), "--db", str(tmp_path / "db.sqlite3"))
    assert "3 added" in result.stderr
    # The broken second line is named by file and line.
    assert f"{dump.name}:2:" in result.stderr
    assert "Boundary States of a Toy String" in search(tmp_path / "db.sqlite3", "toy string")


def test_filters_keep_only_the_categories_and_years_asked_for(tmp_path: Path):
    db = tmp_path / "db.sqlite3"
    run_citels("index", str(DUMPS / "arxiv-snapshot.jsonl"), "--category", "cs.*",
               "--years", "2015-", "--db", str(db))
    assert citels_json("stats", "--json", "--db", str(db))["papers"] == 2
    assert "Boundary States of a Toy String" not in search(db, "toy string boundary")
    # Unchanged, with the same filters: nothing is read again; without them: still filtered.
    again = run_citels("index", str(DUMPS / "arxiv-snapshot.jsonl"), "--db", str(db))
    assert "index unchanged: 2 papers" in again.stderr


def test_a_bad_filter_is_refused_naming_the_flag(tmp_path: Path):
    result = run_citels("index", str(DUMPS / "arxiv-snapshot.jsonl"), "--years", "2020-2015",
                        "--db", str(tmp_path / "db.sqlite3"), check=False)
    assert result.returncode == 2 and "--years" in result.stderr


def test_a_zstd_json_lines_list_with_a_mapping_indexes_in_one_command(tmp_path: Path):
    dump = tmp_path / "venue_papers.jsonl.zst"
    dump.write_bytes(zstandard.ZstdCompressor().compress(
        (DUMPS / "venue-list.jsonl").read_bytes()))
    db = tmp_path / "db.sqlite3"
    run_citels("index", str(dump), "--map", "venue=venue", "--db", str(db))
    assert search(db, "glaciers calve") == ["Listening to Glaciers Calve"]


def test_an_openalex_snapshot_folder_indexes(tmp_path: Path):
    part = tmp_path / "works" / "updated_date=2024-01-01" / "part_000.gz"
    part.parent.mkdir(parents=True)
    part.write_bytes(gzip.compress((DUMPS / "openalex-works.jsonl").read_bytes()))
    (tmp_path / "works" / "manifest").write_text('{"entries": []}')
    db = tmp_path / "db.sqlite3"
    result = run_citels("index", str(tmp_path / "works"), "--db", str(db))
    assert "not a corpus format" not in result.stderr
    assert citels_json("stats", "--json", "--db", str(db))["papers"] > 0


def test_a_semantic_scholar_folder_is_one_source_with_abstracts_joined(tmp_path: Path):
    folder = tmp_path / "s2"
    folder.mkdir()
    shutil.copy(DUMPS / "s2-papers.jsonl", folder / "papers-part0")
    shutil.copy(DUMPS / "s2-abstracts.jsonl", folder / "abstracts-part0")
    db = tmp_path / "db.sqlite3"
    run_citels("index", str(folder), "--db", str(db))
    files = citels_json("stats", "--json", "--db", str(db))["files"]
    assert list(files) == [str(folder.resolve())]


def test_a_zotero_data_directory_is_a_corpus_path(tmp_path: Path):
    library = current_library(tmp_path / "Zotero")
    db = tmp_path / "db.sqlite3"
    run_citels("index", str(library.directory), "--db", str(db))
    assert "Attention Is All You Need" in search(db, "attention is all you need")
    assert run_citels("show", "vaswani2017attention", "--db", str(db)).returncode == 0
    unchanged = run_citels("index", str(library.directory), "--db", str(db))
    assert "index unchanged" in unchanged.stderr


def test_a_changed_dump_is_read_again_with_the_filters_it_was_read_with(tmp_path: Path):
    dump = tmp_path / "arxiv.jsonl"
    shutil.copy(DUMPS / "arxiv-snapshot.jsonl", dump)
    db = tmp_path / "db.sqlite3"
    run_citels("index", "--corpus", str(dump), "--category", "cs.*", "--db", str(db))
    assert citels_json("stats", "--json", "--corpus", str(dump), "--db", str(db))["papers"] == 2
    with dump.open("a") as stream:  # a newer snapshot: one more physics paper
        stream.write('{"id": "hep-th/9901002", "title": "More Toy Strings", "abstract": "x",'
                     ' "categories": "hep-th", "versions": [], "authors": "A. B"}\n')
    again = run_citels("index", "--corpus", str(dump), "--db", str(db))
    assert "1 files read" in again.stderr
    assert citels_json("stats", "--json", "--corpus", str(dump), "--db", str(db))["papers"] == 2
