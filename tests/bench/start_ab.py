"""Benchmark: the server's start on the bundled corpus, two checkouts alternating (A/B).

    python3 tests/bench/start_ab.py OTHER_CHECKOUT [--pairs 10] [--bytecode] [--first-starts]

Times `bench.start_citels` (server process start until a completion has the paper meant in
its first five) for this checkout and OTHER_CHECKOUT (say the main branch's), one start of
each in turn, so both see the same moment of a shared machine; each indexes the corpus with
its own code first, and starts once uncounted (as a user's first start, it leaves what later
starts find in the cache folder, a scratch one per checkout). `--bytecode` lets Python cache
compiled modules (as an installed citels has them) where an environment sets
PYTHONDONTWRITEBYTECODE; `--first-starts` gives every start an empty cache folder instead.
Prints the median and the slowest start of each, how many came within the 0.4 s issue 20
asks for, the median CPU time the server had used when the completion came (Linux; steadier
than the wall clock on a busy machine), and the speed gauge before and after. Nothing here
asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import speed_gauge_ms, start_citels  # noqa: E402

TARGET_S = 0.4  # issue 20: the 400-paper start


def main() -> None:
    """Alternate starts of the two checkouts; print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the checkout to compare with")
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--bytecode", action="store_true",
                        help="cache compiled modules (in a scratch folder)")
    parser.add_argument("--first-starts", action="store_true",
                        help="every start with an empty cache folder")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="citels-start-ab-"))
    if args.bytecode:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(scratch / "bytecode")
    checkouts = {"this": HERE.parents[1], "other": args.other.resolve()}
    corpus = HERE.parents[1] / "corpus"
    databases = {}
    for name, checkout in checkouts.items():
        databases[name] = scratch / name / "index.sqlite3"
        subprocess.run([sys.executable, "-m", "citels", "index", "--db", str(databases[name]),
                        str(corpus)], check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(checkout / "server")})
    gauges = [speed_gauge_ms()]
    seconds: dict[str, list[float]] = {name: [] for name in checkouts}
    cpu: dict[str, list[float]] = {name: [] for name in checkouts}
    for pair in range(-1, args.pairs):  # -1: the uncounted first start of each
        order = list(checkouts) if pair % 2 == 0 else list(checkouts)[::-1]
        for name in order:
            os.environ["PYTHONPATH"] = str(checkouts[name] / "server")  # the server's code
            cache = scratch / "cache" / (f"{name}-{pair}" if args.first_starts else name)
            os.environ["XDG_CACHE_HOME"] = str(cache)
            root = scratch / f"workspace-{name}-{pair}"
            root.mkdir()
            client, taken = start_citels(corpus, databases[name], root)
            used = cpu_seconds(client.process.pid)
            client.close()
            if pair >= 0:
                seconds[name].append(taken)
                cpu[name].append(used)
    gauges.append(speed_gauge_ms())
    for name, taken in seconds.items():
        within = sum(1 for t in taken if t <= TARGET_S)
        print(f"{name:5} {checkouts[name]}: median {statistics.median(taken):.3f} s,"
              f" slowest {max(taken):.3f} s, {within} of {len(taken)} <= {TARGET_S} s,"
              f" server CPU median"
              f" {statistics.median(cpu[name]):.3f} s; " + " ".join(f"{t:.3f}" for t in taken))
    print(f"speed gauge {gauges[0]:.0f} -> {gauges[1]:.0f} ms;"
          f" load {os.getloadavg()[0]:.1f}")


def cpu_seconds(pid: int) -> float:
    """The CPU time the process's main thread has used (nan where /proc does not say)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return float("nan")


if __name__ == "__main__":
    main()
