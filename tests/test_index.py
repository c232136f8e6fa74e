"""The index of the bundled corpus, incremental re-indexing, and key stability."""

from __future__ import annotations

from pathlib import Path

import pytest

from citels import indexer
from citels.indexer import index_corpus
from citels.ranking import rank
from citels.store import Store
from index_checks import assert_indexes_in_one_segment


def test_the_bundled_corpus_has_400_distinct_papers(bundled_store: Store):
    papers, titled = bundled_store.paper_counts()
    assert (papers, titled, bundled_store.record_count()) == (400, 390, 430)


def test_a_merged_paper_keeps_every_source_and_the_richest_metadata(bundled_store: Store):
    paper = bundled_store.get("mirrorDescentPolicy2020")
    assert paper is not None
    assert paper.title == "Mirror Descent Policy Optimization"
    # The date and author count come from one file; the other file lacks them.
    assert (paper.date, paper.author_count) == ("2020-05-19", 4)
    assert sorted(s.path[:3] for s in paper.sources) == ["003", "004"]
    assert paper.urls == ["https://github.com/manantomar/Mirror-Descent-Policy-Optimization"]


def test_abstract_only_papers_are_found_by_their_abstract_and_keyed_by_their_method(
    bundled_store: Store,
):
    paper = bundled_store.get("pepo")
    assert paper is not None and paper.title is None
    assert paper.abstract.startswith("We introduce PEPO")
    assert rank(bundled_store, "KLoM unlearning benchmark")[0].paper.title is None


def test_diacritics_fold_in_search(bundled_store: Store):
    titles = [hit.paper.title for hit in rank(bundled_store, "tulu 3", prefix=False)]
    assert titles[0] == "TÜLU 3: Pushing Frontiers in Open Language Model Post-Training"


def test_keys_are_unique_ascii(bundled_store: Store):
    keys = [paper.key for paper in bundled_store.papers()]
    assert len({k.lower() for k in keys}) == 400
    assert all(k.isascii() and k[0].isalpha() for k in keys)


def test_a_second_run_on_an_unchanged_corpus_reads_nothing(corpus_copy: Path, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    first = index_corpus(store, [corpus_copy])
    assert (first.added, first.files_read) == (400, 5)
    second = index_corpus(store, [corpus_copy])
    assert (second.added, second.updated, second.removed, second.files_read) == (0, 0, 0, 0)
    assert second.unchanged == 400
    assert second.summary().startswith("index unchanged: 400 papers")


def test_a_long_run_says_where_its_time_went(corpus_copy: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(indexer, "LONG_RUN_SECONDS", 0.0)  # the bundled corpus is quick
    store = Store(tmp_path / "db.sqlite3")
    first = index_corpus(store, [corpus_copy])
    assert list(first.phases) == ["reading", "preparing", "writing", "finishing"]
    assert all(seconds >= 0 for seconds in first.phases.values())
    assert sum(first.phases.values()) <= first.seconds
    named = ", ".join(f"{phase} {seconds:.1f}s" for phase, seconds in first.phases.items())
    assert first.summary().endswith(f"in {first.seconds:.2f}s ({named})")
    # A file removed: nothing is read, but the papers left are written again.
    next(corpus_copy.glob("003_*.txt")).unlink()
    second = index_corpus(store, [corpus_copy])
    assert second.removed > 0 and list(second.phases) == list(first.phases)
    # Nothing changed: no phases to tell.
    third = index_corpus(store, [corpus_copy])
    assert third.phases == {} and third.summary().endswith(f"in {third.seconds:.2f}s")
    monkeypatch.setattr(indexer, "LONG_RUN_SECONDS", 3600.0)
    assert first.summary().endswith(f"in {first.seconds:.2f}s")


def test_a_touched_but_unchanged_file_is_not_reparsed(corpus_copy: Path, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [corpus_copy])
    path = next(corpus_copy.glob("003_*.txt"))
    path.write_bytes(path.read_bytes())  # new mtime, same bytes
    report = index_corpus(store, [corpus_copy])
    assert (report.files_read, report.files_unchanged, report.updated) == (0, 5, 0)


def test_a_changed_file_reindexes_its_papers_only(corpus_copy: Path, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [corpus_copy])
    path = next(corpus_copy.glob("003_*.txt"))
    text = path.read_text()
    path.write_text(text.replace("\nMirror Descent Policy Optimization\n",
                                 "\nMirror Descent Policy Optimization Revisited\n"))
    report = index_corpus(store, [corpus_copy])
    assert report.files_read == 1
    # The old title lives on in another file; the new title is a new paper.
    assert (report.added, report.removed) == (1, 0)
    assert report.updated == 1  # the old paper lost one of its sources
    assert store.paper_counts()[0] == 401
    assert [s.path[:3] for s in store.get("mirrorDescentPolicy2020").sources] == ["004"]


def test_a_removed_file_removes_only_papers_no_other_file_holds(corpus_copy: Path,
                                                                  tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [corpus_copy])
    next(corpus_copy.glob("003_*.txt")).unlink()
    report = index_corpus(store, [corpus_copy])
    # Mirror Descent Policy Optimization is also in 004: it stays, with one source fewer.
    paper = store.get("mirrorDescentPolicy2020")
    assert paper is not None and [s.path[:3] for s in paper.sources] == ["004"]
    assert store.get("updateEquivalenceFramework2023") is None
    assert report.removed > 0
    assert store.paper_counts()[0] == 400 - report.removed


def test_a_removed_paper_is_no_longer_found_and_the_full_text_stays_whole(
        corpus_copy: Path, tmp_path: Path):
    # The full-text indexes keep no copy of the text: a paper is taken out by giving them the
    # words it was added with. Wrong words would leave it findable, or break the index.
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [corpus_copy])
    query = "update equivalence framework decision-time planning"
    assert rank(store, query)[0].paper.key == "updateEquivalenceFramework2023"
    next(corpus_copy.glob("003_*.txt")).unlink()
    index_corpus(store, [corpus_copy])
    assert "updateEquivalenceFramework2023" not in [h.paper.key for h in rank(store, query)]
    assert rank(store, "mirror descent policy optimization")[0].paper.key == \
        "mirrorDescentPolicy2020"  # re-merged from its other file, and found again
    for table in ("titles_fts", "texts_fts"):
        store.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
    indexed = store.conn.execute("SELECT count(*) FROM texts_fts").fetchone()[0]
    assert indexed == store.paper_counts()[0]


def test_papers_left_without_their_files_are_not_written_twice(corpus_copy: Path,
                                                                tmp_path: Path):
    # An index whose file list was lost (a crash, a hand edit) still holds its papers: the
    # next run must update them, not insert them again as a first index would.
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [corpus_copy])
    store.conn.execute("DELETE FROM files")
    store.conn.execute("DELETE FROM records")
    report = index_corpus(store, [corpus_copy])
    assert store.paper_counts()[0] == 400 and report.added == 0
    assert rank(store, "mirror descent policy")[0].paper.key == "mirrorDescentPolicy2020"


