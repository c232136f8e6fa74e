"""Processes opening one new index at the same moment all open it: two servers (two editor
windows) on one new workspace, or a server and the first index it started early
(`early_index.py`), make the index's tables at once; none fails with "table already
exists" or "database is locked"."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from citels.store import Store
from citels.store.migrations import SCHEMA_VERSION

SERVER = Path(__file__).resolve().parents[1] / "server"
PROCESSES = 3
ROUNDS = 20  # before the fix, every round failed one process: 40 of 60 opens

# Processes started as a server starts them, each opening the round's new index as soon
# as all of them are ready for it (a barrier), and saying how an open failed.
RACE = """
import sys
from multiprocessing import get_context
from pathlib import Path


def open_each(folder, rounds, gate):
    from citels.store import Store

    for number in range(rounds):
        gate.wait()
        try:
            Store(Path(folder) / f"new{number}.sqlite3").close()
        except Exception as error:
            print(f"round {number}: {error!r}", flush=True)


if __name__ == "__main__":
    folder, processes, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    context = get_context("spawn")
    gate = context.Barrier(processes)
    racers = [context.Process(target=open_each, args=(folder, rounds, gate))
              for _ in range(processes)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    sys.exit(max(racer.exitcode for racer in racers))
"""


def test_processes_opening_one_new_index_at_once_all_open_it(tmp_path: Path):
    script = tmp_path / "race.py"  # a file: spawned processes import their function from it
    script.write_text(RACE)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path), str(PROCESSES), str(ROUNDS)],
        capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(SERVER), "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", f"opens that failed:\n{result.stdout}"
    for number in range(ROUNDS):
        path = tmp_path / f"new{number}.sqlite3"
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        store = Store(path)
        try:
            assert store.paper_counts() == (0, 0)
            assert store.get_meta("fts_needs_rebuild") is None  # nothing to refill
        finally:
            store.close()
