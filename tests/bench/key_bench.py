"""Benchmark: keys typed by prefix in a big workspace .bib, citels against citation-langserver.

    python tests/bench/key_bench.py [--entries 10000] [--keys 30] [--seed 1] [--no-peer]

Writes a workspace (once per size and seed, under the bench cache): `refs.bib` of real
papers (../shared/corpora, not in the repository) keyed in the styles people use, a third
each: `oepen2019erg` (surname, year, first title word), `Vaswani:2017` (surname and year, a
letter after a taken one) and Better BibTeX's `vaswaniAttentionAllYou2017`; and a `main.tex`
citing from it. Then, for citels (its bundled corpus as the corpus, as a new user has it)
and citation-langserver (installed by bench.py into a virtual environment of its own), both
over LSP stdio: the server started on the workspace and waited for until it completes a
key of the .bib, then `--keys` of its keys (picked at random, seeded) typed one character
at a time inside `\\cite{`, a completion asked at every keystroke. Printed per server: the
share of keystrokes at which the key is among the first five items (as the server orders
them: citels by its sortText, the peer as it lists them), completion p50/p95 in ms, and
citels's p95 as a fraction of the peer's. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]

import big_bib  # noqa: E402

import bench  # noqa: E402
from citels import keys as citels_keys  # noqa: E402
from citels.corpus.json_lines import read_json_lines  # noqa: E402
from citels.papers import Paper  # noqa: E402
from citels.text import words  # noqa: E402

STYLES = ("surname_year_word", "surname_colon_year", "better_bibtex")
PEER = next(peer for peer in bench.PEERS if peer.name == "citation-langserver")
READY_TIMEOUT = 600  # seconds a server may take to list the .bib's keys


def surname(paper: Paper) -> str:
    """The first author's family name as a key has it: ASCII letters."""
    name = citels_keys.last_name(paper.authors[0]) if paper.authors else "anon"
    return "".join(words(name)) or "anon"


def key_for(paper: Paper, style: str) -> str:
    """The paper's key in one of the usual styles (made unique by the caller)."""
    year = str(paper.year or "")
    if style == "surname_year_word":
        first = next((w for w in words(paper.title or "") if w not in citels_keys.SKIP_WORDS),
                     "")
        return f"{surname(paper)}{year}{first}"
    if style == "surname_colon_year":
        return f"{surname(paper).capitalize()}:{year}"
    return citels_keys.base_key(paper)


def write_workspace(folder: Path, entries: int, seed: int) -> list[str]:
    """The workspace's refs.bib and main.tex; the keys in file order."""
    listing = folder / "keys.json"
    if listing.exists():
        return json.loads(listing.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    chooser = random.Random(seed)
    taken: set[str] = set()
    suffixes: dict[str, int] = {}
    keys, lines = [], []
    for number, paper in enumerate(read_json_lines(big_bib.CORPUS, big_bib.CORPUS.name, [])):
        if len(keys) >= entries:
            break
        if not (paper.title and paper.authors and paper.year):
            continue
        base = key_for(paper, chooser.choice(STYLES))
        key = citels_keys.unique_key(base, lambda k: k.lower() in taken, suffixes)
        taken.add(key.lower())
        keys.append(key)
        venue = paper.venue or "Proceedings"
        fields = [f"  title = {{{big_bib.latexed(paper.title, number)}}},",
                  f"  author = {{{' and '.join(paper.authors)}}},",
                  f"  booktitle = {{{venue}}},", f"  year = {{{paper.year}}},"]
        if paper.doi:
            fields.append(f"  doi = {{{paper.doi}}},")
        if paper.abstract and number % 8 == 0:  # a library's abstracts are few
            abstract = re.sub(r"[{}\\]", "", paper.abstract)
            fields.append(f"  abstract = {{{abstract}}},")
        # citation-langserver drops the whole file for a straight double quote in braces.
        lines.append(("@inproceedings{" + key + ",\n" + "\n".join(fields) + "\n}\n")
                     .replace('"', "''"))
    (folder / "refs.bib").write_text("\n".join(lines), encoding="utf-8")
    (folder / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\cite{}\n"
        "\\bibliography{refs}\n\\end{document}\n", encoding="utf-8")
    listing.write_text(json.dumps(keys))
    return keys


def completion_items(response: dict) -> list[dict]:
    """The items of a completion response (a list or a CompletionList)."""
    result = response.get("result") or {}
    return result.get("items", []) if isinstance(result, dict) else result


def inserted_keys(items: list[dict]) -> list[str]:
    """The keys the items insert, in the order the server ranks them (sortText if given)."""
    ranked = sorted(enumerate(items), key=lambda pair: (pair[1].get("sortText") or "", pair[0]))
    return [bench._inserted_key(item) for _, item in ranked]


class Typist:
    """A writer typing keys into `\\cite{` of one open document."""

    def __init__(self, client: bench.PipeClient, folder: Path) -> None:
        self.client = client
        self.uri = (folder / "typing.tex").as_uri()
        self.version = 1
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.uri, "languageId": "latex", "version": 1,
            "text": "\\bibliography{refs}\n\\cite{"}})

    def complete(self, typed: str, timeout: float = 60) -> tuple[list[str], float]:
        """The keys offered for `typed` after `\\cite{`, and the milliseconds it took."""
        self.version += 1
        text = "\\bibliography{refs}\n\\cite{" + typed
        self.client.notify("textDocument/didChange", {
            "textDocument": {"uri": self.uri, "version": self.version},
            "contentChanges": [{"text": text}]})
        started = time.perf_counter()
        response = self.client.request("textDocument/completion", {
            "textDocument": {"uri": self.uri},
            "position": {"line": 1, "character": len("\\cite{") + len(typed)}},
            timeout=timeout)
        return inserted_keys(completion_items(response)), \
            (time.perf_counter() - started) * 1000

    def wait_until_listed(self, key: str) -> float:
        """Seconds until a completion of the whole key lists it."""
        started = time.perf_counter()
        while time.perf_counter() - started < READY_TIMEOUT:
            found, _ = self.complete(key, timeout=READY_TIMEOUT)
            if key in found:
                return time.perf_counter() - started
            time.sleep(0.2)
        raise bench.ServerDied(f"{key} was not listed within {READY_TIMEOUT} s")

    def type_keys(self, keys: list[str]) -> dict:
        """Type each key a character at a time: top-5 share and latencies."""
        latencies, in_top5, timed = [], 0, []
        for key in keys:
            for length in range(1, len(key) + 1):
                found, milliseconds = self.complete(key[:length])
                latencies.append(milliseconds)
                timed.append((milliseconds, key[:length]))
                in_top5 += key in found[:5]
        return {"keystrokes": len(latencies), "key_in_top5": in_top5 / len(latencies),
                "p50_ms": statistics.median(latencies),
                "p95_ms": bench.percentile(latencies, 0.95),
                "slowest": [f"{typed} {ms:.1f}" for ms, typed in sorted(timed)[-8:]]}


