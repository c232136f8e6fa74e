"""The command line's contract: output shapes, exit codes, messages."""

from __future__ import annotations

from pathlib import Path

from citels.store.migrations import SCHEMA_VERSION
from cli_helpers import citels_json, run_citels


def test_stats_json_reports_the_bundled_corpus(tmp_path: Path):
    stats = citels_json("stats", "--json", "--db", str(tmp_path / "db.sqlite3"))
    assert stats["papers"] == 400
    assert stats["titled"] == 390
    assert stats["abstract_only"] == 10
    assert stats["records_read"] == 430
    assert stats["records_merged"] == 30
    assert sum(f["records"] for f in stats["files"].values()) == 430


def test_search_json_puts_the_paper_first(tmp_path: Path):
    hits = citels_json("search", "--json", "mirror descent policy",
                       "--db", str(tmp_path / "db.sqlite3"))
    assert hits[0]["title"] == "Mirror Descent Policy Optimization"
    assert {"key", "title", "year", "date", "abstract", "score"} <= set(hits[0])
    assert hits[0]["year"] == 2020 and hits[0]["date"] == "2020-05-19"


def test_search_human_form_shows_key_year_title(tmp_path: Path):
    out = run_citels("search", "tulu", "3", "--limit", "3",
                     "--db", str(tmp_path / "db.sqlite3")).stdout
    first = out.splitlines()[0]
    assert first == ("tulu3Pushing  ----  "
                     "TÜLU 3: Pushing Frontiers in Open Language Model Post-Training")
    assert len(out.splitlines()) <= 3


def test_first_use_indexes_and_says_so_then_stays_quiet(tmp_path: Path):
    db = str(tmp_path / "db.sqlite3")
    first = run_citels("search", "hanabi", "--db", db)
    assert "indexed: 400 added" in first.stderr
    second = run_citels("search", "hanabi", "--db", db)
    assert second.stderr == ""
    assert second.stdout.startswith("updateEquivalenceFramework2023  2023  The Update-Equivalence")


def test_index_twice_reports_unchanged(tmp_path: Path):
    db = str(tmp_path / "db.sqlite3")
    run_citels("index", "--db", db)
    again = run_citels("index", "--db", db)
    assert again.stderr.startswith("index unchanged: 400 papers")


def test_show_json_and_text(tmp_path: Path):
    db = str(tmp_path / "db.sqlite3")
    paper = citels_json("show", "mirrorDescentPolicy2020", "--json", "--db", db)
    assert paper["key"] == "mirrorDescentPolicy2020" and paper["author_count"] == 4
    text = run_citels("show", "mirrordescentpolicy2020", "--db", db).stdout
    assert text.startswith("Mirror Descent Policy Optimization\n\n2020-05-19 · 4 authors\n")


def test_unknown_key_is_one_line_on_stderr_and_exit_1(tmp_path: Path):
    for command in ("show", "bibtex"):
        result = run_citels(command, "noSuchKey1999", "--db", str(tmp_path / "db.sqlite3"),
                            check=False)
        assert result.returncode == 1
        assert result.stderr.strip().splitlines()[-1] == (
            "citels: no paper with key 'noSuchKey1999' in the index")
        assert result.stdout == ""


def test_bad_arguments_print_usage_and_exit_2(tmp_path: Path):
    for args in (["search"], ["bibtex"], ["search", "x", "--limit", "0"], ["frobnicate"]):
        result = run_citels(*args, check=False)
        assert result.returncode == 2, args
        assert "usage: citels" in result.stderr


def test_bibtex_all_writes_one_entry_per_paper(tmp_path: Path):
    out = run_citels("bibtex", "--all", "--db", str(tmp_path / "db.sqlite3")).stdout
    assert out.count("\n@misc{") + out.startswith("@misc{") == 400


def test_index_of_other_paths_warns_about_unreadable_files(tmp_path: Path):
    corpus = tmp_path / "mine"
    corpus.mkdir()
    (corpus / "good.txt").write_text("A Title\n" + "We study things. " * 10 + "\n")
    (corpus / "bad.txt").write_bytes(b"\xff\xfe\x00binary")
    result = run_citels("index", str(corpus), "--db", str(tmp_path / "db.sqlite3"))
    assert f"warning: {corpus / 'bad.txt'}: binary file" in result.stderr
    assert "1 added" in result.stderr


def test_corpus_option_selects_its_own_index(tmp_path: Path):
    corpus = tmp_path / "mine"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Quantum Widgets\n" + "We build widgets. " * 10 + "\n")
    stats = citels_json("stats", "--json", "--corpus", str(corpus),
                        "--db", str(tmp_path / "db.sqlite3"))
    assert (stats["papers"], stats["titled"]) == (1, 1)
    hits = citels_json("search", "--json", "widgets", "--corpus", str(corpus),
                       "--db", str(tmp_path / "db.sqlite3"))
    assert [h["key"] for h in hits] == ["quantumWidgets"]


def test_a_corrupt_index_is_set_aside_and_rebuilt(tmp_path: Path):
    db = tmp_path / "db.sqlite3"
    db.write_bytes(b"not a database at all " * 200)
    result = run_citels("stats", "--json", "--db", str(db))
    assert "could not be read (file is not a database); it was moved to" in result.stderr
    assert '"papers": 400' in result.stdout
    assert [p.name for p in tmp_path.glob("db.sqlite3.corrupt-*")]  # the user's file is kept


def test_an_index_from_a_newer_citels_is_refused_with_a_message(tmp_path: Path):
    import sqlite3

    db = tmp_path / "db.sqlite3"
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    result = run_citels("stats", "--db", str(db), check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"citels: cannot open the index {db}: index schema version 99 is newer than this"
        f" citels ({SCHEMA_VERSION})")


def test_doctor_names_the_corpus_and_the_index(tmp_path: Path):
    db = tmp_path / "db.sqlite3"
    before = run_citels("doctor", "--db", str(db)).stdout
    assert "not built yet" in before and str(db) in before
    run_citels("index", "--db", str(db))
    after = run_citels("doctor", "--db", str(db)).stdout.splitlines()
    assert after[0].startswith("citels ") and "Python 3." in after[0]
    assert after[1].startswith("corpus: ") and "files)" in after[1]
    assert after[2] == f"index: {db} (400 papers)"


def test_doctor_fails_on_a_missing_corpus(tmp_path: Path):
    result = run_citels("doctor", "--corpus", str(tmp_path / "nowhere"), "--db",
                        str(tmp_path / "db.sqlite3"), check=False)
    assert result.returncode == 1 and "NOT FOUND" in result.stdout
