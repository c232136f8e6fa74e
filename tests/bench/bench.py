"""Benchmark: citels (and, with --peers, other Python citation servers) on generated corpora.

    python tests/bench/bench.py --sizes 10k,100k [--peers] [--out bench-results]

For each size: a deterministic corpus (the 400 real papers and generated distractors, in the
bundled layout and as .bib), `citels index` from scratch and again unchanged, then a server
driven over stdio like an editor: start to first useful completion, a writer typing queries
one character at a time (every completion's latency and size, and whether the intended
paper is in the top 5), resolve and hover latencies, and the server's peak memory. With
--peers, the same typing session runs against citation-langserver and bibli-ls (installed
from PyPI into virtual environments of their own, under the cache) on the corpus as .bib,
each within a time budget. Results go to OUT/bench.json and OUT/bench.md. Nothing here
asserts a timing; CI runs the smallest size as a smoke test.
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
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(HERE.parent / "ranking"), str(HERE.parent / "fuzz")]

from distractors import write_distractor_corpus  # noqa: E402
from lsp_pipe import PipeClient, ServerDied  # noqa: E402

from citels.bibliography.entry import to_bibtex  # noqa: E402
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
    folder.mkdir(parents=True, exist_ok=True)
    for path in (REPO / "corpus").glob("*.txt"):
        if not (folder / path.name).exists():
            shutil.copy2(path, folder / path.name)
    if size > 400:  # written once (an interrupted run leaves only a .partial file)
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
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    timings = []
    for _ in range(2):  # from scratch, then unchanged
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "citels", "index", str(folder), "--db",
                              str(database)], capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"citels index failed: {run.stderr[-2000:]}")
        timings.append(time.perf_counter() - started)
    return timings[0], timings[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def typing_session(client: PipeClient, root: Path, language: str, prefix: str, *,
                   deadline: float = float("inf"), resolve: bool = True) -> dict:
    """Type every query one character at a time after `prefix`; time every completion.

    After each query the writer looks at the first five suggestions (completionItem/resolve)
    and, at the end, hovers over the papers they cited. Stops typing at `deadline`.
    """
    uri = (root / f"bench.{'tex' if language == 'latex' else 'md'}").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": language, "version": 1, "text": prefix}})
    latencies, sizes, found, typed_queries = [], [], 0, 0
    resolve_latencies, tops = [], []
    version = 1
    for query, key in QUERIES:
        if time.perf_counter() > deadline:
            break
        last_items: list = []
        for length in range(1, len(query) + 1):
            text = prefix + query[:length]
            version += 1
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}]})
            started = time.perf_counter()
            response = client.request("textDocument/completion", {
                "textDocument": {"uri": uri},
                "position": {"line": 0, "character": len(prefix) + length}},
                timeout=max(1.0, deadline - started) if deadline < float("inf") else 300)
            latencies.append((time.perf_counter() - started) * 1000)
            sizes.append(len(json.dumps(response)))
            result = response.get("result") or {}
            last_items = result.get("items", []) if isinstance(result, dict) else result
        typed_queries += 1
        top = [_inserted_key(item) for item in last_items[:5]]
        tops += [t for t in top[:3] if t]
        found += key in top
        if resolve:
            for item in last_items[:5]:
                started = time.perf_counter()
                client.request("completionItem/resolve", item)
                resolve_latencies.append((time.perf_counter() - started) * 1000)
    hover = _hover_each(client, root, language, [k for _, k in QUERIES] + tops)
    return {
        "completion_p50_ms": statistics.median(latencies) if latencies else None,
        "completion_p95_ms": percentile(latencies, 0.95) if latencies else None,
        "completions": len(latencies),
        "largest_response_kb": max(sizes) / 1024 if sizes else None,
        "resolve_p95_ms": percentile(resolve_latencies, 0.95) if resolve_latencies else None,
        "hover_p95_ms": percentile(hover, 0.95) if hover else None,
        "intended_in_top5": f"{found}/{typed_queries}",
    }


def _inserted_key(item: dict) -> str:
    """The key a completion item inserts (its text edit, insert text, or label)."""
    text = (item.get("textEdit") or {}).get("newText") or item.get("insertText") \
        or item.get("label") or ""
    return text.lstrip("@")


def _hover_each(client: PipeClient, root: Path, language: str, keys: list[str]) -> list[float]:
    """Hover over each key once, in a document that cites them all."""
    keys = list(dict.fromkeys(keys))
    if language == "latex":
        lines = [f"\\cite{{{key}}}" for key in keys]
        column = len("\\cite{") + 1
    else:
        lines = [f"[@{key}]" for key in keys]
        column = 3
    hover_uri = (root / f"hover.{'tex' if language == 'latex' else 'md'}").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": hover_uri, "languageId": language, "version": 1, "text": "\n".join(lines)}})
    latencies = []
    for line in range(len(lines)):
        started = time.perf_counter()
        client.request("textDocument/hover", {"textDocument": {"uri": hover_uri},
                                              "position": {"line": line, "character": column}})
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def start_citels(folder: Path, database: Path, root: Path) -> tuple[PipeClient, float]:
    """Start the server on a built index; seconds until a useful completion comes back."""
    started = time.perf_counter()
    client = PipeClient([sys.executable, "-m", "citels", "serve", "--db", str(database),
                         "--corpus", str(folder)], dict(os.environ), root / "citels.log",
                        validate=False)
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


def speed_gauge_ms() -> float:
    """Milliseconds this machine takes for a fixed piece of Python work, best of five.

    A virtual machine's speed changes from minute to minute (by half, seen here): figures
    are comparable only with the gauge beside them."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for number in range(2_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best * 1000