def run_citels(folder: Path, typed: list[str], work: Path) -> dict:
    """citels on the workspace (its bundled corpus as the corpus)."""
    client = bench.PipeClient([sys.executable, "-m", "citels", "serve"],
                              dict(os.environ, XDG_CACHE_HOME=str(work / "cache")),
                              work / "citels.log", validate=False)
    try:
        client.request("initialize", {"processId": None, "rootUri": folder.as_uri(),
                                      "capabilities": {}})
        client.notify("initialized", {})
        typist = Typist(client, folder)
        ready = typist.wait_until_listed(typed[-1])
        result = {"ready_s": ready, **typist.type_keys(typed)}
        result["peak_rss_mb"] = bench.peak_rss_mb(client.process.pid)
        return result
    finally:
        client.close()


def run_peer(folder: Path, typed: list[str], work: Path) -> dict:
    """citation-langserver on the workspace's .bib, as bench.py configures it."""
    script = bench.install_peer(PEER)
    client = bench.PipeClient([str(script)], dict(os.environ),
                              work / "citation-langserver.log", validate=False, cwd=folder)
    try:
        client.request("initialize", {"processId": None, "rootUri": folder.as_uri(),
                                      "rootPath": str(folder), "capabilities": {}})
        client.notify("initialized", {})
        client.notify("workspace/didChangeConfiguration", {"settings": {"citation": {
            "bibliographies": [str(folder / "refs.bib")]}}})
        typist = Typist(client, folder)
        ready = typist.wait_until_listed(typed[-1])
        result = {"ready_s": ready, **typist.type_keys(typed)}
        result["peak_rss_mb"] = bench.peak_rss_mb(client.process.pid)
        return result
    finally:
        if client.alive():
            client.process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-peer", action="store_true", help="citels only")
    args = parser.parse_args()
    if not big_bib.CORPUS.exists():
        raise SystemExit(f"{big_bib.CORPUS}: not found (the benchmark needs the shared corpora)")
    folder = bench.CACHE / f"keys-{args.entries}-seed{args.seed}"
    keys = write_workspace(folder, args.entries, args.seed)
    typed = random.Random(args.seed).sample(keys, args.keys)
    work = bench.CACHE / f"keys-work-{args.entries}"
    work.mkdir(parents=True, exist_ok=True)
    gauge = bench.speed_gauge_ms()
    results = {"citels": run_citels(folder, typed, work)}
    print(f"citels: {json.dumps(results['citels'])}", file=sys.stderr)
    if not args.no_peer:
        results[PEER.name] = run_peer(folder, typed, work)
        print(f"{PEER.name}: {json.dumps(results[PEER.name])}", file=sys.stderr)
    print(f"{len(keys)} entries, {len(typed)} keys typed ({sum(map(len, typed))} keystrokes),"
          f" speed gauge {gauge:.0f} → {bench.speed_gauge_ms():.0f} ms")
    print(f"{'server':<22}{'ready (s)':>10}{'key in top 5':>14}{'p50 (ms)':>10}{'p95 (ms)':>10}")
    for name, figures in results.items():
        print(f"{name:<22}{figures['ready_s']:>10.1f}{figures['key_in_top5']:>14.3f}"
              f"{figures['p50_ms']:>10.2f}{figures['p95_ms']:>10.2f}")
    if PEER.name in results:
        ratio = results[PEER.name]["p95_ms"] / results["citels"]["p95_ms"]
        print(f"peer's p95 / citels's p95: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
