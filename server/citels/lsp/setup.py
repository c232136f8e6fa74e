"""Build a citels server with every feature registered, and run it.

Kept apart from `server.py` so the feature modules can import the server class while this
module imports them all: no module imports back the one that imports it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from citels.lsp import (
    auto_add,
    bibliography,
    completion,
    diagnostics,
    hover,
    lifecycle,
    navigation,
    tidy,
)
from citels.lsp.server import CitelsServer
from citels.lsp.stdio import serve_stdio

if TYPE_CHECKING:
    from citels.lsp.server import KeptCode

# Each module lists its handlers: FEATURES as (method, options, handler), COMMANDS as
# (name, handler).
FEATURE_MODULES = (lifecycle, completion, hover, bibliography, diagnostics, navigation, tidy,
                   auto_add)


def create_server(corpus: list[Path] | None = None,
                  database: Path | None = None) -> CitelsServer:
    """A server with every feature registered (tests build one in-process from this)."""
    server = CitelsServer(corpus, database)
    for module in FEATURE_MODULES:
        for method, options, handler in getattr(module, "FEATURES", ()):
            server.feature(method, options)(handler)
        for name, command in getattr(module, "COMMANDS", ()):
            server.command(name)(command)
    return server


def run(corpus: list[Path] | None = None, database: Path | None = None,
        tcp: str | None = None, kept_code: Sequence[KeptCode] = (),
        collector_thresholds: tuple[int, int, int] | None = None,
        first_message: bytes = b"") -> int:
    """Serve on stdio (or on TCP, for debugging) until the client says exit.

    `kept_code`, the compiled code caches installed before the protocol was imported, are
    uninstalled and saved once the first completion is answered (with the code of the
    later warm-up); `collector_thresholds`, when the garbage collector's older generations
    were held back for the start, are its thresholds once the start's garbage is
    collected; `first_message`, what was read from stdin before (`early_index.py`)."""
    # Editors show the server's stderr as errors (Neovim logs every line as [ERROR]): only real
    # errors go there; the rest reaches the client as window/logMessage.
    logging.basicConfig(stream=sys.stderr, level=logging.ERROR,
                        format="citels %(levelname)s: %(message)s")
    server = create_server(corpus, database)
    server.kept_code = list(kept_code)
    server.collector_thresholds = collector_thresholds
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        serve_stdio(server, first_message)
    return 0