def test_merging_a_paper_read_once_again_with_more_records_is_merging_its_records():
    # A first index keeps a paper read once as the paper alone; merging it later with a
    # record from another file must give what merging the two records gives.
    from citels.merge import merge_records
    from citels.papers import Paper, Source

    read_once = Paper(title="Mirror Descent", authors=["A. Tomar", "L. Shani"],
                      urls=["https://a", "https://a"], sources=[Source("a.txt", 3)])
    other = Paper(title="Mirror descent", abstract="We study mirror descent.", author_count=4,
                  year=2020, urls=["https://b"], sources=[Source("b.bib", 1)])
    assert merge_records([merge_records([read_once]), other]) == \
        merge_records([read_once, other])
    assert merge_records([read_once, other]).author_count == 2  # the first record's list


def test_a_first_index_keeps_every_value_of_its_records_aside(bundled_store: Store):
    from fractions import Fraction

    from citels.papers import Paper, Source
    from citels.store.paper_codec import decode, encode

    # What a first index's scratch records and its helper get back is the paper as read.
    papers = list(bundled_store.papers())
    papers.append(Paper(title="T", key="k", source_key="k", year=0, retracted=True,
                        fields={"editor": "A and B"}, identifiers={"arxiv": "1706.03762"},
                        sources=[Source("/lib/ä.bib", 7), Source("/lib/b.bib", 1)]))
    # A value marshal cannot write (no reader makes one) still goes through.
    papers.append(Paper(title="Odd", fields={"note": Fraction(1, 3)}))  # type: ignore[dict-item]
    assert len(papers) > 400
    assert [decode(encode(paper)) for paper in papers] == papers


def _full_text_terms(store: Store) -> dict[str, list[tuple]]:
    """Every word of each full-text index with the papers (and columns) it is in: the same
    lists, the same indexes, whichever process wrote them."""
    terms = {}
    for table, detail in (("titles_fts", "row"), ("texts_fts", "row"), ("works_fts", "col")):
        store.conn.execute(f"CREATE VIRTUAL TABLE temp.{table}_terms USING"
                           f" fts5vocab(main, {table}, {detail})")
        terms[table] = store.conn.execute(f"SELECT * FROM temp.{table}_terms").fetchall()
        store.conn.execute(f"DROP TABLE temp.{table}_terms")
    return terms


def _papers_and_records(store: Store) -> tuple:
    return (store.conn.execute("SELECT key, data FROM papers ORDER BY key").fetchall(),
            sorted(store.conn.execute("SELECT f.path, r.line, r.merge_id FROM records r"
                                      " JOIN files f ON f.id = r.file").fetchall()))


