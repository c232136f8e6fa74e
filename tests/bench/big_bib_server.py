"""A large workspace .bib in the server, as a writer meets it (issue 17's big libraries).

    PYTHONPATH=server python3 tests/bench/big_bib_server.py /tmp/big.bib [--peer] [--saves 9]

(`big_bib.py 30000 /tmp/big.bib` writes the file.) The server starts on a workspace holding
only that .bib, first with an empty cache (cold), then again on the index it left (warm).
Each time: seconds from the process start until a completion lists one of the file's
papers (one near its start by its title, the last by its key), once cold until the index
run has ended (a
library's first index lists its papers before it writes its people and identifiers), the
peak RSS of the server and of every process it started (told apart), and once
warm, a writer typing titles (every keystroke's latency) and two saves of the file (a new
entry appended, an entry's title changed in the middle, an entry inserted in the middle,
moving the entries below it) timed until a completion finds the change. With --peer,
citation-langserver on the same file: start to its first listing, its keystroke latencies
for key prefixes, its peak RSS. With --saves N, N more saves after those three, each with
its own peak RSS of the server (does it grow from save to save?). Nothing here asserts a
timing.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "fuzz")]

from lsp_pipe import PipeClient  # noqa: E402

from bench import PEERS, install_peer, percentile  # noqa: E402
from citels.indexer import index_corpus  # noqa: E402
from citels.store import Store  # noqa: E402

REPO = HERE.parents[1]
_ENTRY = re.compile(r"@\w+\{([^,\s]+),\s*title = \{([^{}\\]+)\},")


class ProcessWatch:
    """The peak RSS of a process and of each process below it, sampled every 50 ms (a
    child's own high-water mark, VmHWM, is read while it lives)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in [self.pid, *_descendants(self.pid)]:
                peak = _vm_hwm_mb(pid)
                if peak is not None:
                    what = _command(pid)
                    self.peaks[pid] = (what, max(peak, self.peaks.get(pid, ("", 0.0))[1]))
            time.sleep(0.05)

    def report(self) -> dict[str, float]:
        """Peak RSS (MB) by process: the server, then each child by its command."""
        self._stop.set()
        return {("server" if pid == self.pid else f"child {pid}: {what}"): round(mb)
                for pid, (what, mb) in self.peaks.items()}


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _command(pid: int) -> str:
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return "?"
    return " ".join(w for w in words if w)[:60]


def index_run_ended(pid: int, since: float, limit: float = 300) -> float:
    """Seconds from `since` until the server's child `citels index` (if any) has ended."""
    while time.perf_counter() - since < limit:
        if not any("citels index" in _command(child) for child in _descendants(pid)):
            return time.perf_counter() - since
        time.sleep(0.05)
    return float("nan")


def start_server(root: Path, cache: Path, database: Path) -> PipeClient:
    """citels serve on the workspace `root`, its workspace index kept under `cache`."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    client = PipeClient([sys.executable, "-m", "citels", "serve", "--db", str(database),
                         "--corpus", str(REPO / "corpus")], env, root.parent / "citels.log",
                        validate=False)
    client.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                  "workspaceFolders": [{"uri": root.as_uri(), "name": "ws"}],
                                  "capabilities": {}})
    client.notify("initialized", {})
    return client


class Document:
    """A LaTeX document whose one line is `\\cite{` and what the writer types."""

    def __init__(self, client: PipeClient, root: Path, name: str) -> None:
        self.client, self.uri, self.version = client, (root / name).as_uri(), 1
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.uri, "languageId": "latex", "version": 1, "text": ""}})

    def keys_for(self, typed: str, timeout: float = 300) -> list[str]:
        """The keys the first five items insert, for `\\cite{typed`."""
        text = "\\cite{" + typed
        self.version += 1
        self.client.notify("textDocument/didChange", {
            "textDocument": {"uri": self.uri, "version": self.version},
            "contentChanges": [{"text": text}]})
        response = self.client.request("textDocument/completion", {
            "textDocument": {"uri": self.uri}, "position": {"line": 0, "character": len(text)}},
            timeout=timeout)
        result = response.get("result") or {}
        items = result.get("items", []) if isinstance(result, dict) else result
        return [(item.get("textEdit") or {}).get("newText") or item.get("label", "")
                for item in items[:5]]


def seconds_until(find, typed: str, key: str, since: float, limit: float = 300) -> float:
    """Seconds from `since` until completing `typed` offers `key` in its first five."""
    while time.perf_counter() - since < limit:
        if key in find(typed):
            return time.perf_counter() - since
        time.sleep(0.02)
    return float("nan")


def query_of(title: str) -> str:
    return " ".join(title.lower().split()[:4])


def typing(document: Document, probes: list[tuple[str, str]]) -> dict:
    """Type each probe's title one character at a time; latency of every completion."""
    latencies, found = [], 0
    for key, title in probes:
        query = query_of(title)
        for length in range(1, len(query) + 1):
            started = time.perf_counter()
            keys = document.keys_for(query[:length])
            latencies.append((time.perf_counter() - started) * 1000)
        found += key in keys
    return {"completion_p50_ms": round(statistics.median(latencies), 1),
            "completion_p95_ms": round(percentile(latencies, 0.95), 1),
            "keystrokes": len(latencies), "typed_paper_in_top5": f"{found}/{len(probes)}"}


def read(path: Path) -> str:
    # Line ends as they are: an editor does not turn a lone CR into a line break.
    return path.read_bytes().decode("utf-8")


def write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def saves(client: PipeClient, document: Document, bib: Path,
          probes: list[tuple[str, str]]) -> dict:
    """Save the .bib three times: a new entry at its end, an entry's title changed in its
    middle, a new entry in its middle; seconds from each didSave until a completion finds
    the change."""
    result = {}
    uri = bib.as_uri()
    with bib.open("a", encoding="utf-8") as out:
        out.write("\n@article{zebra2099new,\n  title = {Quixotic Zebra Lattices for"
                  " Benchmarks},\n  author = {Ada Newcomer},\n  year = {2099},\n}\n")
    started = time.perf_counter()
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    result["save_new_entry_searchable_s"] = round(
        seconds_until(document.keys_for, "quixotic zebra lattices", "zebra2099new", started), 2)
    key, title = probes[len(probes) // 2]
    text = read(bib)
    write(bib, text.replace(f"{{{title}}}", "{Ornithopter Gearboxes Revisited}", 1))
    started = time.perf_counter()
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    result["save_changed_title_searchable_s"] = round(
        seconds_until(document.keys_for, "ornithopter gearboxes", key, started), 2)
    # An entry inserted in the middle: the half of the file below it moves down 6 lines.
    key, title = probes[len(probes) // 3]
    text = read(bib)
    at = text.index(f"@inproceedings{{{key},")
    write(bib, text[:at] + "@article{yak2098mid,\n  title = {Yodelling Yaks in Spring},"
          "\n  author = {Bo Middle},\n  year = {2098},\n}\n\n" + text[at:])
    started = time.perf_counter()
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    result["save_entry_inserted_mid_file_searchable_s"] = round(
        seconds_until(document.keys_for, "yodelling yaks", "yak2098mid", started), 2)
    return result


def repeated_saves(client: PipeClient, document: Document, bib: Path,
                   probes: list[tuple[str, str]], count: int) -> dict:
    """`count` more saves (an entry appended, a title changed, an entry inserted in the
    middle, in turn): seconds until each is searchable, and the server's peak RSS over each
    (its high-water mark reset before it: Linux's clear_refs), read 1 s after it is found.
    A server that keeps what its saves freed grows from one to the next."""
    pid, uri = client.process.pid, bib.as_uri()
    seconds, peaks = [], []
    for number in range(count):
        word = f"Quux{number}zork"
        data = bib.read_bytes()
        if number % 3 == 0:
            data += (f"\n@article{{new{number},\n  title = {{{word} Lattices}},\n"
                     "  year = {2099},\n}\n").encode()
            typed, key = f"{word.lower()} lattices", f"new{number}"
        elif number % 3 == 1:
            key, _ = probes[(number * 5) % len(probes)]
            at = data.index(b"title = {", data.index(f"{{{key},".encode())) + len(b"title = {")
            data = data[:at] + f"{word} Gearboxes".encode() + data[data.index(b"},", at):]
            typed = f"{word.lower()} gearboxes"
        else:
            at = data.index(b"\n@", len(data) // (2 + number % 5)) + 1
            data = data[:at] + (f"@article{{mid{number},\n  title = {{{word} Yaks}},\n"
                                "  year = {2098},\n}\n\n").encode() + data[at:]
            typed, key = f"{word.lower()} yaks", f"mid{number}"
        bib.write_bytes(data)
        del data
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM from here on
        started = time.perf_counter()
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        seconds.append(round(seconds_until(document.keys_for, typed, key, started), 2))
        time.sleep(1)
        peaks.append(round(_vm_hwm_mb(pid) or 0))
    return {"repeated_saves_searchable_s": seconds, "repeated_saves_peak_rss_mb": peaks}


def run_citels(source: Path, work: Path, more_saves: int = 0) -> dict:
    """Cold start, warm start with typing and saves."""
    database = work / "corpus.sqlite3"
    store = Store(database)
    index_corpus(store, [REPO / "corpus"])  # the bundled corpus: not what is measured
    store.close()
    root, cache = work / "ws", work / "cache"
    root.mkdir()
    bib = root / "refs.bib"
    shutil.copy(source, bib)
    probes = [(k, t) for k, t in _ENTRY.findall(source.read_text(encoding="utf-8"))
              if len(t.split()) >= 4][::997][:12]
    last_key = _ENTRY.findall(source.read_text(encoding="utf-8"))[-1][0]
    results: dict = {}
    for start in ("cold", "warm"):
        started = time.perf_counter()
        client = start_server(root, cache, database)
        watch = ProcessWatch(client.process.pid)
        document = Document(client, root, f"{start}.tex")
        key, title = probes[0]
        results[f"{start}_start_lists_papers_s"] = round(
            seconds_until(document.keys_for, query_of(title), key, started), 2)
        # The file's last entry too, by its key typed but its last character (a key typed
        # whole is a new citation, whose entry the server looks up in the .bib itself).
        results[f"{start}_start_lists_last_key_s"] = round(
            seconds_until(document.keys_for, last_key[:-1], last_key, started), 2)
        if start == "cold":
            # The index run goes on after the papers are listed (people, venues and
            # identifiers, then the blocks for saves): the warm start comes after it ends.
            results["cold_index_run_ended_s"] = round(
                index_run_ended(client.process.pid, started), 2)
        if start == "warm":
            results.update(typing(document, probes))
            results.update(saves(client, document, bib, probes))
            if more_saves:
                results.update(repeated_saves(client, document, bib, probes, more_saves))
        time.sleep(1)  # the index run's last writes, then its memory is read
        results[f"{start}_peak_rss_mb"] = watch.report()
        client.close()
    return results


def run_peer(bib: Path, work: Path) -> dict:
    """citation-langserver on the same .bib: start, key-prefix typing, peak RSS."""
    peer = next(p for p in PEERS if p.name == "citation-langserver")
    script = install_peer(peer)
    root = work / "peer"
    root.mkdir()
    keys = [k for k, _ in _ENTRY.findall(bib.read_text(encoding="utf-8"))][::2999][:10]
    started = time.perf_counter()
    client = PipeClient([str(script)], dict(os.environ), work / "peer.log", validate=False,
                        cwd=root)
    client.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                  "rootPath": str(root), "capabilities": {}}, timeout=300)
    client.notify("initialized", {})
    # It reads its bibliographies only from a pushed configuration.
    client.notify("workspace/didChangeConfiguration",
                  {"settings": {"citation": {"bibliographies": [str(bib)]}}})
    uri, version = (root / "peer.tex").as_uri(), 1
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "latex", "version": 1, "text": ""}})

    def complete(typed: str) -> list[str]:
        nonlocal version
        version += 1
        text = "\\cite{" + typed
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}]})
        response = client.request("textDocument/completion", {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": len(text)}},
            timeout=300)
        result = response.get("result") or {}
        items = result.get("items", []) if isinstance(result, dict) else result
        return [item.get("insertText") or item.get("label", "") for item in items]

    result = {"peer_start_lists_papers_s": round(
        seconds_until(complete, keys[0], keys[0], started, limit=120), 2)}
    latencies = []
    for key in keys:
        for length in range(1, len(key) + 1):
            began = time.perf_counter()
            complete(key[:length])
            latencies.append((time.perf_counter() - began) * 1000)
    result["peer_completion_p95_ms"] = round(percentile(latencies, 0.95), 1)
    result["peer_peak_rss_mb"] = round(_vm_hwm_mb(client.process.pid) or 0)
    client.process.kill()
    return result


def main() -> None:
    bib = Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory(prefix="citels-big-bib-") as folder:
        more = int(sys.argv[sys.argv.index("--saves") + 1]) if "--saves" in sys.argv else 0
        if "--peer-only" not in sys.argv:
            for name, value in run_citels(bib, Path(folder), more).items():
                print(f"{name}: {value}", flush=True)
        if "--peer" in sys.argv or "--peer-only" in sys.argv:
            for name, value in run_peer(bib, Path(folder)).items():
                print(f"{name}: {value}", flush=True)


if __name__ == "__main__":
    main()
