"""What `citels serve` does for a quick start besides the protocol's kept code: citels's own
modules' code kept where Python keeps no bytecode (`lsp/module_code.py`), and the garbage
collector's older generations held back until the client is quiet or the first completion
is answered (`CitelsServer.collect_when_quiet`, `after_first_completion`)."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import shutil
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pytest

from citels.cli import OLDER_NEVER, START_YOUNG_THRESHOLD
from citels.lsp.module_code import default_path
from citels.lsp.server import QUIET_S, CitelsServer
from citels.lsp.setup import create_server
from conftest import REPO

# A fresh interpreter importing citels's modules through the cache, as `citels serve` does.
START = """
import json, sys
from citels.lsp.module_code import KeptModuleCode, default_path, wanted
kept = KeptModuleCode(default_path())
kept.install()
from citels import text
from citels.lsp import setup
kept.uninstall()
code = kept.code
result = {"wanted": wanted(), "kept": len(code.kept), "used": len(code.used),
          "made": len(code.made), "folded": text.fold_ascii("Ünïcode"),
          "marker": getattr(text, "MARKER", None)}
kept.save()
print(json.dumps(result))
"""


def start(package_root: Path, cache_home: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(package_root), "XDG_CACHE_HOME": str(cache_home),
           "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", START], capture_output=True, text=True,
                          env=env, check=True)
    return json.loads(done.stdout)


def test_without_bytecode_a_later_start_loads_citels_modules_and_sees_a_changed_one(
        tmp_path: Path):
    package_root = tmp_path / "server"
    shutil.copytree(REPO / "server" / "citels", package_root / "citels",
                    ignore=shutil.ignore_patterns("__pycache__"))
    cache_home = tmp_path / "cache"
    first = start(package_root, cache_home)
    assert first["wanted"] is True and first["kept"] == 0 and first["made"] > 50
    kept_file = cache_home / "citels" / default_path().name
    assert kept_file.exists()
    assert not list(package_root.rglob("__pycache__"))  # nothing written beside the sources

    later = start(package_root, cache_home)
    assert later["made"] == 0 and later["used"] == first["made"]
    assert later["folded"] == first["folded"] == "Unicode"

    # A module edited since is compiled from its new source; the others still come kept.
    text_module = package_root / "citels" / "text.py"
    text_module.write_text(text_module.read_text() + "\nMARKER = 'edited'\n")
    edited = start(package_root, cache_home)
    assert edited["marker"] == "edited" and edited["made"] == 1
    assert edited["used"] == first["made"] - 1


class Node:
    """One half of a reference cycle: only the collector frees it."""


HELD_BACK = (START_YOUNG_THRESHOLD, OLDER_NEVER, OLDER_NEVER)
USUAL = (700, 10, 10)


def held_back_server_with_old_garbage(tmp_path: Path) -> tuple[CitelsServer, weakref.ref]:
    """A server as `citels serve` starts it (only young collections), and a weak reference
    to a cycle that became garbage after a young collection had seen it alive (as the
    start's long-lived objects' garbage does)."""
    server = create_server([REPO / "corpus"], tmp_path / "index.sqlite3")
    server.collector_thresholds = USUAL
    gc.set_threshold(*HELD_BACK)
    cycle = Node()
    cycle.other = Node()
    cycle.other.other = cycle
    gc.collect(0)  # alive: moved to the older generation
    left = weakref.ref(cycle)
    del cycle
    gc.collect(0)  # a young collection does not look at it
    return server, left


def test_the_starts_old_garbage_waits_while_the_client_talks_then_goes_with_the_first_completion(
        tmp_path: Path):
    async def session(server: CitelsServer) -> None:
        server.last_message_at = time.monotonic() + 60  # a client that never stops talking
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(server.collect_when_quiet(), 3 * QUIET_S)
        assert left() is not None and gc.get_threshold() == HELD_BACK  # kept meanwhile
        server.first_completion.set()
        await server.after_first_completion()

    thresholds = gc.get_threshold()
    try:
        server, left = held_back_server_with_old_garbage(tmp_path)
        asyncio.run(session(server))
        assert left() is None  # collected
        assert gc.get_threshold() == USUAL and server.collector_thresholds is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_a_quiet_client_has_the_starts_garbage_collected_before_any_completion(
        tmp_path: Path):
    async def session(server: CitelsServer) -> None:
        server.last_message_at = time.monotonic()  # initialize, just now
        await server.collect_when_quiet()

    thresholds = gc.get_threshold()
    try:
        server, left = held_back_server_with_old_garbage(tmp_path)
        asyncio.run(session(server))
        assert left() is None and gc.get_threshold() == USUAL
        assert not server.first_completion.is_set()
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