BIB_OF_A_PAPER_READ_ONCE = """@inproceedings{{update2023,
  title = {{The Update-Equivalence Framework for Decision-Time Planning}},
  author = {{Sokota, Samuel and Farina, Gabriele}},
  year = {{2023}},
  doi = {{{doi}}},
}}
"""


def test_a_paper_read_once_by_a_first_index_merges_later_as_if_read_with_the_rest(
        corpus_copy: Path, tmp_path: Path):
    store = Store(tmp_path / "grown.sqlite3")
    index_corpus(store, [corpus_copy])
    assert store.conn.execute("SELECT count(*) FROM records WHERE data = ''").fetchone()[0] \
        == 373  # papers read once are not stored twice (27 of the 400 were read 2-3 times)
    library = tmp_path / "library"
    library.mkdir()
    (library / "mine.bib").write_text(BIB_OF_A_PAPER_READ_ONCE.format(doi="10.1/first"))
    report = index_corpus(store, [corpus_copy, library])
    # The user's entry takes the corpus paper in: one paper, under the user's key.
    assert (report.added, report.updated, report.removed) == (1, 0, 1)
    paper = store.get("update2023")  # the user's key; the corpus's abstract and source
    assert paper.doi == "10.1/first" and paper.abstract and len(paper.sources) == 2

    def fresh_index(name: str) -> Store:
        fresh = Store(tmp_path / name)
        index_corpus(fresh, [corpus_copy, library])
        return fresh

    assert _papers_and_records(store) == _papers_and_records(fresh_index("fresh.sqlite3"))
    # Once more, now that the record read once is stored in full.
    (library / "mine.bib").write_text(BIB_OF_A_PAPER_READ_ONCE.format(doi="10.1/second"))
    index_corpus(store, [corpus_copy, library])
    assert store.get("update2023").doi == "10.1/second"
    assert _papers_and_records(store) == _papers_and_records(fresh_index("again.sqlite3"))


def test_a_large_index_built_with_a_helper_process_is_the_same(
        corpus_copy: Path, tmp_path: Path, bundled_store: Store,
        monkeypatch: pytest.MonkeyPatch):
    from citels.store import bulk

    monkeypatch.setattr(bulk, "HELPER_FROM_PAPERS", 1)  # as if the corpus were large
    store = Store(tmp_path / "helped.sqlite3")
    index_corpus(store, [corpus_copy])

    def contents(s: Store) -> tuple:
        return (s.conn.execute("SELECT id, key, data FROM papers ORDER BY id").fetchall(),
                s.conn.execute("SELECT term, papers FROM vocabulary").fetchall(),
                s.conn.execute("SELECT * FROM works_vocab ORDER BY term, col").fetchall(),
                s.conn.execute("SELECT * FROM identifiers ORDER BY paper_id, scheme").fetchall())

    assert contents(store) == contents(bundled_store)
    assert _full_text_terms(store) == _full_text_terms(bundled_store)
    # The works index the helper built finds the same papers by their people.
    for query in ("cyber sec eval", "varaince reduced halpern", "KLoM unlearning",
                  "zhang 2024"):
        assert [h.paper.key for h in rank(store, query)] == \
            [h.paper.key for h in rank(bundled_store, query)]
    # The indexes the helper built aside take later changes like any other.
    next(corpus_copy.glob("004_*.txt")).unlink()
    assert index_corpus(store, [corpus_copy]).removed > 0
    for table in ("titles_fts", "texts_fts", "works_fts"):
        store.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
    assert store.conn.execute("SELECT count(*) FROM papers").fetchone()[0] < 400
    assert len(store.conn.execute("SELECT * FROM vocabulary").fetchall()) < \
        len(contents(bundled_store)[1])


# 0: every batch's rows are worked out in the index run's own process (the helper only
# writes their texts index); 1: whenever the helper has one batch still to do. The helper
# writes the titles rows it holds once it has 100 (three batches), or all at the end.
@pytest.mark.parametrize("titles_held", [100, 32_000])
@pytest.mark.parametrize("batches_ahead", [0, 1])
def test_a_large_index_whose_rows_are_partly_worked_out_by_its_own_process_is_the_same(
        corpus_copy: Path, tmp_path: Path, bundled_store: Store,
        monkeypatch: pytest.MonkeyPatch, batches_ahead: int, titles_held: int):
    from citels.store import bulk

    monkeypatch.setattr(bulk, "HELPER_FROM_PAPERS", 1)
    monkeypatch.setattr(bulk, "WRITE_BATCH", 40)  # ten batches of the 400 papers
    monkeypatch.setattr(bulk, "BATCHES_AHEAD", batches_ahead)
    monkeypatch.setattr(bulk, "TITLES_HELD", titles_held)
    store = Store(tmp_path / "shared.sqlite3")
    index_corpus(store, [corpus_copy])
    for query in ("mirror descent policy", "cyber sec eval", "zhang 2024"):
        assert [h.paper.key for h in rank(store, query)] == \
            [h.paper.key for h in rank(bundled_store, query)]
    # Every paper's words are in the full-text indexes the helper built, as without a helper.
    for table in ("papers", "vocabulary", "identifiers", "texts_fts_docsize",
                  "titles_fts_docsize", "works_fts_docsize"):
        assert store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() == \
            bundled_store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
    assert _full_text_terms(store) == _full_text_terms(bundled_store)
    for table in ("titles_fts", "texts_fts", "works_fts"):
        store.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
    assert not list(tmp_path.glob("*-aside*")), "the helper's database is left behind"


