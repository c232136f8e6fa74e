"""Keep the code attrs, cattrs and dataclasses generate from one start to the next.

lsprotocol defines about 570 attrs classes: attrs writes each one's methods as Python source
and compiles it as the class is made, and cattrs does the same for each message type's
converter functions. Compiling that source was half of importing lsprotocol's types, a
quarter of a start; the 40 dataclasses a start makes (citels's own, pygls's) cost another
15-30 ms the same way, and resolving lsprotocol's string annotations compiles each one.
The source, and so the code, is the same at every start of the same versions: as Python
keeps a module's bytecode in a .pyc, the compiled code is kept in one file in the user
cache, known by a digest of what was compiled (source, file name, mode, flags), and loaded
instead of compiled. Source never seen before is compiled as usual.

The generating modules call the builtin `compile` (or `exec`) by name: a module-level
function of that name in their namespace is found first, so the cache reaches them alone,
and only while installed.
"""

from __future__ import annotations
import __future__

import builtins
import hashlib
import importlib.util
import logging
import marshal
import os
import stat
import sys
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

import platformdirs

log = logging.getLogger("citels")

# Each module that compiles generated source, and the builtin it calls to do so.
GENERATING_MODULES = {
    "attr._make": "compile", "cattrs.gen": "compile", "cattrs.gen.typeddicts": "compile",
    "dataclasses": "exec",  # a dataclass's __init__, __repr__, __eq__...
    "typing": "compile",  # a string annotation, as lsprotocol's converter resolves them
}
# A start that compiled fewer pieces anew leaves the file as it is: a frozen attrs class's
# __hash__ carries a salt that changes from process to process (cattrs has one such class),
# so its code is never found, and the file would be written again at every start.
WORTH_SAVING = 10
# Compiled code is Python's own format: kept per interpreter, checked like a .pyc's header.
HEADER = importlib.util.MAGIC_NUMBER
# The compiler flags a caller's `from __future__` imports pass on to what it compiles (the
# two oldest features' flags mean nothing now, and one of them marks every nested function).
FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    if _name not in ("nested_scopes", "generators"):
        FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag


def default_path() -> Path:
    """The cache file in the user cache, one per interpreter (its compiled code's format)."""
    return (Path(platformdirs.user_cache_dir("citels"))
            / f"protocol-code.{sys.implementation.cache_tag}.marshal")


class GeneratedCode:
    """Compiled code of generated source, by digest: what the file held, what this start
    used and what it compiled anew."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kept: dict[bytes, CodeType] = _read(path)
        self.used: dict[bytes, CodeType] = {}  # kept code this start asked for
        self.made: dict[bytes, CodeType] = {}  # code compiled here: not in the file yet
        self.patched: list[tuple[ModuleType, str]] = []

    def install(self) -> None:
        """Make the generating modules compile through the cache (importing them)."""
        for name, builtin in GENERATING_MODULES.items():
            try:
                module = importlib.import_module(name)
            except ImportError:  # another version of attrs or cattrs: nothing to cache there
                continue
            setattr(module, builtin, getattr(self, builtin))
            self.patched.append((module, builtin))

    def uninstall(self) -> None:
        """The generating modules compile with the builtin again; the kept code is let go."""
        for module, builtin in self.patched:
            if vars(module).get(builtin) == getattr(self, builtin):
                delattr(module, builtin)
        self.patched = []
        self.kept = {}

    def compile(self, source: Any, filename: str, mode: str, flags: int = 0,
                dont_inherit: bool = False, optimize: int = -1) -> CodeType:
        """What the builtin `compile` gives, called from the generating module's code."""
        if not dont_inherit:  # as the builtin does: the caller's `from __future__` imports
            flags |= sys._getframe(1).f_code.co_flags & FUTURE_FLAGS
        return self.compiled(source, filename, mode, flags, optimize)

    def exec(self, source: Any, globals: dict | None = None, locals: Any = None, /,
             **options: Any) -> None:
        """What the builtin `exec` does, called from the generating module's code."""
        caller = sys._getframe(1)
        if isinstance(source, str):  # compiled as the builtin would: "<string>", the
            # caller's `from __future__` imports
            source = self.compiled(source, "<string>", "exec",
                                   caller.f_code.co_flags & FUTURE_FLAGS, -1)
        if globals is None:  # as the builtin: the caller's namespaces
            globals, locals = caller.f_globals, caller.f_locals if locals is None else locals
        builtins.exec(source, globals, locals, **options)

    def compiled(self, source: Any, filename: str, mode: str, flags: int,
                 optimize: int) -> CodeType:
        """The code `compile` gives for source text (str or bytes) with these flags,
        inherited ones included; the kept code when there is some."""
        # -1 is the interpreter's level (python -O): code compiled at another is other code.
        level = sys.flags.optimize if optimize == -1 else optimize
        if isinstance(source, str):
            text = f"{mode}\0{flags}\0{level}\0{filename}\0{source}".encode()
        elif isinstance(source, bytes):  # a module's source file, its encoding declared
            text = f"{mode}\0{flags}\0{level}\0{filename}\1".encode() + source
        else:  # an AST, or a buffer: nothing to know it by
            return builtins.compile(source, filename, mode, flags, True, optimize)
        digest = hashlib.blake2b(text, digest_size=16).digest()
        code = self.kept.get(digest)
        if code is not None:
            self.used[digest] = code
            return code
        code = self.made.get(digest)  # the same source twice in a start
        if code is not None:
            return code
        code = builtins.compile(source, filename, mode, flags, True, optimize)
        self.made[digest] = code
        return code

    def save(self) -> None:
        """Write what this start used and made, if it made enough to be worth it: code that
        no start asks for any more (attrs or cattrs upgraded) leaves the file. Written beside,
        renamed over."""
        if len(self.made) < WORTH_SAVING:
            return
        data = HEADER + marshal.dumps({**self.used, **self.made})
        scratch = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Writable by this user alone whatever the umask, or the next start refuses it.
            descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            with open(descriptor, "wb") as file:
                file.write(data)
            os.replace(scratch, self.path)
        except OSError as error:  # no cache then; the next start compiles again
            log.info("cannot keep the protocol's compiled code in %s: %s", self.path, error)
            scratch.unlink(missing_ok=True)
            return
        self.made = {}


def _read(path: Path) -> dict[bytes, CodeType]:
    """The file's code by digest; nothing when it is missing, from another Python, broken,
    or writable by someone else (code from it runs in the server)."""
    try:
        with path.open("rb") as file:
            if not _only_ours(os.fstat(file.fileno())):
                return {}
            data = file.read()
    except OSError:
        return {}
    if not data.startswith(HEADER):
        return {}
    try:
        kept = marshal.loads(memoryview(data)[len(HEADER):])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(kept, dict):
        return {}
    return {digest: code for digest, code in kept.items()
            if isinstance(digest, bytes) and isinstance(code, CodeType)}


def _only_ours(status: os.stat_result) -> bool:
    """Whether only this user could have written the file (where the system says)."""
    if not hasattr(os, "getuid"):
        return True
    return status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
