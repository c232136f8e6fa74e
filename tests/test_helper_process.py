"""An index run's helper processes end when the run is killed (`kill`, the out-of-memory
killer), instead of waiting for ever for work or for their results to be read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
    pool = helper_pool(bulk.HELPERS, bulk._open_aside, (sys.argv[1],))
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
