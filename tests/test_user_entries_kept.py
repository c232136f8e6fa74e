"""A user's library, exactly as written: no entry merged into another, no field leaked."""

from __future__ import annotations

from pathlib import Path

from citels.bibliography.entry import to_bibtex
from citels.indexer import index_corpus
from citels.store import Store

USERLIB = Path(__file__).parent / "fixtures" / "userlib"
BUNDLED = Path(__file__).resolve().parents[1] / "corpus"


def indexed(tmp_path: Path, *paths: Path) -> tuple[Store, list[str]]:
    store = Store(tmp_path / "db.sqlite3")
    report = index_corpus(store, list(paths))
    return store, report.warnings


def test_entries_with_the_same_title_keep_their_own_keys_and_fields(tmp_path: Path):
    store, _ = indexed(tmp_path, USERLIB / "tugboat.bib")
    palais, spivak = store.get("Palais:TB2-1-3"), store.get("Spivak:TB2-2-3")
    assert palais.title == spivak.title == "Chairman's report"
    assert palais.authors == ["Richard Palais"] and spivak.authors == ["Michael Spivak"]
    assert (palais.fields["number"], spivak.fields["number"]) == ('"1"', '"2"')
    assert "Spivak" not in to_bibtex(palais) and "Palais" not in to_bibtex(spivak)


def test_untitled_entries_stay_apart(tmp_path: Path):
    store, _ = indexed(tmp_path, USERLIB / "tugboat.bib")
    first, second = store.get("Anonymous:TB3-1-1"), store.get("Anonymous:TB3-2-1")
    assert first.fields["number"] == '"1"' and second.fields["number"] == '"2"'
    assert store.paper_counts()[0] == 4


def test_court_cases_of_the_same_name_stay_apart(tmp_path: Path):
    store, _ = indexed(tmp_path, USERLIB / "cases.json")
    assert store.get("roe1973").venue == "U.S." and store.get("roe1973b").venue == "S. Ct."
    assert store.get("untitled-note") is not None


def test_a_key_defined_in_two_files_is_the_first_files_with_a_warning(tmp_path: Path):
    store, warnings = indexed(tmp_path, USERLIB / "first.bib", USERLIB / "second.bib")
    paper = store.get("shared2020")
    assert paper.authors == ["First, Ann"] and "note" not in paper.fields
    assert paper.year == 2020
    assert any(w.startswith("second.bib:1: shared2020 is defined again") and "first.bib:1" in w
               for w in warnings)


def test_a_user_entry_takes_in_a_corpus_paper_only_on_strong_evidence(tmp_path: Path):
    library = tmp_path / "mine.bib"
    # The bundled corpus has "Mirror Descent Policy Optimization" (2020); the second entry
    # has its title but 2009: another paper, not the corpus's.
    library.write_text("@article{mdpo, title = {Mirror Descent Policy Optimization},"
                       " year = {2020}}\n"
                       "@article{older, title = {Mirror Descent Policy Optimization},"
                       " year = {2009}}\n")
    store, _ = indexed(tmp_path, BUNDLED, library)
    assert store.get("mdpo").abstract.startswith("Mirror descent (MD)")
    assert store.get("older").abstract is None
    assert store.get("mirrorDescentPolicy2020") is None
    # The entry goes: the corpus paper is a paper of its own again.
    library.write_text("@article{older, title = {Mirror Descent Policy Optimization},"
                       " year = {2009}}\n")
    report = index_corpus(store, [BUNDLED, library])
    assert store.get("mdpo") is None and report.added == 1
    assert any(p.title == "Mirror Descent Policy Optimization" and p.abstract
               for p in store.papers())
