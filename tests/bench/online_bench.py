"""What online lookups cost a writer: `python tests/bench/online_bench.py` drives the real
`citels serve` over stdio with `citels.online` on, its lookups pointed at a loopback server
replaying the recorded responses (tests/online_server.py), and prints:

- completion p50/p95 for ordinary queries with lookups off and on (nothing to look up: the
  setting must cost nothing);
- the first completion after pasting a DOI no index holds, the service answering at once:
  its time, and whether the paper is in that very list;
- the same with a service that takes 5 s: how long the completion waited (bounded at
  1.5 s), and when a later completion first lists the paper;
- a DOI typed a character at a time: how many requests reached the services.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS), str(TESTS / "fuzz")]
from lsp_pipe import PipeClient  # noqa: E402

from citels.indexer import index_corpus  # noqa: E402
from citels.store import Store  # noqa: E402
from online_server import CROSSREF_WORK, Answer, MetadataServer, fixture  # noqa: E402

CORPUS = TESTS.parent / "corpus"
TYPING_SECONDS = 0.15  # between keystrokes: a brisk typist
QUERIES = ["mirror desc", "policy optim", "tulu", "cfg++", "varaince reduced halpern"]


def start(work: Path, metadata: MetadataServer, online: bool) -> PipeClient:
    env = {**os.environ, "XDG_CACHE_HOME": str(work / f"cache-{online}"),
           **metadata.environment()}
    client = PipeClient([sys.executable, "-m", "citels", "serve", "--db",
                         str(work / "index.sqlite3"), "--corpus", str(CORPUS)], env,
                        work / f"citels-{online}.log", validate=False)
    client.request("initialize", {"processId": None, "rootUri": work.as_uri(),
                                  "capabilities": {}, "initializationOptions":
                                  {"online": online}})
    client.notify("initialized", {})
    return client


def complete(client: PipeClient, uri: str, text: str) -> tuple[float, list[str]]:
    """Seconds for one completion at the end of `text` (one line), and the labels."""
    started = time.perf_counter()
    response = client.request("textDocument/completion", {
        "textDocument": {"uri": uri}, "position": {"line": 0, "character": len(text)}})
    labels = [item["label"] for item in (response.get("result") or {}).get("items") or []]
    return time.perf_counter() - started, labels


def typing_ms(client: PipeClient, root: Path) -> list[float]:
    times = []
    uri = (root / "typing.tex").as_uri()
    version = 1
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "latex", "version": 1, "text": ""}})
    for query in QUERIES:
        for end in range(1, len(query) + 1):
            text = "\\cite{" + query[:end]
            version += 1
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}]})
            times.append(complete(client, uri, text)[0] * 1000)
    return times


def open_doc(client: PipeClient, root: Path, name: str, text: str) -> str:
    uri = (root / name).as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "latex", "version": 1, "text": text}})
    return uri


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="citels-online-bench-"))
    store = Store(work / "index.sqlite3")
    index_corpus(store, [CORPUS])
    store.close()
    metadata = MetadataServer()
    metadata.serve_recorded()
    slow = fixture("crossref-work.json").replace(b"10.1234/abcd", b"10.1234/slow")
    metadata.answers["/crossref/works/10.1234/slow"] = Answer(200, slow, delay=5.0)
    title = "Drift of Paper Boats on Slow Rivers: A Field Study"
    for online in (False, True):
        client = start(work, metadata, online)
        # A writer does not cite in the first seconds: the index check (and, with lookups
        # on, the HTTP client's warm-up) are done before the typing is timed.
        time.sleep(3.0)
        times = typing_ms(client, work)
        print(f"lookups {'on ' if online else 'off'}: {len(times)} completions while typing,"
              f" p50 {statistics.median(times):.1f} ms,"
              f" p95 {statistics.quantiles(times, n=20)[18]:.1f} ms")
        if not online:
            client.request("shutdown", None)
            client.notify("exit", None)
            continue
        text = "\\cite{10.1234/abcd"
        seconds, labels = complete(client, open_doc(client, work, "paste.tex", text), text)
        print(f"pasted DOI, service at once: first completion {seconds * 1000:.0f} ms,"
              f" paper in it: {title in labels}, first: {bool(labels) and labels[0] == title}")
        text = "\\cite{10.1234/slow"
        uri = open_doc(client, work, "slow.tex", text)
        started = time.perf_counter()
        seconds, labels = complete(client, uri, text)
        print(f"pasted DOI, service taking 5 s: completion answered in {seconds:.2f} s,"
              f" paper in it: {title in labels}")
        while title not in labels and time.perf_counter() - started < 15:
            time.sleep(0.25)
            labels = complete(client, uri, text)[1]
        print(f"  a later completion lists it {time.perf_counter() - started:.1f} s after"
              f" the paste")
        before = len(metadata.requests)
        typed = "\\cite{10.1234/typedbyhand"
        first = len("\\cite{10.1234/t")
        uri = open_doc(client, work, "typed.tex", "\\cite{")
        pending = []
        for end in range(first, len(typed) + 1):
            # As an editor does: each keystroke's change and completion request sent at
            # once, not waiting for the previous answer.
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": end},
                "contentChanges": [{"text": typed[:end]}]})
            pending.append(client.send_request("textDocument/completion", {
                "textDocument": {"uri": uri}, "position": {"line": 0, "character": end}}))
            time.sleep(TYPING_SECONDS)
        for request_id in pending:
            client.wait_for(request_id, "textDocument/completion", 30)
        time.sleep(1.0)
        asked = metadata.requests[before:]
        print(f"a DOI typed a character at a time, {TYPING_SECONDS * 1000:.0f} ms apart"
              f" ({len(typed) - first + 1} completions): {len(asked)} requests"
              f" ({', '.join(asked)})")
        client.request("shutdown", None)
        client.notify("exit", None)
    assert CROSSREF_WORK in metadata.requests
    metadata.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
