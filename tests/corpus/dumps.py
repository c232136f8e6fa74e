"""Helpers shared by the dump reader tests: the fixtures and compressed copies of them."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path

import zstandard

DUMPS = Path(__file__).resolve().parents[1] / "fixtures" / "dumps"

COMPRESSORS = {
    "gzip": gzip.compress,
    "bzip2": bz2.compress,
    "xz": lzma.compress,
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
}


def compressed_copy(fixture: Path, target: Path, compression: str) -> Path:
    """Write the fixture compressed with `compression` to `target` (any name at all)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(COMPRESSORS[compression](fixture.read_bytes()))
    return target
