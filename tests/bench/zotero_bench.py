"""Time reading a 20,000-item Zotero library, and its peak memory, and print the figures.

    PYTHONPATH=server python3 tests/bench/zotero_bench.py [--items 20000] [--keep DIR]

Then the server's own figures: `citels serve` started with the library as its Zotero
source, timed to its first useful completion (an item of the library among the first
five offered), cold (no index of the library yet: it is read and indexed first) and warm
(the index is there), with the server's peak RSS (targets: 1 s warm, 10 s cold, 150 MB).

The library is generated with the test fixture builder (papers of several types, creators,
collections, a group, notes and attachments, in WAL mode with one item still in the WAL
under Zotero's exclusive lock). Each read runs in a fresh process, so its peak RSS is its
own: a full read (what a first index does), and a read with nothing changed since (what a
watcher does each time the file moves).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS), str(TESTS / "fuzz")]

from lsp_pipe import PipeClient  # noqa: E402

from zotero_fixtures import ZoteroBuilder  # noqa: E402

WORDS = ("learning graph neural sparse attention model retrieval citation language protein"
         " energy climate quantum robust efficient scalable bayesian causal optimal transport"
         " vision speech memory agent reasoning kernel diffusion spectral federated").split()
TYPES = ("journalArticle", "journalArticle", "conferencePaper", "preprint", "book",
         "bookSection", "thesis", "report", "webpage")


def generate(directory: Path, count: int) -> Path:
    """A data directory with `count` papers; returns the database's path."""
    rng = random.Random(21)
    builder = ZoteroBuilder(directory / "zotero.sqlite", wal=True, native_keys=True)
    builder.add_library(1, "user")
    builder.add_library(2, "group", "Lab")
    collections = [builder.add_collection(1, f"Topic {n}") for n in range(50)]
    surnames = [f"Author{n}" for n in range(3000)]
    for number in range(count):
        kind = TYPES[number % len(TYPES)]
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 10))).capitalize()
        fields = {"title": f"{title} {number}", "date": f"{rng.randint(1990, 2025)}-00-00",
                  "abstractNote": " ".join(rng.choice(WORDS) for _ in range(120)),
                  "url": f"https://example.org/{number}", "citationKey": f"key{number}"}
        if kind == "journalArticle":
            fields |= {"publicationTitle": "Journal of " + rng.choice(WORDS).title(),
                       "volume": str(rng.randint(1, 80)), "pages": "1-12",
                       "DOI": f"10.1000/{number}"}
        elif kind == "conferencePaper":
            fields["proceedingsTitle"] = "Proceedings of " + rng.choice(WORDS).title()
        creators = [("author", rng.choice(surnames), "A.") for _ in range(rng.randint(1, 6))]
        library = 2 if number % 10 == 0 else 1
        item = builder.add_item(library, kind, fields, creators)
        if library == 1 and number % 3 == 0:
            builder.file(item, rng.choice(collections))
            builder.add_note(1, item, "a note")
            builder.add_attachment(1, item, "Full Text PDF")
    builder.close()
    return directory / "zotero.sqlite"


def measure(database: Path, mode: str) -> dict[str, float]:
    """Run one read in this process (called in a fresh process by `main`)."""
    from citels.corpus.zotero import read_items

    started = time.perf_counter()
    read = read_items(database)
    if mode == "unchanged":
        started = time.perf_counter()
        read = read_items(database, since=read.mark)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {"seconds": round(seconds, 3), "papers": len(read.papers),
            "peak_rss_mb": round(peak_kb / 1024, 1)}


