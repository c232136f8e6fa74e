"""How a paper is stored: its JSON without the fields it does not have, compressed.

A paper's abstract is most of its bytes, and most of an index's (issue 20: 4.1 KB a paper
before, the target 2 KB). Each paper is compressed on its own, so any one can be read
without the others; a paper alone is too short for a compressor to find much to reuse, so
it starts from a dictionary of common words (`packing_words.py`), which zstd does in about
13 µs a paper against zlib's 80 (zlib sets the dictionary up again for every paper).

A paper's title is not packed: the papers table has it as a column (records keep
theirs). A packed paper starts with a version byte, so that a later citels can
pack differently and still read what is stored.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import zstandard

from citels.papers import Paper
from citels.store.packing_words import FIELD_NAMES, WORDS

VERSION = b"\x01"
_LEVEL = 3  # higher levels save a few percent for twice the time


def _dictionary() -> zstandard.ZstdCompressionDict:
    words = " ".join(WORDS.split()) + " " + FIELD_NAMES
    dictionary = zstandard.ZstdCompressionDict(words.encode("utf-8"),
                                               dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    dictionary.precompute_compress(level=_LEVEL)
    return dictionary


_DICTIONARY = _dictionary()  # read only: shared by every thread's contexts
# A zstd context serves one thread at a time, and the server indexes in worker threads
# while it answers: each thread has its own.
_contexts = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    if not hasattr(_contexts, "compressor"):
        _contexts.compressor = zstandard.ZstdCompressor(
            level=_LEVEL, dict_data=_DICTIONARY, write_checksum=False, write_dict_id=False)
    return _contexts.compressor


def _decompressor() -> zstandard.ZstdDecompressor:
    if not hasattr(_contexts, "decompressor"):
        _contexts.decompressor = zstandard.ZstdDecompressor(dict_data=_DICTIONARY)
    return _contexts.decompressor


def pack(text: str) -> bytes:
    """A paper's stored JSON (`merge.stored_json`), compressed."""
    return VERSION + _compressor().compress(text.encode("utf-8"))


def unpack(data: bytes, title: str | None = None) -> Paper:
    """The paper `pack` stored; a paper's row gives its title (a record's JSON has it)."""
    values = unpack_values(data)
    if title is not None:
        values["title"] = title
    return Paper.from_dict(values)


def unpack_values(data: bytes) -> dict[str, Any]:
    """The stored JSON's values (only those the paper has)."""
    if data[:1] != VERSION:
        raise ValueError(f"a paper packed by a newer citels (version {data[:1]!r})")
    return json.loads(_decompressor().decompress(data[1:]))
