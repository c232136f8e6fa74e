"""Benchmark: people, year and title queries typed a keystroke at a time into a big index.

    python tests/bench/arxiv_scale.py --papers 1000000 --no-serve   # the index, once
    python tests/bench/people_keystrokes.py [--papers 1000000] [--per-kind 20] [--seed 1]

Serves the index that arxiv_scale.py built (real papers from ../shared/corpora and splices
of them, with real author lists) over stdio like an editor, and types what a writer types
inside `\\cite{`, one character at a time, a completion asked at every keystroke: for papers
picked at random (seeded) among the index's own, the first author's surname and two title
words, the surname, the year and a title word, the last author's surname and two title
words (as tests/ranking/people_benchmark.py builds them), and eight words of the title.
Prints, per kind, the keystrokes timed, completion p50/p95 in ms and the share of queries
whose paper is among the first five once typed in full; then all kinds together. Nothing
here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "ranking")]

import arxiv_scale  # noqa: E402
from people_benchmark import surname, title_words  # noqa: E402

import bench  # noqa: E402
from citels.papers import Paper  # noqa: E402
from citels.store import Store  # noqa: E402

KINDS = ("title", "surname_title", "surname_year_word", "last_author_title")


def sample_papers(database: Path, count: int, seed: int) -> list[Paper]:
    """Papers picked at random from the index, with authors, a year and two title words."""
    store = Store(database)
    chooser = random.Random(seed)
    highest = store.conn.execute("SELECT max(id) FROM papers").fetchone()[0] or 0
    picked: list[Paper] = []
    tried = 0
    while len(picked) < count and tried < count * 50:
        tried += 1
        paper = store.papers_by_id([paper_id := chooser.randint(1, highest)]).get(paper_id)
        if paper is None:
            continue
        if (paper.year and paper.authors and len(title_words(paper)) >= 2
                and surname(paper.authors[0]) and surname(paper.authors[-1])):
            picked.append(paper)
    store.close()
    return picked


def queries(papers: list[Paper], per_kind: int, seed: int) -> list[tuple[str, str, str]]:
    """(kind, typed text, key meant): `per_kind` of each kind, each from its own paper."""
    chooser = random.Random(seed)
    asked = []
    for number, paper in enumerate(papers[:per_kind * len(KINDS)]):
        kind = KINDS[number % len(KINDS)]
        if kind == "title":
            text = " ".join((paper.title or "").lower().split()[:8])
        elif kind == "surname_title":
            text = f"{surname(paper.authors[0])} {' '.join(chooser.sample(title_words(paper), 2))}"
        elif kind == "surname_year_word":
            text = f"{surname(paper.authors[0])} {paper.year} {chooser.choice(title_words(paper))}"
        else:
            text = f"{surname(paper.authors[-1])} {' '.join(chooser.sample(title_words(paper), 2))}"
        asked.append((kind, text, paper.key or ""))
    return asked


def type_queries(client: bench.PipeClient, root: Path, asked: list[tuple[str, str, str]]
                 ) -> dict[str, dict]:
    """Type every query a character at a time; latencies and top-5 hits by kind."""
    uri = (root / "people.tex").as_uri()
    prefix = "\\cite{"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "latex", "version": 1, "text": prefix}})
    latencies: dict[str, list[float]] = defaultdict(list)
    found: dict[str, int] = defaultdict(int)
    version = 1
    # The server first opens (and, for an older index, migrates) the index: not timed.
    warm = prefix + asked[0][1]
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 1},
                                             "contentChanges": [{"text": warm}]})
    client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {
        "line": 0, "character": len(warm)}}, timeout=900)
    for kind, text, key in asked:
        items: list = []
        for length in range(1, len(text) + 1):
            version += 1
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": prefix + text[:length]}]})
            started = time.perf_counter()
            response = client.request("textDocument/completion", {
                "textDocument": {"uri": uri},
                "position": {"line": 0, "character": len(prefix) + length}}, timeout=300)
            latencies[kind].append((time.perf_counter() - started) * 1000)
            result = response.get("result") or {}
            items = result.get("items", []) if isinstance(result, dict) else result
        found[kind] += key in [bench._inserted_key(item) for item in items[:5]]
    latencies["all"] = [ms for kind in KINDS for ms in latencies[kind]]
    found["all"] = sum(found[kind] for kind in KINDS)
    counts = defaultdict(int, {kind: sum(k == kind for k, _, _ in asked) for kind in KINDS})
    counts["all"] = len(asked)
    return {kind: {"keystrokes": len(latencies[kind]),
                   "p50_ms": statistics.median(latencies[kind]),
                   "p95_ms": bench.percentile(latencies[kind], 0.95),
                   "in_top5": found[kind] / counts[kind]}
            for kind in [*KINDS, "all"] if latencies[kind]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=1_000_000,
                        help="the size arxiv_scale.py built the index for")
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    folder = bench.CACHE / f"arxiv-{args.papers}"
    database = bench.CACHE / f"arxiv-{args.papers}.sqlite3"
    if not database.exists():
        raise SystemExit(f"{database}: not found; build it with"
                         f" tests/bench/arxiv_scale.py --papers {args.papers} --no-serve")
    gauge = bench.speed_gauge_ms()
    asked = queries(sample_papers(database, args.per_kind * len(KINDS), args.seed),
                    args.per_kind, args.seed)
    root = bench.CACHE / f"people-ws-{args.papers}"
    root.mkdir(parents=True, exist_ok=True)
    client = bench.PipeClient(arxiv_scale.citels_command(
        "serve", "--db", str(database), "--corpus", str(folder)), dict(os.environ),
        root / "citels.log", validate=False)
    try:
        client.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                      "capabilities": {}}, timeout=300)
        client.notify("initialized", {})
        results = type_queries(client, root, asked)
    finally:
        client.close()
    print(f"{args.papers} papers, {len(asked)} queries, speed gauge {gauge:.0f} →"
          f" {bench.speed_gauge_ms():.0f} ms")
    print(f"{'kind':<20}{'keystrokes':>11}{'p50 (ms)':>10}{'p95 (ms)':>10}{'in top 5':>10}")
    for kind, figures in results.items():
        print(f"{kind:<20}{figures['keystrokes']:>11}{figures['p50_ms']:>10.2f}"
              f"{figures['p95_ms']:>10.2f}{figures['in_top5']:>10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
