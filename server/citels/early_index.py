"""A large workspace .bib's first index started before the server has loaded its protocol.

On a server's first start (no index, no compiled code kept yet) importing the language
server protocol takes ~0.4 s of CPU before the `initialize` request is read, and only then
was the child `citels index` of a large .bib started: the papers were listed that much
later (docs/performance.md, session 10). So `citels serve` reads the client's first message
itself, and when it is `initialize` for a workspace whose .bib files are large and have no
index yet, it starts that child at once; the message is then handed to the protocol as if
it had just arrived (`lsp/stdio.py`). The server's check of the workspace index waits for
this run (`finished`) instead of starting its own, then checks as usual.

Nothing here imports the protocol; anything unexpected (another first message, a URI that
is not a file, an index that exists) leaves the start as it was.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse

# A workspace's .bib files beyond this many bytes are first read in a child process: a first
# read of a 10 MB .bib took the server from 100 MB to 340 MB, which it kept (lsp/indexing.py,
# docs/performance.md).
CHILD_PROCESS_BYTES = 2_000_000
_HEADER_END = b"\r\n\r\n"
_LONGEST_HEADER = 1 << 16

# database -> the run's (messages, summary), or the error that ended it
_runs: dict[Path, Future[tuple[list[str], str]]] = {}
# workspace roots -> the .bib files found below them here, for the server's first look
_found: dict[tuple[Path, ...], list[Path]] = {}


def loop_can_read(stdin: BinaryIO, stdout: BinaryIO) -> bool:
    """Whether stdin is a pipe or socket of its own: the server's event loop may then make
    it non-blocking without touching stdout (a terminal's stdin and stdout are one file,
    and stdout must stay blocking), and read it from what was read before here."""
    try:
        read, written = os.fstat(stdin.fileno()), os.fstat(stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    own = (read.st_dev, read.st_ino) != (written.st_dev, written.st_ino)
    return own and (stat.S_ISFIFO(read.st_mode) or stat.S_ISSOCK(read.st_mode))


def read_first_message(fd: int) -> bytes:
    """The bytes of the client's first message (and whatever came with it), read from `fd`
    without a buffer of Python's, so nothing is held back from the reader that follows."""
    data = b""
    while _HEADER_END not in data:
        if len(data) > _LONGEST_HEADER:
            return data
        chunk = os.read(fd, 65536)
        if not chunk:
            return data
        data += chunk
    header, _, body = data.partition(_HEADER_END)
    length = _content_length(header)
    while length is not None and len(body) < length:
        chunk = os.read(fd, length - len(body))
        if not chunk:
            break
        body += chunk
        data += chunk
    return data


def _content_length(header: bytes) -> int | None:
    for line in header.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value)
    return None


def start_for(message: bytes) -> None:
    """Start the first index of the workspace's large .bib files, if `message` is the
    `initialize` request of a workspace that needs one (never raises)."""
    try:
        _start_for(message)
    except Exception:  # the server's own check does it then, as before
        return


def _start_for(message: bytes) -> None:
    header, _, body = message.partition(_HEADER_END)
    length = _content_length(header)
    if length is None or len(body) < length:
        return
    request = json.loads(body[:length])
    if not isinstance(request, dict) or request.get("method") != "initialize":
        return
    params = request.get("params") or {}
    roots = _roots(params)
    if not roots or not _workspace_bibliographies_on(params.get("initializationOptions")):
        return
    from citels.locations import workspace_database

    database = workspace_database(roots)
    if database.exists():
        return  # indexed before: the server checks it as usual
    from citels.workspace import MAX_WORKSPACE_BIB_FILES, workspace_files

    files = workspace_files(roots, (".bib",), MAX_WORKSPACE_BIB_FILES)
    _found[tuple(roots)] = files  # the server's first look takes them (bib_files_found)
    if sum(path.stat().st_size for path in files) <= CHILD_PROCESS_BYTES:
        return
    from citels.store.connection import Database

    # Made and opened here first, and kept open until the run ends, as the server's own
    # store would be: the run then keeps the write-ahead log, so the server's completions
    # read the index while it is written (a run alone with the index leaves it for a
    # rollback journal, which would lock the server out until it commits).
    held = Database(database)
    process = subprocess.Popen(
        [sys.executable, "-m", "citels", "index", "--db", str(database), *map(str, files)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    outcome: Future[tuple[list[str], str]] = Future()
    _runs[database] = outcome

    def wait() -> None:
        # Its warnings are read as they come (a full pipe would stop the run), its end
        # told to whoever waits.
        try:
            _, errors = process.communicate()
            lines = errors.decode("utf-8", "replace").splitlines()
            if process.returncode != 0 or not lines:
                raise RuntimeError(lines[-1] if lines
                                   else f"citels index exited {process.returncode}")
            outcome.set_result(([line.removeprefix("warning: ") for line in lines[:-1]],
                                lines[-1]))
        except Exception as error:
            outcome.set_exception(error)
        finally:
            held.close()

    threading.Thread(target=wait, name="citels-early-index", daemon=True).start()


def _roots(params: dict[str, Any]) -> list[Path]:
    """The workspace folders of `initialize`'s params, as the server takes them (the
    folders, else the root URI or path); none when one is not a local file URI."""
    folders = params.get("workspaceFolders") or []
    uris = [folder.get("uri") for folder in folders if isinstance(folder, dict)]
    if not uris and params.get("rootUri"):
        uris = [params["rootUri"]]
    if uris:
        paths = [_local_path(uri) for uri in uris]
        return [] if None in paths else [path for path in paths if path is not None]
    root = params.get("rootPath")
    return [Path(root)] if isinstance(root, str) and root else []


def _local_path(uri: Any) -> Path | None:
    if not isinstance(uri, str):
        return None
    parsed = urlparse(uri)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost") or os.name == "nt":
        return None  # what pygls makes of it is the server's to decide
    return Path(unquote(parsed.path))


def _workspace_bibliographies_on(options: Any) -> bool:
    from citels.config import parse_settings

    config, _ = parse_settings(options)
    return config.workspace_bibliographies


def finished(database: Path) -> Future[tuple[list[str], str]] | None:
    """The run started early for `database`, if one was (its messages and summary once it
    ends); asked once: the server's later checks are its own."""
    return _runs.pop(database, None)


def under_way(database: Path) -> Future[tuple[list[str], str]] | None:
    """The run started early for `database`, if one was, left for `finished` to take."""
    return _runs.get(database)


def bib_files_found(roots: Sequence[Path]) -> list[Path] | None:
    """The .bib files found below these workspace roots as the server started, if it looked
    (a workspace with no index yet): taken once, by the server's first look at its
    workspace, instead of going through its folders a second time (10-40 ms)."""
    return _found.pop(tuple(roots), None)