# Ten batches of 40 papers, then the helper's texts index is closed (an eleventh task):
# killed before any rows came back, after some had (with their texts in the helper's
# database, lost with it), and when closing that database; the batches' rows worked out
# by the helper, or (batches ahead 0) by the index process, their texts sent to the helper.
@pytest.mark.parametrize("batches_ahead", [4, 0])
@pytest.mark.parametrize("killed_at", [3, 8, 11])
def test_an_index_whose_helper_process_is_killed_is_finished_without_it(
        corpus_copy: Path, tmp_path: Path, bundled_store: Store,
        monkeypatch: pytest.MonkeyPatch, killed_at: int, batches_ahead: int):
    import concurrent.futures
    import os
    import signal
    from concurrent.futures import ProcessPoolExecutor

    from citels.store import bulk

    class KilledOnOneTask(ProcessPoolExecutor):
        """A helper the system kills (out of memory, say) while batches are on their way."""

        sent = 0

        def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
            self.sent += 1
            if self.sent == killed_at:
                for process in list(self._processes.values()):
                    os.kill(process.pid, signal.SIGKILL)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(bulk, "HELPER_FROM_PAPERS", 1)
    # bulk.prepared imports the pool where it makes one (a server's start does without it).
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", KilledOnOneTask)
    monkeypatch.setattr(bulk, "WRITE_BATCH", 40)  # ten batches of the 400 papers
    monkeypatch.setattr(bulk, "BATCHES_AHEAD", batches_ahead)
    store = Store(tmp_path / "helper-killed.sqlite3")
    report = index_corpus(store, [corpus_copy])
    assert report.added == 400
    assert store.conn.execute("SELECT id, key, data FROM papers ORDER BY id").fetchall() == \
        bundled_store.conn.execute("SELECT id, key, data FROM papers ORDER BY id").fetchall()
    for table in ("titles_fts", "texts_fts", "works_fts"):
        store.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
    # Every paper's words are in the full-text indexes, as in an index built without a helper.
    assert store.conn.execute("SELECT * FROM vocabulary").fetchall() == \
        bundled_store.conn.execute("SELECT * FROM vocabulary").fetchall()
    assert _full_text_terms(store) == _full_text_terms(bundled_store)
    assert rank(store, "mirror descent policy")[0].paper.key == "mirrorDescentPolicy2020"
    assert not list(tmp_path.glob("*-aside*")), "the helper's database is left behind"


