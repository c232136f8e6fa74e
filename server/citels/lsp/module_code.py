"""Keep citels's own modules' compiled code in the user cache where Python keeps none.

Python compiles a module from its source when no .pyc holds its code. An environment that
sets PYTHONDONTWRITEBYTECODE (containers often do; this project's sandbox does) writes none,
so every `citels serve` there compiled citels's ~90 modules again: 60-100 ms of a 0.3 s
start. There, and only there, `citels serve` keeps that code as it keeps the protocol's
(`generated_code.py`): in a file of its own in the user cache, known by a digest of each
module's path and source, written after the first completion when a start compiled
modules anew. A module whose source changed is compiled again (its digest is another);
a .pyc, where Python has one, is still read first. Nothing is written beside the sources.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

import platformdirs

from citels.lsp.generated_code import GeneratedCode

PACKAGE = "citels"


def default_path() -> Path:
    """The cache file in the user cache, one per interpreter (its compiled code's format)."""
    return (Path(platformdirs.user_cache_dir("citels"))
            / f"module-code.{sys.implementation.cache_tag}.marshal")


def wanted() -> bool:
    """Whether Python keeps no compiled modules here: it then compiles at every start."""
    return sys.dont_write_bytecode


class KeptModuleCode(importlib.abc.MetaPathFinder):
    """Finds citels's modules as Python does, and has their source compiled through a
    cache: the file is read when the first module is compiled (never, where .pyc files
    hold them all)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._code: GeneratedCode | None = None

    @property
    def code(self) -> GeneratedCode:
        """The kept code, read from the file on first use."""
        if self._code is None:
            self._code = GeneratedCode(self.path)
        return self._code

    def install(self) -> None:
        """Find citels's modules from now on (before the other finders)."""
        sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        """Python's finders alone again; the kept code is let go once saved."""
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    def save(self) -> None:
        """Write the code of the modules this start compiled, with that of those it found
        kept (when it compiled enough to be worth it); then let it go."""
        if self._code is not None:
            self._code.save()
            self._code = None

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        """Python's own spec for a citels module, with a loader that compiles through the
        cache; None for any other module (the next finder looks)."""
        if not fullname.startswith(PACKAGE + "."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and type(spec.loader) is importlib.machinery.SourceFileLoader:
            spec.loader = _KeptSourceLoader(fullname, spec.loader.path, self)
        return spec


class _KeptSourceLoader(importlib.machinery.SourceFileLoader):
    """Python's source loader, compiling through the cache."""

    def __init__(self, fullname: str, path: str, kept: KeptModuleCode) -> None:
        super().__init__(fullname, path)
        self.kept = kept

    def source_to_code(self, data: Any, path: Any, *, _optimize: int = -1) -> CodeType:
        """The module's code, as the loader compiles it: kept, or compiled and kept."""
        return self.kept.code.compiled(data, path, "exec", 0, _optimize)
