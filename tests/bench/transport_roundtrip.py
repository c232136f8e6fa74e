"""Benchmark: what the stdio transport costs a keystroke, with no search in it.

    python tests/bench/transport_roundtrip.py [--keystrokes 1000]

Starts `citels serve` on the bundled corpus and, like an editor, sends a didChange and a
completion request for every keystroke, in plain text outside any citation, where the
server answers an empty list at once: the round trip is the cost of reading, dispatching
and answering the messages. Prints p50/p95/mean in ms. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keystrokes", type=int, default=1000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="citels-transport-"))
    gauge = bench.speed_gauge_ms()
    client = bench.PipeClient([sys.executable, "-m", "citels", "serve"],
                              {**os.environ, "XDG_CACHE_HOME": str(root / "cache")},
                              root / "citels.log", validate=False)
    try:
        client.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                      "capabilities": {}}, timeout=120)
        client.notify("initialized", {})
        uri = (root / "notes.tex").as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "latex", "version": 1, "text": ""}})
        latencies = []
        for number in range(args.keystrokes):
            text = "plain words " + "x" * (number % 50)
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": number + 2},
                "contentChanges": [{"text": text}]})
            started = time.perf_counter()
            client.request("textDocument/completion", {"textDocument": {"uri": uri},
                           "position": {"line": 0, "character": len(text)}})
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        client.close()
    print(f"{len(latencies)} keystrokes, speed gauge {gauge:.0f} ms: round trip"
          f" p50 {statistics.median(latencies):.2f} ms,"
          f" p95 {bench.percentile(latencies, 0.95):.2f} ms,"
          f" mean {statistics.mean(latencies):.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
