"""Benchmark: "all of arXiv" — a generated arXiv-snapshot-format corpus indexed and served.

    python tests/bench/arxiv_scale.py --papers 3000000 [--part 100000] [--source FILE]

Writes (once, cached) an arXiv metadata snapshot of that many papers in JSON Lines part
files, scaled from real papers (../shared/corpora/venue_papers_ml_nlp_cv_robotics.jsonl.zst,
read with citels' own JSON Lines reader): the first papers are the real ones as they are,
the rest splice one real title's start onto another's end, and one abstract's sentences
with another's, with real author lists; ids, versions, categories and line-wrapped
abstracts as arXiv writes them. Then `citels index` from scratch (wall time, peak RSS of
the index process and of its helper, index size on disk per paper) and a server driven
over stdio like an editor (start to first useful completion, completion p50/p95 and top-5
hits for queries typed one character at a time; bench.py's driver).

`citels index` tells the part files for an arXiv snapshot by their content and streams them,
as it would the real `arxiv-metadata-oai-snapshot.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(HERE)]


def as_citels(argv: list[str]) -> int:
    """`citels ARGV` (this script's child processes)."""
    from citels import cli

    return cli.main(argv)


if __name__ == "__main__" and sys.argv[1:2] == ["--as-citels"]:
    # A child process: citels itself, without the benchmark's imports slowing its start.
    raise SystemExit(as_citels(sys.argv[2:]))

import bench  # noqa: E402
from citels.papers import Paper  # noqa: E402

SOURCE = REPO.parent / "shared" / "corpora" / "venue_papers_ml_nlp_cv_robotics.jsonl.zst"
CATEGORIES = ["cs.LG", "cs.CL", "cs.CV", "cs.RO", "cs.AI", "stat.ML", "cs.NE", "cs.IR"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
QUERY_PAPERS = 8  # real papers whose titles the writer types
PASTED_IDS = 8  # arXiv ids, spread through the corpus, the writer pastes into a citation
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


# --- the corpus ------------------------------------------------------------------------


def real_papers(source: Path) -> list[Paper]:
    """The real papers to scale from, those with a title and an abstract."""
    from citels.corpus.json_lines import read_json_lines

    warnings: list[str] = []
    return [paper for paper in read_json_lines(source, source.name, warnings)
            if paper.title and paper.abstract]


class ArxivIds:
    """Ids as arXiv gives them since 2015 (YYMM.NNNNN, numbered within the month), each
    given once: the index then holds an identifier for every paper, as it does for the real
    snapshot. (Until session 13 the ids had seven digits, which are not arXiv ids: the
    identifiers table stayed empty, 45 B a paper and its inserts missing from the figures.)"""

    def __init__(self) -> None:
        self.given: dict[tuple[int, int], int] = {}

    def next(self, year: int, month: int) -> str:
        """The next id of that month (of the next month once a month has 99,999)."""
        while self.given.get((year, month), 0) >= 99_999:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        number = self.given[(year, month)] = self.given.get((year, month), 0) + 1
        return f"{year % 100:02d}{month:02d}.{number:05d}"


def arxiv_record(number: int, real: list[Paper], rng: random.Random, ids: ArxivIds) -> dict:
    """One arXiv snapshot record: the real paper `number` while there are real ones, then
    splices of two real papers."""
    base = real[number % len(real)]
    title, abstract, authors = base.title or "", base.abstract or "", base.authors
    if number >= len(real):
        other = real[rng.randrange(len(real))]
        words, more = title.split(), (other.title or "").split()
        title = " ".join(words[:max(1, len(words) // 2)] + more[len(more) // 2:])
        sentences = _SENTENCE_END.split(abstract) + _SENTENCE_END.split(other.abstract or "")
        rng.shuffle(sentences)
        abstract = " ".join(sentences[:max(3, len(sentences) // 2)])
        authors = real[rng.randrange(len(real))].authors or authors
    year = base.year or 2015
    month = 1 + number % 12
    arxiv_id = ids.next(year, month)
    created = f"{DAYS[number % 5]}, {1 + number % 28} {MONTHS[month - 1]} {year}" \
              f" {number % 24:02d}:{number % 60:02d}:00 GMT"
    parsed = [[name.split()[-1], " ".join(name.split()[:-1]), ""] for name in authors if name]
    return {
        "id": arxiv_id, "submitter": authors[0] if authors else None,
        "authors": ", ".join(authors[:-1]) + (" and " if len(authors) > 1 else "")
        + (authors[-1] if authors else ""),
        "title": textwrap.fill(title, 70, subsequent_indent="  "),
        "comments": f"{rng.randrange(6, 40)} pages, {rng.randrange(1, 12)} figures",
        "journal-ref": f"{base.venue} {year}" if base.venue and rng.random() < 0.3 else None,
        "doi": base.doi if number < len(real) else None,
        "report-no": None,
        "categories": " ".join(rng.sample(CATEGORIES, rng.randrange(1, 3))),
        "license": "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        "abstract": "  " + textwrap.fill(abstract, 80) + "\n",
        "versions": [{"version": "v1", "created": created}],
        "update_date": f"{year}-{month:02d}-{1 + number % 28:02d}",
        "authors_parsed": parsed,
    }


def build_corpus(papers: int, part: int, source: Path) -> Path:
    """The corpus folder, written once: part files of `part` papers each."""
    # v2: arXiv ids that are ids (ArxivIds); a corpus written before is not reused.
    folder = bench.CACHE / f"arxiv-v2-{papers}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    real = real_papers(source)
    rng = random.Random(1)
    ids = ArxivIds()
    started = time.perf_counter()
    for first in range(0, papers, part):
        path = folder / f"arxiv-{first // part:04d}.jsonl"
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            for number in range(first, min(papers, first + part)):
                out.write(json.dumps(arxiv_record(number, real, rng, ids)) + "\n")
        partial.rename(path)
    done.write_text(f"{papers} papers in {time.perf_counter() - started:.0f} s\n")
    return folder


# --- citels with the arXiv reader registered ---------------------------------------------


def citels_command(*argv: str) -> list[str]:
    """The command running `citels ARGV` through `as_citels`."""
    return [sys.executable, str(Path(__file__).resolve()), "--as-citels", *argv]


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found


def time_index(folder: Path, database: Path) -> dict:
    """`citels index` from scratch: seconds, and the peak RSS of each of its processes."""
    from citels.store.connection import remove_database

    remove_database(database)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(citels_command("index", str(folder), "--db", str(database)),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, float] = {}
    while process.poll() is None:
        for pid in [process.pid, *_descendants(process.pid)]:
            try:
                peaks[pid] = max(peaks.get(pid, 0.0), bench.peak_rss_mb(pid))
            except (OSError, ValueError):
                pass
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"citels index failed: {err[-2000:]}")
    helpers = [peak for pid, peak in peaks.items() if pid != process.pid]
    # CPU of `citels index` and of its helpers (each waited for by its parent): how much of
    # the two cores the run kept busy.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children.ru_utime + children.ru_stime
           - children_before.ru_utime - children_before.ru_stime)
    return {"index_s": seconds, "index_cpu_s": cpu,
            "summary": out.strip() or err.strip()[-300:],
            "index_peak_rss_mb": peaks.get(process.pid), "helper_peak_rss_mb": max(
                helpers, default=None)}


def queries(database: Path, real: list[Paper]) -> list[tuple[str, str]]:
    """(typed text, key meant) for a few real papers spread through the corpus."""
    from citels.merge import merge_id
    from citels.store import Store

    store = Store(database)
    chosen = []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        generated = conn.execute("SELECT count(*) FROM records").fetchone()[0]
    pool = real[:generated]  # the real papers are the corpus's first
    step = max(1, len(pool) // QUERY_PAPERS)
    for paper in pool[step // 2::step][:QUERY_PAPERS]:
        row = store.conn.execute("SELECT key FROM papers WHERE merge_id = ?",
                                 (merge_id(paper),)).fetchone()
        if row:
            # Eight words: a spliced paper shares the first half of a real title.
            typed = " ".join((paper.title or "").lower().split()[:8])
            chosen.append((typed, row[0]))
    store.close()
    return chosen


def pasted_ids(database: Path) -> list[tuple[str, str]]:
    """(arXiv id, key of its paper) for ids spread through the corpus, first to last."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        total = conn.execute("SELECT count(*) FROM identifiers WHERE scheme = 'arxiv'"
                             ).fetchone()[0]
        return [conn.execute(
            "SELECT value, key FROM identifiers JOIN papers ON papers.id = paper_id"
            " WHERE scheme = 'arxiv' ORDER BY value LIMIT 1 OFFSET ?",
            (offset,)).fetchone() for offset in range(0, total, max(1, total // PASTED_IDS))
            ][:PASTED_IDS]


def paste_each(client: bench.PipeClient, root: Path, pasted: list[tuple[str, str]]) -> dict:
    """Paste each arXiv id into a citation at once (one change, as a paste is) and ask for
    completion: its paper should be the first suggestion."""
    uri = (root / "pasted.tex").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "latex", "version": 1, "text": ""}})
    latencies, first = [], 0
    for version, (identifier, key) in enumerate(pasted, 2):
        text = "\\cite{" + identifier
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": text}]})
        started = time.perf_counter()
        response = client.request("textDocument/completion", {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": len(text)}},
            timeout=300)
        latencies.append((time.perf_counter() - started) * 1000)
        items = (response.get("result") or {}).get("items") or []
        first += bool(items) and bench._inserted_key(items[0]) == key
    return {"pasted_id_first": f"{first}/{len(pasted)}",
            "pasted_id_max_ms": max(latencies, default=None)}


def serve(folder: Path, database: Path, root: Path, typed: list[tuple[str, str]]) -> dict:
    """Start the server on the index; time the first useful completion, then a typing
    session (bench.py's)."""
    root.mkdir(parents=True, exist_ok=True)
    first_query, first_key = typed[0]
    started = time.perf_counter()
    client = bench.PipeClient(citels_command("serve", "--db", str(database), "--corpus",
                                             str(folder)), dict(os.environ),
                              root / "citels.log", validate=False)
    client.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                  "capabilities": {}})
    client.notify("initialized", {})
    uri = (root / "first.tex").as_uri()
    text = "\\cite{" + first_query
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "latex", "version": 1, "text": text}})
    first = float("nan")
    while time.perf_counter() - started < 120:
        response = client.request("textDocument/completion", {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": len(text)}},
            timeout=300)
        items = (response.get("result") or {}).get("items") or []
        if any(bench._inserted_key(item) == first_key for item in items[:5]):
            first = time.perf_counter() - started
            break
        time.sleep(0.01)
    bench.QUERIES[:] = typed
    result = {"first_completion_s": first}
    result.update(bench.typing_session(client, root, "latex", "\\cite{"))
    result.update(paste_each(client, root, pasted_ids(database)))
    result["server_peak_rss_mb"] = bench.peak_rss_mb(client.process.pid)
    client.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--part", type=int, default=100_000, help="papers per part file")
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--no-serve", action="store_true", help="only build the index")
    parser.add_argument("--reuse-index", action="store_true",
                        help="serve the index a previous run built (no index timing)")
    args = parser.parse_args()
    gauge = bench.speed_gauge_ms()
    started = time.perf_counter()
    folder = build_corpus(args.papers, args.part, args.source)
    print(f"corpus: {folder} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    database = bench.CACHE / f"arxiv-{args.papers}.sqlite3"
    result: dict = {"papers_generated": args.papers}
    if not (args.reuse_index and database.exists()):
        result.update(time_index(folder, database))
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    size = database.stat().st_size
    result["index_mb"] = size / 2**20
    if papers:
        result["papers_indexed"] = papers
        result["bytes_per_paper"] = size / papers
    print(json.dumps(result, indent=2), file=sys.stderr)
    if not args.no_serve:
        typed = queries(database, real_papers(args.source))
        result.update(serve(folder, database, bench.CACHE / f"arxiv-ws-{args.papers}", typed))
    result["speed_gauge_ms"] = f"{gauge:.0f} → {bench.speed_gauge_ms():.0f}"
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