def first_completion(directory: Path, cache: Path, corpus_db: Path, item: int
                     ) -> tuple[float, float, float]:
    """Seconds from starting the server to a completion offering item `item` among the
    first five, the server's peak RSS (MB) then, and the seconds its start alone took
    (to the answer to initialize: what a loaded machine slows most)."""
    title = _title_of(directory / "zotero.sqlite", item)
    started = time.perf_counter()
    client = PipeClient([sys.executable, "-m", "citels", "serve", "--db", str(corpus_db),
                         "--corpus", str(TESTS.parent / "corpus")],
                        {**os.environ, "XDG_CACHE_HOME": str(cache)}, cache / "citels.log",
                        validate=False)
    client.request("initialize", {"processId": None, "rootUri": cache.as_uri(),
                                  "capabilities": {},
                                  "initializationOptions": {
                                      "zotero": {"dataDirectory": str(directory)}}})
    initialized = time.perf_counter() - started
    client.notify("initialized", {})
    uri = (cache / "paper.tex").as_uri()
    query = "\\cite{" + title
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "latex", "version": 1, "text": query}})
    seconds = float("nan")
    while time.perf_counter() - started < 120:
        response = client.request("textDocument/completion", {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": len(query)}},
            timeout=120)
        items = (response.get("result") or {}).get("items") or []
        if any((entry.get("textEdit") or {}).get("newText") == f"key{item}"
               for entry in items[:5]):
            seconds = time.perf_counter() - started
            break
        time.sleep(0.02)
    rss = 0.0
    for line in Path(f"/proc/{client.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            rss = int(line.split()[1]) / 1024
    client.close()
    return seconds, rss, initialized


def _title_of(database: Path, item: int) -> str:
    connection = sqlite3.connect(f"{database.as_uri()}?immutable=1", uri=True)
    (title,) = connection.execute(
        "SELECT v.value FROM itemDataValues v JOIN itemData d ON d.valueID = v.valueID"
        " JOIN fields f ON f.fieldID = d.fieldID WHERE f.fieldName = 'title'"
        " AND v.value LIKE ?", (f"% {item}",)).fetchone()
    connection.close()
    return title


def server_figures(directory: Path, items: int) -> None:
    """Print the server's first completion cold and warm, and its peak RSS."""
    from citels.indexer import index_corpus
    from citels.store import Store

    cache = Path(tempfile.mkdtemp(prefix="citels-zotero-server-"))
    corpus_db = cache / "corpus.sqlite3"
    store = Store(corpus_db)
    index_corpus(store, [TESTS.parent / "corpus"])
    store.close()
    for run in ("cold", "warm", "warm"):
        seconds, rss, start = first_completion(directory, cache, corpus_db, items // 2 + 1)
        print(f"server {run:4}: first completion with a Zotero item {seconds:.2f} s"
              f" (of which starting the server {start:.2f} s), peak RSS {rss:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), args.measure[1])))
        return
    directory = args.keep or Path(tempfile.mkdtemp(prefix="citels-zotero-bench-"))
    database = directory / "zotero.sqlite"
    if not database.exists():
        started = time.perf_counter()
        generate(directory, args.items)
        print(f"generated {args.items} items in {time.perf_counter() - started:.1f} s"
              f" ({database.stat().st_size / 1e6:.1f} MB)")
    zotero = sqlite3.connect(database, isolation_level=None)  # as running Zotero holds it
    zotero.execute("PRAGMA locking_mode=EXCLUSIVE")
    zotero.execute("PRAGMA wal_autocheckpoint=0")
    builder = ZoteroBuilder.on(zotero, database)
    zotero.execute("BEGIN")
    builder.add_item(1, "journalArticle", {"title": "Only in the WAL"}, [])
    zotero.execute("COMMIT")
    for mode in ("full", "full", "unchanged"):
        result = subprocess.run([sys.executable, __file__, "--measure", str(database), mode],
                                capture_output=True, text=True, check=True)
        figures = json.loads(result.stdout)
        print(f"{mode:9} read: {figures['seconds']:.2f} s, {figures['papers']} papers,"
              f" peak RSS {figures['peak_rss_mb']} MB")
    server_figures(directory, args.items)
    zotero.close()


if __name__ == "__main__":
    main()
