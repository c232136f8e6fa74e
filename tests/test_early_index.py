"""`citels serve` reads the client's first message before loading the protocol and starts
a large workspace .bib's first index at once (early_index.py): only for an `initialize` of a
workspace whose .bib files are large, that has no index yet, and whose settings do not turn
the workspace bibliographies off; the bytes read are all handed on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from citels import early_index
from citels.locations import workspace_database


def message(method: str, params: dict) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def workspace(folder: Path, size: int) -> Path:
    folder.mkdir()
    entry = ("@article{{k{n}, title = {{Heron Counts {n} at Dawn}}, year = {{2001}},\n"
             "  abstract = {{" + "We count the herons of a marsh at dawn. " * 15 + "}}}}\n")
    text, n = [], 0
    while sum(map(len, text)) <= size:
        text.append(entry.format(n=n))
        n += 1
    (folder / "library.bib").write_text("".join(text))
    return folder


@pytest.fixture(autouse=True)
def own_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def initialize(root: Path, options: object = None) -> bytes:
    return message("initialize", {"processId": None, "rootUri": root.as_uri(),
                                  "workspaceFolders": [{"uri": root.as_uri(), "name": "ws"}],
                                  "capabilities": {}, "initializationOptions": options})


def test_the_first_message_is_read_whole_and_what_came_after_it_too(tmp_path):
    first = initialize(tmp_path)
    second = message("initialized", {})
    read, write = os.pipe()
    os.write(write, first + second[:10])
    os.close(write)
    assert early_index.read_first_message(read) == first + second[:10]
    os.close(read)


def test_a_large_bib_without_an_index_is_indexed_from_initialize(tmp_path):
    root = workspace(tmp_path / "ws", early_index.CHILD_PROCESS_BYTES)
    early_index.start_for(initialize(root))
    run = early_index.finished(workspace_database([root]))
    assert run is not None
    messages, summary = run.result(timeout=120)
    assert summary.startswith("indexed: ") and messages == []
    assert early_index.finished(workspace_database([root])) is None  # asked once


@pytest.mark.parametrize("case", ["small", "indexed", "setting off", "not initialize",
                                  "not a file URI"])
def test_otherwise_the_start_is_left_as_it_was(tmp_path, case):
    size = 1000 if case == "small" else early_index.CHILD_PROCESS_BYTES
    root = workspace(tmp_path / "ws", size)
    database = workspace_database([root])
    if case == "indexed":
        database.parent.mkdir(parents=True)
        database.write_bytes(b"")
    first = {"setting off": initialize(root, {"citels": {"workspaceBibliographies": False}}),
             "not initialize": message("shutdown", {}),
             "not a file URI": initialize(Path("/"))
             .replace(b'"file:///"', b'"untitled:ws"')}.get(case, initialize(root))
    early_index.start_for(first)
    assert early_index.finished(database) is None
    assert case == "indexed" or not database.exists()


def test_the_bib_files_found_as_the_server_started_are_its_first_look(tmp_path):
    from citels.catalogue import workspace_bib_files

    root = workspace(tmp_path / "ws", 1000)  # small: no run, but its files were looked for
    early_index.start_for(initialize(root))
    assert early_index.bib_files_found([root]) == [root / "library.bib"]
    assert early_index.bib_files_found([root]) is None  # taken once
    early_index.start_for(initialize(root))
    (root / "later.bib").write_text("@misc{x, title = {Later}}\n")
    # The server's first look takes what was found (the folders are gone through once).
    assert workspace_bib_files([root]) == [root / "library.bib"]
    assert workspace_bib_files([root]) == [root / "later.bib", root / "library.bib"]
