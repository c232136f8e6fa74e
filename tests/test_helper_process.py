"""An index run's helper processes end when the run is killed (`kill`, the out-of-memory
killer), instead of waiting for ever for work or for their results to be read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER = Path(__file__).resolve().parents[1] / "server"

# An index run's two kinds of helper, started as the run starts them, and their ids said.
RUN = """
import os, sys
from citels import chunked_reading
from citels.helper_process import helper_pool
from citels.store import bulk

if __name__ == "__main__":
    parser = chunked_reading.RunParser()
    reader = parser.pool().submit(os.getpid).result()
    # The full-text helper as bulk.prepared starts it, its indexes aside opened.
    pool = helper_pool(bulk.HELPERS, bulk._open_aside, (sys.argv[1], bulk.TITLES_HELD))
    writer = pool.submit(os.getpid).result()
    print(reader, writer, flush=True)
    sys.stdin.read()
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


def test_the_helpers_of_a_killed_index_run_end_too(tmp_path: Path):
    script = tmp_path / "run.py"
    script.write_text(RUN)
    run = subprocess.Popen([sys.executable, str(script), str(tmp_path / "aside.sqlite3")],
                           stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": str(SERVER)})
    helpers = [int(pid) for pid in run.stdout.readline().split()]
    assert len(helpers) == 2 and all(alive(pid) for pid in helpers)
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in helpers if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == [], "helpers left running after their index run was killed"


# A helper started ahead (as a large library's first index starts it while it reads), then
# taken by the writing's pool of one with its initializer, or left untaken; the pids said.
AHEAD = """
import os, sys
from concurrent.futures.process import BrokenProcessPool
from citels import helper_process


def opened(path):
    with open(path, "w") as out:
        out.write("opened")


def seen(path):
    with open(path) as kept:
        return os.getpid(), kept.read()


def fails(path):
    raise OSError(f"cannot open {path}")


if __name__ == "__main__":
    path, case = sys.argv[1], sys.argv[2]
    with helper_process.started_ahead(("citels.store.bulk",)):
        ahead = helper_process._ahead.submit(os.getpid).result()
        print(ahead, flush=True)
        if case == "taken":
            pool = helper_process.helper_pool(1, opened, (path,))
            print(*pool.submit(seen, path).result(), flush=True)
            pool.shutdown()
        elif case == "failing":
            pool = helper_process.helper_pool(1, fails, (path,))
            try:
                pool.submit(os.getpid).result()
            except BrokenProcessPool:
                print("broken", flush=True)
    print("ended", flush=True)
    sys.stdin.read()
"""


@contextmanager
def _ahead_run(tmp_path: Path, case: str) -> Iterator[tuple[subprocess.Popen, list[str]]]:
    """The AHEAD script run for `case`, and the lines it printed up to "ended"; the script
    is let finish when the test is done with it."""
    script = tmp_path / "ahead.py"
    script.write_text(AHEAD)
    run = subprocess.Popen([sys.executable, str(script), str(tmp_path / "opened"), case],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": str(SERVER)})
    try:
        lines = []
        while not lines or lines[-1] != "ended":
            lines.append(run.stdout.readline().strip())
        yield run, lines
    finally:
        run.stdin.close()
        run.wait(timeout=20)


def _ended_soon(pid: int) -> bool:
    deadline = time.monotonic() + 20
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not alive(pid)


def test_a_helper_started_ahead_is_the_writings_with_its_initializer_run_first(tmp_path):
    with _ahead_run(tmp_path, "taken") as (_, lines):
        ahead = int(lines[0])
        assert lines[1] == f"{ahead} opened"  # the same process, its indexes aside opened
        assert _ended_soon(ahead)  # shut down by the writing that took it


def test_a_helper_started_ahead_and_not_wanted_ends_with_the_run(tmp_path):
    """A library that turned out too small for a helper leaves no process behind."""
    with _ahead_run(tmp_path, "untaken") as (run, lines):
        assert _ended_soon(int(lines[0]))  # while the run itself goes on
        assert run.poll() is None


def test_a_helper_started_ahead_whose_initializer_fails_breaks_its_pool(tmp_path):
    """As a pool whose initializer fails: the writing goes on without a helper."""
    with _ahead_run(tmp_path, "failing") as (_, lines):
        assert lines[1] == "broken"
        assert _ended_soon(int(lines[0]))


def test_a_helpers_pipes_hold_a_batch_of_rows():
    # A batch's rows (~1 MB) came back through a 64 KB pipe a piece at a time, each piece
    # waiting for the index process's busy interpreter: the helper idled a tenth of a
    # first index's write phase. Linux lets anyone have 1 MB pipes.
    import fcntl

    from citels.helper_process import PIPE_BYTES, helper_pool

    pool = helper_pool()
    try:
        assert pool.submit(os.getpid).result() != os.getpid()
        for end in (pool._call_queue._writer, pool._result_queue._reader):
            assert fcntl.fcntl(end.fileno(), fcntl.F_GETPIPE_SZ) == PIPE_BYTES
    finally:
        pool.shutdown()