def run_citels(size: int, workdir: Path) -> dict:
    folder, bib = build_corpus(size)
    database = CACHE / f"index-{size}.sqlite3"
    gauge = speed_gauge_ms()
    scratch, unchanged = time_index(folder, database)
    export_bib(database, bib)
    root = workdir / f"ws-{size}"
    root.mkdir(parents=True, exist_ok=True)
    client, first = start_citels(folder, database, root)
    result = {"index_s": scratch, "recheck_s": unchanged, "first_completion_s": first}
    result.update(typing_session(client, root, "latex", "\\cite{"))
    result["peak_rss_mb"] = peak_rss_mb(client.process.pid)
    client.close()
    result["speed_gauge_ms"] = f"{gauge:.0f} → {speed_gauge_ms():.0f}"  # before, after
    return result


# --- peers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Peer:
    """Another citation language server, driven through the same typing session."""

    name: str
    requirement: str  # what pip installs
    executable: str  # its console script
    min_python: tuple[int, int]
    language: str  # the document it completes in, and what precedes the key there
    prefix: str


PEERS = [
    Peer("citation-langserver", "citation-langserver==0.2.2", "citation-langserver", (3, 8),
         "latex", "\\cite{"),
    Peer("bibli-ls", "bibli-ls==0.1.7.2", "bibli_ls", (3, 12), "markdown", "@"),
]


def find_python(minimum: tuple[int, int]) -> str | None:
    """An interpreter at least this new: this one, one on PATH, or one pyenv installed."""
    if sys.version_info[:2] >= minimum:
        return sys.executable
    candidates = [shutil.which(f"python3.{minor}") for minor in range(minimum[1], 20)]
    candidates += sorted(map(str, Path.home().glob(".pyenv/versions/3.*/bin/python3")))
    for candidate in filter(None, candidates):
        version = subprocess.run([candidate, "-c", "import sys; print(*sys.version_info[:2])"],
                                 capture_output=True, text=True)
        if version.returncode == 0 and tuple(map(int, version.stdout.split())) >= minimum:
            return candidate
    return None


def install_peer(peer: Peer) -> Path:
    """The peer's console script, installed once into a virtual environment of its own."""
    venv = CACHE / "peers" / peer.name
    script = venv / "bin" / peer.executable
    if not script.exists():
        python = find_python(peer.min_python)
        if python is None:
            raise RuntimeError(f"needs Python >= {'.'.join(map(str, peer.min_python))}")
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        peer.requirement], check=True)
    return script


