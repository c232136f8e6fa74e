"""Prepare the message converter for the requests a writer sends while typing.

lsprotocol's converter (cattrs) builds the code that reads and writes a message type the
first time it meets that type, which costs milliseconds per type: the first completion,
resolve and hover would each be slow. One sample of each, converted once, moves that cost
to where nobody is waiting: the completion's at start-up, the others' once the first
completion is answered (they took a tenth of the way to it).
"""

from __future__ import annotations

import gc
from typing import Any

from cattrs import Converter
from lsprotocol import types
from pygls.protocol import default_converter

from citels.render import readable

_RANGE = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}
_ITEM = {
    "label": "t", "kind": 18, "detail": "d", "sortText": "0", "filterText": "t",
    "labelDetails": {"description": "d"}, "data": {"key": "k", "uri": "file:///t.tex"},
    "textEdit": {"range": _RANGE, "newText": "k"},
    "command": {"title": "t", "command": "citels.insertBibtex", "arguments": ["k"]},
    "documentation": {"kind": "markdown", "value": "v"},
}
_DOCUMENT = {"uri": "file:///t.tex"}
# (method, params as a client sends them, result as the server answers)
Samples = list[tuple[str, Any, Any]]
FIRST_SAMPLES: Samples = [
    ("textDocument/completion",
     {"textDocument": _DOCUMENT, "position": {"line": 0, "character": 1}},
     {"isIncomplete": True, "items": [_ITEM]}),
]
LATER_SAMPLES: Samples = [
    ("completionItem/resolve", _ITEM, _ITEM),
    ("textDocument/hover",
     {"textDocument": _DOCUMENT, "position": {"line": 0, "character": 1}},
     {"contents": {"kind": "markdown", "value": "v"}, "range": _RANGE}),
    ("textDocument/didChange",
     {"textDocument": {**_DOCUMENT, "version": 2}, "contentChanges": [{"text": "t"}]}, None),
]


def warmed_converter() -> Converter:
    """pygls's converter, having met the completion's message types once."""
    converter = default_converter()
    warm_up(converter, FIRST_SAMPLES)
    return converter


def warm_up(converter: Converter, samples: Samples) -> None:
    """Convert each sample's message types, both ways."""
    for method, params, result in samples:
        message_type, response_type, *_ = types.METHOD_TO_TYPES[method]
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if response_type is not None:
            message["id"] = 1
            response = converter.structure({"jsonrpc": "2.0", "id": 1, "result": result},
                                           response_type)
            converter.unstructure(response)
        converter.unstructure(converter.structure(message, message_type))


def warm_rendering() -> None:
    """Load what showing an abstract uses (pylatexenc), which start-up leaves out: run once
    the start-up index check is done, so the first resolve or hover does not wait for it.
    Then the start's objects are put out of the garbage collector's way (once)."""
    global _frozen
    readable("warming up: $x^{2}$ and {\\em emphasis}")
    if not _frozen:
        _frozen = True
        # Modules, the protocol's types, the converter's code: they live as long as the
        # server, and the first full collection went through them all, at a keystroke soon
        # after the start (65 ms; docs/performance.md). Frozen, no collection reads them.
        gc.freeze()


_frozen = False


def collect_start_garbage(thresholds: tuple[int, int, int]) -> None:
    """Collect what the start left as garbage, freeze what lives on (modules, the
    protocol's types, the converter's code: later collections need not read them again),
    and give the collector these thresholds (`citels serve` holds its older generations
    back for the start)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
