"""The benchmark runs end to end at its smallest size (a smoke test: no timing is asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent / "bench.py"


def test_benchmark_smoke(tmp_path: Path):
    env = {**os.environ, "CITELS_BENCH_CACHE": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, str(BENCH), "--sizes", "1k", "--out",
                             str(tmp_path / "out")], env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "out" / "bench.json").read_text())
    figures = report["citels"]["1k"]
    assert figures["intended_in_top5"] == "8/8"
    assert figures["completions"] > 100
    assert figures["largest_response_kb"] < 50  # the item limit keeps responses small
    assert "| completion p95 (ms) |" in (tmp_path / "out" / "bench.md").read_text()
