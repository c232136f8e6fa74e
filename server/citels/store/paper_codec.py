"""A paper as bytes that are quick to make and to read back: a first index's scratch
records (`spill.py`) and the papers its helper process is sent (`bulk.py`).

`pickle` spent 35 µs a paper on this (most of it making the dataclasses again), which at
three million papers is minutes of the index run's own process; `marshal` of the fields'
plain values, the paper rebuilt without its `__init__`, takes a quarter of that
(docs/performance.md). A paper holding a value `marshal` cannot write (none of the readers
make one) is pickled, so any paper goes through.
"""

from __future__ import annotations

import marshal
import pickle
from operator import attrgetter

from citels.papers import FIELD_NAMES, Paper, Source

_SOURCES = FIELD_NAMES.index("sources")
_VALUES = attrgetter(*FIELD_NAMES)
_MARSHALLED = b"m"
_PICKLED = b"p"


def encode(paper: Paper) -> bytes:
    """The paper as bytes for `decode`."""
    values = list(_VALUES(paper))
    values[_SOURCES] = [(source.path, source.line) for source in paper.sources]
    try:
        return _MARSHALLED + marshal.dumps(tuple(values))
    except ValueError:  # a value of a type marshal does not know
        return _PICKLED + pickle.dumps(paper, protocol=pickle.HIGHEST_PROTOCOL)


def decode(data: bytes) -> Paper:
    """The paper `encode` made these bytes from (a copy: nothing is shared with others)."""
    if data[:1] == _PICKLED:
        paper: Paper = pickle.loads(data[1:])
        return paper
    values = marshal.loads(memoryview(data)[1:])
    paper = Paper.__new__(Paper)
    state = dict(zip(FIELD_NAMES, values, strict=True))
    state["sources"] = [Source(path, line) for path, line in state["sources"]]
    paper.__dict__.update(state)
    return paper