def test_an_index_whose_helper_dies_after_one_of_its_indexes_was_taken_is_finished_without_it(
        corpus_copy: Path, tmp_path: Path, bundled_store: Store,
        monkeypatch: pytest.MonkeyPatch):
    # The helper finishes its indexes one by one, each taken in as it is done: here it is
    # killed once the texts index is taken, while it would merge the titles index.
    import concurrent.futures
    import os
    import signal
    import time
    from concurrent.futures import ProcessPoolExecutor

    from citels.store import bulk

    pools: list[ProcessPoolExecutor] = []

    class SlowOnTitles(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            pools.append(self)

        def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
            if fn is bulk._close_aside and args == ("titles_fts",):
                super().submit(time.sleep, 60)  # busy until it is killed
            return super().submit(fn, *args, **kwargs)

    taken = []
    take_aside = bulk.take_aside

    def take_then_kill(db, index, path):  # type: ignore[no-untyped-def]
        take_aside(db, index, path)
        taken.append(index)
        for process in list(pools[-1]._processes.values()):
            os.kill(process.pid, signal.SIGKILL)

    monkeypatch.setattr(bulk, "HELPER_FROM_PAPERS", 1)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", SlowOnTitles)
    monkeypatch.setattr(bulk, "take_aside", take_then_kill)
    monkeypatch.setattr(bulk, "WRITE_BATCH", 40)
    store = Store(tmp_path / "helper-killed.sqlite3")
    started = time.monotonic()
    assert index_corpus(store, [corpus_copy]).added == 400
    assert time.monotonic() - started < 30, "the run waited for the killed helper"
    assert taken == ["texts_fts"]
    for table in ("titles_fts", "texts_fts", "works_fts"):
        store.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
    # Every paper's words once, in every index, whether taken before the helper died or not.
    assert _full_text_terms(store) == _full_text_terms(bundled_store)
    for table in ("vocabulary", "name_vocabulary", "texts_fts_docsize"):
        assert store.conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() == \
            bundled_store.conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    assert rank(store, "mirror descent policy")[0].paper.key == "mirrorDescentPolicy2020"
    assert not list(tmp_path.glob("*-aside*")), "the helper's databases are left behind"


def test_keys_never_change_when_papers_come_and_go(corpus_copy: Path, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [corpus_copy])
    before = {p.title: p.key for p in store.papers() if p.title}
    # A new paper whose key would clash, in a file that sorts before all others.
    (corpus_copy / "000_aaa.txt").write_text(
        "Mirror Descent Policy Optimization Again\n" + "We propose a method. " * 10 + "\n")
    index_corpus(store, [corpus_copy])
    assert store.get("mirrorDescentPolicy") is not None  # no year known: no year in the key
    after = {p.title: p.key for p in store.papers() if p.title}
    assert {t: after[t] for t in before} == before
    # Gone and back: the same key again.
    path = next(corpus_copy.glob("002_*.txt"))
    saved = path.read_bytes()
    path.unlink()
    index_corpus(store, [corpus_copy])
    path.write_bytes(saved)
    index_corpus(store, [corpus_copy])
    assert {p.title: p.key for p in store.papers() if p.title in before} == before


def test_a_fresh_index_gives_the_same_keys(corpus_copy: Path, tmp_path: Path,
                                           bundled_store: Store):
    store = Store(tmp_path / "fresh.sqlite3")
    index_corpus(store, [corpus_copy])
    assert [p.key for p in store.papers()] == [p.key for p in bundled_store.papers()]


def test_an_interrupted_index_leaves_the_previous_one_intact(corpus_copy: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [corpus_copy])
    next(corpus_copy.glob("004_*.txt")).unlink()
    real_update = indexer._update_papers

    def crash_midway(*args, **kwargs):
        real_update(*args, **kwargs)
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C at the last moment

    monkeypatch.setattr(indexer, "_update_papers", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        index_corpus(store, [corpus_copy])
    monkeypatch.undo()
    reopened = Store(tmp_path / "db.sqlite3")
    assert reopened.paper_counts() == (400, 390)
    assert len(reopened.file_states()) == 5


def test_unreadable_files_are_skipped_with_a_message_naming_them(corpus_copy: Path,
                                                                   tmp_path: Path):
    (corpus_copy / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (corpus_copy / "latin1.txt").write_bytes("Caf\xe9 title\n".encode("latin-1"))
    (corpus_copy / "notes.docx").write_bytes(b"whatever")
    store = Store(tmp_path / "db.sqlite3")
    report = index_corpus(store, [corpus_copy])
    skipped = "\n".join(report.skipped)
    assert "binary.txt: binary file" in skipped
    assert "latin1.txt: not UTF-8 (invalid byte at offset 3)" in skipped
    assert "notes.docx: not a corpus format" in skipped
    assert store.paper_counts()[0] == 400
    # A later run skips them too, and remembers no file it could not read.
    (corpus_copy / "later.txt").write_bytes(b"\x00binary")
    again = index_corpus(store, [corpus_copy])
    assert "later.txt: binary file" in "\n".join(again.skipped)
    assert sorted(Path(path).name for path in store.file_states()) == sorted(
        path.name for path in corpus_copy.glob("*.txt") if path.name.startswith("0"))


def _bundled_corpus_copy(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in (Path(__file__).resolve().parents[1] / "corpus").glob("*.txt"):
        (corpus / path.name).write_bytes(path.read_bytes())
    return corpus


def _add_distractors(corpus: Path, count: int) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "ranking"))
    from distractors import write_distractor_corpus

    write_distractor_corpus(corpus, corpus, count=count, seed=5)


def _index_killed_after(corpus: Path, db: Path, seconds: float) -> Store:
    """`citels index` killed with SIGKILL after `seconds`; the index opened again."""
    import signal
    import subprocess
    import sys
    import time

    process = subprocess.Popen([sys.executable, "-m", "citels", "index", str(corpus),
                                "--db", str(db)], stderr=subprocess.DEVNULL)
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait()
    reopened = Store(db)
    assert reopened.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return reopened


def test_kill_9_during_indexing_leaves_the_previous_index(tmp_path: Path):
    corpus = _bundled_corpus_copy(tmp_path)
    db = tmp_path / "db.sqlite3"
    store = Store(db)
    index_corpus(store, [corpus])
    store.close()
    _add_distractors(corpus, 10000)  # a long second run
    reopened = _index_killed_after(corpus, db, 1.5)
    # All or nothing: the old index, or (on a very fast machine) the whole new one.
    assert reopened.paper_counts()[0] in (400, 10400), "a partial index"
    report = index_corpus(reopened, [corpus])
    assert reopened.paper_counts()[0] == 10400
    assert report.files_read in (0, 1)


def test_kill_9_during_a_first_index_leaves_an_empty_index_that_the_next_run_fills(
        tmp_path: Path):
    corpus = _bundled_corpus_copy(tmp_path)
    _add_distractors(corpus, 30000)
    # A first index is written with a rollback journal (no other connection is open).
    reopened = _index_killed_after(corpus, tmp_path / "db.sqlite3", 4)
    assert reopened.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert reopened.paper_counts()[0] in (0, 30400), "a partial index"
    index_corpus(reopened, [corpus])
    assert reopened.paper_counts()[0] == 30400


def test_a_first_index_leaves_the_index_in_wal_mode_for_readers(corpus_copy: Path,
                                                                 tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [corpus_copy])
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # With a reader open (the server's own connection) the first index keeps the WAL.
    other = Store(tmp_path / "other.sqlite3")
    reader = Store(tmp_path / "other.sqlite3")
    index_corpus(other, [corpus_copy])
    assert reader.paper_counts() == (400, 390)
    assert other.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


@pytest.mark.parametrize("helper", [False, True])
def test_a_first_index_leaves_its_full_text_indexes_merged_and_merging_as_usual(
        corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper: bool):
    from citels.store import bulk

    if helper:
        monkeypatch.setattr(bulk, "HELPER_FROM_PAPERS", 1)
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [corpus_copy])
    assert_indexes_in_one_segment(store)


def test_an_index_from_schema_1_is_migrated_and_filled(tmp_path: Path):
    import sqlite3

    from citels.store.migrations import MIGRATIONS

    db = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(db)
    connection.executescript(MIGRATIONS[0]() + "; PRAGMA user_version = 1;")
    connection.close()
    store = Store(db)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    index_corpus(store, [Path(__file__).resolve().parents[1] / "corpus"])
    assert rank(store, "cyber sec eval")[0].paper.title.startswith("CyberSecEval 2")


# Schema 9's step undone: records name their file by its path again.
UNDO_FILE_NUMBERS = """
    CREATE TABLE files_v8 (path TEXT PRIMARY KEY, size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL, records INTEGER NOT NULL,
        warnings TEXT NOT NULL);
    INSERT INTO files_v8 SELECT path, size, mtime_ns, sha256, records, warnings FROM files;
    CREATE TABLE records_v8 (id INTEGER PRIMARY KEY, file TEXT NOT NULL REFERENCES files(path),
        line INTEGER NOT NULL, merge_id TEXT NOT NULL, data TEXT NOT NULL);
    INSERT INTO records_v8 SELECT r.id, f.path, r.line, r.merge_id, r.data
        FROM records r JOIN files f ON f.id = r.file;
    DROP TABLE records; DROP TABLE files;
    ALTER TABLE files_v8 RENAME TO files; ALTER TABLE records_v8 RENAME TO records;
    CREATE INDEX records_file ON records(file); CREATE INDEX records_merge_id ON records(merge_id);
    CREATE INDEX identifiers_paper ON identifiers(paper_id);
"""


def test_an_index_from_schema_2_gets_the_new_full_text_indexes_when_opened(tmp_path: Path):
    # Session 1's indexes had one full-text table with every abstract in it; opening one
    # with this citels rebuilds the full text from the papers it holds, without re-reading.
    import sqlite3

    from citels.store.migrations import MIGRATIONS

    db = tmp_path / "v2.sqlite3"
    index_corpus(Store(db), [Path(__file__).resolve().parents[1] / "corpus"])
    connection = sqlite3.connect(db)
    connection.executescript(
        UNDO_FILE_NUMBERS + "DROP TABLE titles_fts; DROP TABLE texts_vocab;"
        " DROP TABLE texts_fts; DROP TABLE vocabulary; DROP TABLE works_vocab;"
        " DROP TABLE works_fts; DROP TABLE identifiers; DROP TABLE bib_blocks;"
        " DROP TABLE bib_context; DROP TABLE name_vocabulary;" + MIGRATIONS[1]().replace(
            "DROP TABLE papers_fts;", "") + "; PRAGMA user_version = 2;")
    connection.close()
    store = Store(db)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.paper_counts()[0] == 400
    assert rank(store, "cyber sec eval")[0].paper.title.startswith("CyberSecEval 2")
    assert rank(store, "varaince reduced halpern")[0].paper.key == \
        "varianceReducedHalpern2023"  # the vocabulary is counted again too


def library_index_made_older(tmp_path: Path, version: int, undo: str) -> Store:
    """The fixture library indexed, then made as schema `version` left it (`undo`: the SQL
    taking out what later steps added), and opened again: migrated."""
    import sqlite3

    db = tmp_path / f"v{version}.sqlite3"
    library = tmp_path / "library"
    library.mkdir()
    (library / "library.bib").write_text(
        (Path(__file__).parent / "fixtures" / "library.bib").read_text(encoding="utf-8"),
        encoding="utf-8")
    index_corpus(Store(db), [library])
    connection = sqlite3.connect(db)
    connection.executescript(f"{UNDO_FILE_NUMBERS} {undo} PRAGMA user_version = {version};")
    connection.close()
    return Store(db)


def test_an_index_from_schema_4_finds_people_and_identifiers_when_opened(tmp_path: Path):
    # Schema 5 added the works index and the identifiers: an older index gets them filled
    # from the papers it holds, without re-reading the corpus.
    store = library_index_made_older(
        tmp_path, 4, "DROP TABLE works_vocab; DROP TABLE works_fts; DROP TABLE identifiers;"
        " DROP TABLE bib_blocks; DROP TABLE bib_context; DROP TABLE name_vocabulary;")
    assert rank(store, "godel")[0].paper.source_key == "goedel1931"
    assert rank(store, "https://doi.org/10.1007/bf01700692")[0].paper.source_key == "goedel1931"


def test_an_index_from_schema_7_corrects_mistyped_names_when_opened(tmp_path: Path):
    # Schema 8 added the vocabulary of people's names that a mistyped name is corrected
    # against: an older index gets it filled from its works index when opened.
    store = library_index_made_older(tmp_path, 7, "DROP TABLE name_vocabulary;")
    assert rank(store, "goedl")[0].paper.source_key == "goedel1931"


def test_an_index_from_schema_8_names_files_by_number_and_keeps_every_record(
        tmp_path: Path, corpus_copy: Path):
    # Schema 9 has a record name its file by number, not path. An index written before
    # keeps every record in its file and line, finds the corpus unchanged, goes to a
    # paper's place in the corpus, and takes a changed file in as before.
    import sqlite3

    db = tmp_path / "v8.sqlite3"
    store = Store(db)
    index_corpus(store, [corpus_copy])
    before = _papers_and_records(store)
    place = store.source_location("updateEquivalenceFramework2023")
    store.close()
    connection = sqlite3.connect(db)
    connection.executescript(UNDO_FILE_NUMBERS + " PRAGMA user_version = 8;")
    assert connection.execute("SELECT typeof(file) FROM records LIMIT 1").fetchone()[0] \
        == "text"
    connection.close()

    store = Store(db)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == 9
    assert store.conn.execute("SELECT count(*) FROM records WHERE typeof(file) != 'integer'"
                              ).fetchone()[0] == 0
    assert _papers_and_records(store) == before
    assert store.source_location("updateEquivalenceFramework2023") == place
    again = index_corpus(store, [corpus_copy])
    assert (again.files_read, again.added, again.updated, again.removed) == (0, 0, 0, 0)
    # A file changed: its records replaced, the others' kept.
    changed = sorted(corpus_copy.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert index_corpus(store, [corpus_copy]).files_read == 1
    assert _papers_and_records(store) == before
    assert store.conn.execute("SELECT count(*) FROM files").fetchone()[0] == \
        len({path for path, _, _ in before[1]})


def test_a_database_deleted_while_open_keeps_answering(tmp_path: Path, corpus_copy: Path):
    db = tmp_path / "db.sqlite3"
    store = Store(db)
    index_corpus(store, [corpus_copy])
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    assert rank(store, "hanabi")[0].paper.key == "updateEquivalenceFramework2023"
    fresh = Store(db)  # the next open builds a new index where the old one was
    assert index_corpus(fresh, [corpus_copy]).added == 400


def test_an_index_from_schema_5_is_packed_and_keeps_its_papers_and_keys(tmp_path: Path):
    # Schema 6 made merge ids digests and packed the papers' JSON. An index written before
    # (remade here as schema 5 wrote it) keeps every paper and key, and the next index run
    # finds the corpus unchanged instead of writing every paper again.
    import hashlib
    import json
    import shutil
    import sqlite3

    from citels.merge import _KEY_SEPARATOR
    from citels.store.packing import unpack
    from citels.text import normalize_title

    corpus = tmp_path / "corpus"
    shutil.copytree(Path(__file__).resolve().parents[1] / "corpus", corpus)
    db = tmp_path / "v5.sqlite3"
    store = Store(db)
    index_corpus(store, [corpus])
    keys_before = dict(store.conn.execute("SELECT key, title FROM papers"))
    store.close()

    def long_id(paper) -> str:
        if paper.title:
            head = "title:" + normalize_title(paper.title)
        else:
            head = "abstract:" + hashlib.sha1(
                normalize_title(paper.abstract or "").encode("utf-8")).hexdigest()
        return head + (f"{_KEY_SEPARATOR}key:{paper.source_key.lower()}"
                       if paper.source_key else "")

    connection = sqlite3.connect(db)
    long_ids = {}
    for paper_id, merge_id, title, data in connection.execute(
            "SELECT id, merge_id, title, data FROM papers").fetchall():
        paper = unpack(data, title)
        long_ids[merge_id] = long_id(paper)
        old_json = json.dumps(paper.to_dict())
        connection.execute(
            "UPDATE papers SET merge_id = ?, data = ?, content_hash = ? WHERE id = ?",
            (long_ids[merge_id], old_json, hashlib.sha1(old_json.encode()).hexdigest(),
             paper_id))
    for record_id, merge_id, data in connection.execute(
            "SELECT id, merge_id, data FROM records").fetchall():
        connection.execute("UPDATE records SET merge_id = ?, data = ? WHERE id = ?",
                           (long_ids[merge_id],
                            data if data == "" else json.dumps(unpack(data).to_dict()),
                            record_id))
    connection.executescript(
        "CREATE TABLE keys_v5 (merge_id TEXT PRIMARY KEY, key TEXT NOT NULL,"
        " key_lower TEXT NOT NULL UNIQUE); INSERT INTO keys_v5 SELECT * FROM keys;"
        " DROP TABLE keys; ALTER TABLE keys_v5 RENAME TO keys;")
    for old, new in long_ids.items():
        connection.execute("UPDATE keys SET merge_id = ? WHERE merge_id = ?", (new, old))
    connection.executescript("DROP TABLE bib_blocks; DROP TABLE bib_context;"  # 7 and 8's
                             " DROP TABLE name_vocabulary;" + UNDO_FILE_NUMBERS)
    connection.execute("PRAGMA user_version = 5")
    connection.commit()
    assert connection.execute("SELECT typeof(data) FROM papers LIMIT 1").fetchone()[0] == "text"
    connection.close()

    store = Store(db)
    assert dict(store.conn.execute("SELECT key, title FROM papers")) == keys_before
    assert store.conn.execute("SELECT count(*) FROM papers WHERE typeof(data) != 'blob'"
                              ).fetchone()[0] == 0
    for path in corpus.iterdir():  # every file read again, every paper merged again
        with path.open("a", encoding="utf-8") as file:
            file.write("\n")
    report = index_corpus(store, [corpus])
    assert report.files_read == 5
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    hits = rank(store, "mirror descent policy")
    assert hits[0].paper.key == "mirrorDescentPolicy2020"
    assert hits[0].paper.abstract


def test_papers_packed_and_unpacked_in_threads_at_once_come_back_whole():
    # The server indexes in worker threads while it answers from its own: packing must not
    # share a compression context between threads.
    from concurrent.futures import ThreadPoolExecutor

    from citels.merge import stored_json
    from citels.papers import Paper
    from citels.store.packing import pack, unpack

    papers = [Paper(title=f"Paper {n}", abstract=f"Words of paper {n}. " * (n % 50 + 1),
                    authors=[f"Author {n}"], year=2000 + n % 25) for n in range(400)]

    def round_trip(paper: Paper) -> bool:
        return all(unpack(pack(stored_json(paper)), paper.title) == paper for _ in range(20))

    with ThreadPoolExecutor(max_workers=8) as threads:
        assert all(threads.map(round_trip, papers))


def test_a_paper_shown_is_shown_as_the_index_has_it_after_a_search_or_a_change(
        corpus_copy: Path, tmp_path: Path):
    # Papers shown are kept between keystrokes: what a caller does with one, or a change to
    # the index, must not show an old or altered paper at the next keystroke.
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [corpus_copy])
    shown = rank(store, "mirror descent policy optimization")[0].paper
    assert (shown.key, shown.title) == ("mirrorDescentPolicy2020",
                                        "Mirror Descent Policy Optimization")
    shown.title = "Altered by a caller"
    again = rank(store, "mirror descent policy optimization")[0].paper
    assert again.title == "Mirror Descent Policy Optimization"
    for path in corpus_copy.glob("*.txt"):
        path.write_text(path.read_text().replace("Mirror descent (MD), a well-known",
                                                 "Mirror descent (MD), a widely known"))
    index_corpus(store, [corpus_copy])
    changed = rank(store, "mirror descent policy optimization")[0].paper
    assert changed.key == "mirrorDescentPolicy2020"
    assert changed.abstract.startswith("Mirror descent (MD), a widely known")
