"""A library's first index (issue 17's big .bib): its papers are listed once they are
written, before the index of its people, venues and identifiers, which follows in a second
transaction; a run stopped in between is finished by the next one."""

from __future__ import annotations

from pathlib import Path

import pytest

from citels.indexer import index_corpus
from citels.ranking import rank
from citels.store import Store
from index_checks import assert_indexes_in_one_segment

SURNAMES = ["Okonkwo", "Lindqvist", "Haraldsen", "Takemura", "Villanueva", "Brzezinski"]
SUBJECTS = ["Glaciers", "Tidal Pools", "Lichens", "Dune Fields", "Salt Marshes", "Kelp Forests"]


def _library(folder: Path, entries: int = 60) -> Path:
    """A .bib of `entries` papers, each with its own title, an author (whom its key does
    not name) and a DOI."""
    lines = []
    for number in range(entries):
        surname = SURNAMES[number % len(SURNAMES)]
        subject = SUBJECTS[number // len(SURNAMES) % len(SUBJECTS)]
        lines.append(
            f"@article{{fn{number},\n"
            f"  title = {{Survey {number} of {subject} in Winter}},\n"
            f"  author = {{{surname}, Ada}},\n  journal = {{Field Notes}},\n"
            f"  year = {{{1990 + number % 30}}},\n  doi = {{10.1234/fn.{number}}},\n}}\n")
    path = folder / "library.bib"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _keys(store: Store, typed: str) -> list[str]:
    return [hit.paper.key or "" for hit in rank(store, typed, limit=20)]


class _StopAfterPapers(Exception):
    pass


def test_a_librarys_papers_are_listed_while_its_people_are_still_written(tmp_path: Path):
    library = _library(tmp_path)
    database = tmp_path / "index.sqlite3"
    store = Store(database)
    seen: dict[str, list[str]] = {}

    def listener(message: str, _: int | None) -> None:
        if message.startswith("writing the people"):
            # Another connection (the server's) reads the index as it is now.
            reader = Store(database)
            seen["by title"] = _keys(reader, "survey 7 of glaciers")
            seen["by key"] = _keys(reader, "fn13")
            seen["by doi"] = reader.papers_with_identifiers([("doi", "10.1234/fn.7")])
            seen["pending"] = [str(reader.works_pending())]
            reader.close()

    index_corpus(store, [library], listener=listener)
    assert seen["by title"][:1] == ["fn7"]
    assert seen["by key"][:1] == ["fn13"]
    assert seen["pending"] == ["True"]
    # The people and identifiers come after: found by them once the run is done.
    assert seen["by doi"] == []
    assert "fn2" in _keys(store, "haraldsen glaciers")[:5]
    assert not store.works_pending()
    assert store.papers_with_identifiers([("doi", "10.1234/fn.7")])


def test_a_first_index_stopped_after_its_papers_is_finished_by_the_next_run(tmp_path: Path):
    library = _library(tmp_path)
    store = Store(tmp_path / "index.sqlite3")

    def stop(message: str, _: int | None) -> None:
        if message.startswith("writing the people"):
            raise _StopAfterPapers

    with pytest.raises(_StopAfterPapers):
        index_corpus(store, [library], listener=stop)
    assert _keys(store, "survey 7 of glaciers")[:1] == ["fn7"]
    assert store.papers_with_identifiers([("doi", "10.1234/fn.7")]) == []
    assert store.works_pending()
    report = index_corpus(store, [library])  # the file is unchanged: nothing is read again
    assert report.files_read == 0
    assert "fn2" in _keys(store, "haraldsen glaciers")[:5]
    assert store.papers_with_identifiers([("doi", "10.1234/fn.7")])
    assert not store.works_pending()


@pytest.mark.parametrize("helper", [False, True])
def test_a_librarys_first_index_finds_the_same_papers_with_or_without_a_helper(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper: bool):
    from citels.store import bulk

    library = _library(tmp_path, entries=120)
    alone = Store(tmp_path / "alone.sqlite3")
    index_corpus(alone, [library])
    if helper:
        monkeypatch.setattr(bulk, "HELPER_FROM_PAPERS", 1)
        monkeypatch.setattr(bulk, "WRITE_BATCH", 25)  # several batches, some worked out here
    store = Store(tmp_path / "index.sqlite3")
    index_corpus(store, [library])
    for typed in ("survey 70 of lichens", "takemura", "villanueva dune", "kelp win",
                  "field notes 1995", "fn4"):
        assert _keys(store, typed) == _keys(alone, typed), typed
    assert_indexes_in_one_segment(store)
    assert not list(tmp_path.glob("*-aside*")), "the helper's database is left behind"
    # Nor held open (its disk space kept till the server stops): only the index is attached.
    attached = [row[1] for row in store.db.conn.execute("PRAGMA database_list")]
    assert attached == ["main"] + (["temp"] if "temp" in attached else [])
