"""Benchmark: citels (and, with --peers, other Python citation servers) on generated corpora.

    python tests/bench/bench.py --sizes 10k,100k [--peers] [--out bench-results]

For each size: a deterministic corpus (the 400 real papers and generated distractors, in the
bundled layout and as .bib), `citels index` from scratch and again unchanged, then a server
driven over stdio like an editor: start to first useful completion, a writer typing queries
one character at a time (every completion's latency and size, and whether the intended
paper is in the top 5), resolve and hover latencies, and the server's peak memory. Results
go to OUT/bench.json and OUT/bench.md. Nothing here asserts a timing; CI runs the smallest
size as a smoke test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(HERE.parent / "ranking"), str(HERE.parent / "fuzz")]

from distractors import write_distractor_corpus  # noqa: E402
from lsp_pipe import PipeClient  # noqa: E402

from citels.bibtex import to_bibtex  # noqa: E402
from citels.store import Store  # noqa: E402

CACHE = Path(os.environ.get("CITELS_BENCH_CACHE", Path.home() / ".cache" / "citels-bench"))
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
# (what the writer types, the key of the paper they mean)
QUERIES = [
    ("mirror descent policy optimization", "mirrorDescentPolicy2020"),
    ("barlow twins", "barlowTwinsSelf2021"),
    ("reward model ensembles overoptimization", "rewardModelEnsembles"),
    ("varaince reduced halpern", "varianceReducedHalpern2023"),
    ("hanabi decision-time planning", "updateEquivalenceFramework2023"),
    ("tulu 3 post-training", "tulu3Pushing"),
    ("cyber sec eval", "cyberseceval2Wide"),
    ("goodharts law reinforcement", "goodhartsLawReinforcement"),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def build_corpus(size: int) -> tuple[Path, Path]:
    """The corpus folder (bundled layout) and the same papers as one .bib file."""
    folder = CACHE / f"corpus-{size}"
    if not folder.exists():
        folder.mkdir(parents=True)
        for path in (REPO / "corpus").glob("*.txt"):
            shutil.copy2(path, folder / path.name)
        if size > 400:
            write_distractor_corpus(REPO / "corpus", folder, count=size - 400, seed=1)
    bib = CACHE / f"corpus-{size}.bib"
    return folder, bib


def export_bib(database: Path, bib: Path) -> None:
    if bib.exists():
        return
    store = Store(database)
    with bib.open("w", encoding="utf-8") as out:
        for paper in store.papers():
            # One peer drops a whole file for a straight double quote inside braces.
            entry = to_bibtex(paper, include_abstract=False).replace('"', "''")
            out.write(entry + "\n")
    store.close()


def time_index(folder: Path, database: Path) -> tuple[float, float]:
    database.unlink(missing_ok=True)
    timings = []
    for _ in range(2):  # from scratch, then unchanged
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "citels", "index", str(folder), "--db",
                        str(database)], check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    return timings[0], timings[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def typing_session(client: PipeClient, root: Path, language: str, prefix: str,
                   complete_suffix: str = "") -> dict:
    """Type every query one character at a time after `prefix`; time every completion."""
    uri = (root / f"bench.{'tex' if language == 'latex' else 'md'}").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": language, "version": 1, "text": prefix}})
    latencies, sizes, found = [], [], 0
    version = 1
    last_items: list = []
    for query, key in QUERIES:
        for length in range(1, len(query) + 1):
            text = prefix + query[:length] + complete_suffix
            version += 1
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}]})
            started = time.perf_counter()
            response = client.request("textDocument/completion", {
                "textDocument": {"uri": uri},
                "position": {"line": 0, "character": len(prefix) + length}}, timeout=300)
            latencies.append((time.perf_counter() - started) * 1000)
            sizes.append(len(json.dumps(response)))
            result = response.get("result") or {}
            last_items = result.get("items", []) if isinstance(result, dict) else result
        top = [(item.get("textEdit") or {}).get("newText") or item.get("label")
               for item in last_items[:5]]
        found += any(key == t or key == (t or "").lstrip("@") for t in top)
    resolve, hover = [], []
    for item in last_items[:20]:
        started = time.perf_counter()
        client.request("completionItem/resolve", item)
        resolve.append((time.perf_counter() - started) * 1000)
    hover_uri = (root / "hover.tex").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": hover_uri, "languageId": "latex", "version": 1,
        "text": "\\cite{mirrorDescentPolicy2020}"}})
    for _ in range(20):
        started = time.perf_counter()
        client.request("textDocument/hover", {"textDocument": {"uri": hover_uri},
                                              "position": {"line": 0, "character": 10}})
        hover.append((time.perf_counter() - started) * 1000)
    return {
        "completion_p50_ms": statistics.median(latencies),
        "completion_p95_ms": percentile(latencies, 0.95),
        "completions": len(latencies),
        "largest_response_kb": max(sizes) / 1024,
        "resolve_p95_ms": percentile(resolve, 0.95) if resolve else None,
        "hover_p95_ms": percentile(hover, 0.95),
        "intended_in_top5": f"{found}/{len(QUERIES)}",
    }


def start_citels(folder: Path, database: Path, root: Path) -> tuple[PipeClient, float]:
    """Start the server on a built index; seconds until a useful completion comes back."""
    started = time.perf_counter()
    client = PipeClient([sys.executable, "-m", "citels", "serve", "--db", str(database),
                         "--corpus", str(folder)], dict(os.environ), root / "citels.log")
    client.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                  "capabilities": {}})
    client.notify("initialized", {})
    uri = (root / "first.tex").as_uri()
    query = "\\cite{mirror descent policy optimization"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "latex", "version": 1, "text": query}})
    while time.perf_counter() - started < 120:
        response = client.request("textDocument/completion", {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": len(query)}},
            timeout=300)
        items = (response.get("result") or {}).get("items") or []
        # Useful: the paper meant is among the first five offered.
        if any(item["textEdit"]["newText"] == "mirrorDescentPolicy2020" for item in items[:5]):
            return client, time.perf_counter() - started
        time.sleep(0.01)
    return client, float("nan")


def run_citels(size: int, workdir: Path) -> dict:
    folder, bib = build_corpus(size)
    database = CACHE / f"index-{size}.sqlite3"
    scratch, unchanged = time_index(folder, database)
    export_bib(database, bib)
    root = workdir / f"ws-{size}"
    root.mkdir(parents=True, exist_ok=True)
    client, first = start_citels(folder, database, root)
    result = {"index_s": scratch, "recheck_s": unchanged, "first_completion_s": first}
    result.update(typing_session(client, root, "latex", "\\cite{"))
    result["peak_rss_mb"] = peak_rss_mb(client.process.pid)
    client.close()
    return result


def markdown(results: dict) -> str:
    rows = [("index from scratch (s)", "index_s"), ("re-check unchanged (s)", "recheck_s"),
            ("start to first useful completion (s)", "first_completion_s"),
            ("completion p50 (ms)", "completion_p50_ms"),
            ("completion p95 (ms)", "completion_p95_ms"), ("resolve p95 (ms)", "resolve_p95_ms"),
            ("hover p95 (ms)", "hover_p95_ms"), ("largest completion response (kB)",
                                                 "largest_response_kb"),
            ("peak RSS (MB)", "peak_rss_mb"), ("intended paper in top 5", "intended_in_top5")]
    sizes = list(results)
    lines = ["| figure | " + " | ".join(sizes) + " |", "|---" * (len(sizes) + 1) + "|"]
    for label, name in rows:
        cells = []
        for size in sizes:
            value = results[size].get(name)
            cells.append(f"{value:.2f}" if isinstance(value, float) else str(value))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10k", help="comma-separated: 1k,10k,100k,1m")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in args.sizes.split(","):
        print(f"citels at {name} papers…", file=sys.stderr)
        results[name] = run_citels(SIZES[name.lower()], args.out / "work")
        print(json.dumps(results[name], indent=2), file=sys.stderr)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    report = {"date": date.today().isoformat(), "machine": machine, "citels": results}
    (args.out / "bench.json").write_text(json.dumps(report, indent=2))
    table = f"citels, {report['date']}, {machine}\n\n{markdown(results)}\n"
    (args.out / "bench.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
