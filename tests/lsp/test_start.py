"""What `citels serve` does for a quick start besides the protocol's kept code: citels's own
modules' code kept where Python keeps no bytecode (`lsp/module_code.py`), and the garbage
collector paused until the first completion is answered (`CitelsServer.after_first_completion`).
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import weakref
from pathlib import Path

from citels.lsp.module_code import default_path
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


def test_the_starts_garbage_is_collected_once_the_first_completion_is_answered(
        tmp_path: Path):
    import asyncio

    class Node:
        """One half of a reference cycle: only the collector frees it."""

    async def first_completion_answered(server) -> None:
        server.first_completion.set()
        await server.after_first_completion()

    server = create_server([REPO / "corpus"], tmp_path / "index.sqlite3")
    server.collection_paused = True  # as `citels serve` starts it
    gc.disable()
    try:
        cycle = Node()
        cycle.other = Node()
        cycle.other.other = cycle
        left = weakref.ref(cycle)
        del cycle
        assert left() is not None  # kept while the collector is paused
        asyncio.run(first_completion_answered(server))
        assert left() is None  # collected
        assert gc.isenabled() and server.collection_paused is False
    finally:
        gc.unfreeze()
        gc.enable()