def start_peer(peer: Peer, script: Path, bib: Path, root: Path,
               deadline: float) -> tuple[PipeClient, float]:
    """Start a peer configured with the .bib; seconds until a completion lists anything."""
    if peer.name == "bibli-ls":  # reads its bibliographies from the workspace root
        (root / ".bibli.toml").write_text(
            f'[backends.bench]\nbackend_type = "bibfile"\nbibfiles = ["{bib}"]\n')
    started = time.perf_counter()
    client = PipeClient([str(script)], dict(os.environ), root / f"{peer.name}.log",
                        validate=False, cwd=root)
    client.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                  "rootPath": str(root), "capabilities": {}},
                   timeout=max(1.0, deadline - started))
    client.notify("initialized", {})
    if peer.name == "citation-langserver":  # reads them only from a pushed configuration
        client.notify("workspace/didChangeConfiguration",
                      {"settings": {"citation": {"bibliographies": [str(bib)]}}})
    suffix = "tex" if peer.language == "latex" else "md"
    uri = (root / f"first.{suffix}").as_uri()
    text = peer.prefix + "mirror"  # a key prefix: what these servers match
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": peer.language, "version": 1, "text": text}})
    while time.perf_counter() < deadline:
        response = client.request("textDocument/completion", {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": len(text)}},
            timeout=max(1.0, deadline - time.perf_counter()))
        result = response.get("result") or {}
        items = result.get("items", []) if isinstance(result, dict) else result
        if items:
            return client, time.perf_counter() - started
        time.sleep(0.05)
    raise ServerDied("no completion listed anything")


def run_peer(peer: Peer, size: int, workdir: Path, budget: float) -> dict:
    """The peer on the corpus as .bib: start, typing and hover, within `budget` seconds."""
    _, bib = build_corpus(size)
    if not bib.exists():
        raise RuntimeError(f"{bib} is written by the citels run of this size; run it first")
    script = install_peer(peer)
    root = workdir / f"{peer.name}-{size}"
    root.mkdir(parents=True, exist_ok=True)
    deadline = time.perf_counter() + budget
    result: dict = {"budget_s": budget}
    client = None
    try:
        client, first = start_peer(peer, script, bib, root, deadline)
        result["first_completion_s"] = first
        result.update(typing_session(client, root, peer.language, peer.prefix,
                                     deadline=deadline, resolve=False))
    except ServerDied as error:
        result["failed"] = f"stopped after {budget:.0f} s: {error}"
    if client is not None and client.alive():
        result["peak_rss_mb"] = peak_rss_mb(client.process.pid)
        client.process.kill()
    return result


# --- report --------------------------------------------------------------------------------

ROWS = [("index from scratch (s)", "index_s"), ("re-check unchanged (s)", "recheck_s"),
        ("start to first useful completion (s)", "first_completion_s"),
        ("completion p50 (ms)", "completion_p50_ms"),
        ("completion p95 (ms)", "completion_p95_ms"), ("resolve p95 (ms)", "resolve_p95_ms"),
        ("hover p95 (ms)", "hover_p95_ms"),
        ("largest completion response (kB)", "largest_response_kb"),
        ("peak RSS (MB)", "peak_rss_mb"), ("completions timed", "completions"),
        ("intended paper in top 5", "intended_in_top5"),
        ("speed gauge before → after (ms; lower: a faster machine)", "speed_gauge_ms")]


def _cell(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def markdown(results: dict, peers: dict | None = None) -> str:
    """One column per size for citels, then per size and peer with citels' p95 ratio."""
    columns = [(f"citels {size}", figures) for size, figures in results.items()]
    for size, by_peer in (peers or {}).items():
        columns += [(f"{name} {size}", figures) for name, figures in by_peer.items()]
    lines = ["| figure | " + " | ".join(name for name, _ in columns) + " |",
             "|---" * (len(columns) + 1) + "|"]
    for label, name in ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(f.get(name)) for _, f in columns)
                     + " |")
    if peers:
        cells = []
        for name, figures in columns:
            size = name.rsplit(" ", 1)[1]
            ours = results.get(size, {}).get("completion_p95_ms")
            theirs = figures.get("completion_p95_ms")
            cells.append(f"{theirs / ours:.0f}×" if ours and theirs and not
                         name.startswith("citels") else "–")
        lines.append("| p95 completion, times citels' | " + " | ".join(cells) + " |")
        notes = [f"- {name}: {figures['failed']}" for name, figures in columns
                 if figures.get("failed")]
        if notes:
            lines += ["", *notes]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10k", help="comma-separated: 1k,10k,100k,1m")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results")
    parser.add_argument("--peers", action="store_true",
                        help="also run citation-langserver and bibli-ls (installed from PyPI)")
    parser.add_argument("--peer-budget", type=float, default=600,
                        help="seconds each peer gets per size, start to last keystroke")
    parser.add_argument("--peers-only", action="store_true",
                        help="run only the peers; citels' figures come from OUT/bench.json")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    previous = args.out / "bench.json"
    earlier = json.loads(previous.read_text()) if previous.exists() else {}
    results: dict = dict(earlier.get("citels", {})) if args.peers_only else {}
    peers: dict = dict(earlier.get("peers", {}))
    for name in args.sizes.split(","):
        if args.peers_only:
            args.peers = True
        else:
            print(f"citels at {name} papers…", file=sys.stderr)
            results[name] = run_citels(SIZES[name.lower()], args.out / "work")
            print(json.dumps(results[name], indent=2), file=sys.stderr)
        if args.peers:
            for peer in PEERS:
                print(f"{peer.name} at {name} papers…", file=sys.stderr)
                try:
                    figures = run_peer(peer, SIZES[name.lower()], args.out / "work",
                                       args.peer_budget)
                except (RuntimeError, subprocess.CalledProcessError) as error:
                    figures = {"failed": f"not run: {error}"}
                peers.setdefault(name, {})[peer.name] = figures
                print(json.dumps(figures, indent=2), file=sys.stderr)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    report = {"date": date.today().isoformat(), "machine": machine, "citels": results,
              "peers": peers}
    (args.out / "bench.json").write_text(json.dumps(report, indent=2))
    table = f"{report['date']}, {machine}\n\n{markdown(results, peers)}\n"
    (args.out / "bench.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
