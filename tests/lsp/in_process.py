"""The real server built in this process (`create_server`), talking to pytest-lsp's client
over a pair of in-memory pipes: no child process, and the server's state can be looked at."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from lsp_editor import Editor
from lsprotocol import types
from pygls.io_ import run_async
from pytest_lsp import client_capabilities, make_test_lsp_client

from citels.lsp.indexing import indexes_ready
from citels.lsp.server import CitelsServer
from citels.lsp.setup import create_server


class MemoryPipe:
    """Bytes one side writes and the other reads, as an asyncio stream."""

    def __init__(self) -> None:
        self.reader = asyncio.StreamReader()

    def write(self, data: bytes) -> None:
        self.reader.feed_data(data)

    def close(self) -> None:
        self.reader.feed_eof()


@asynccontextmanager
async def serve_in_process(root: Path, corpus: Path, database: Path,
                           client: str = "visual-studio-code"
                           ) -> AsyncIterator[tuple[Editor, CitelsServer]]:
    """An initialized session with a server built in-process, on the workspace `root`."""
    server = create_server([corpus], database)
    lsp_client = make_test_lsp_client()
    to_server, to_client = MemoryPipe(), MemoryPipe()
    server.protocol.set_writer(to_client)
    lsp_client.protocol.set_writer(to_server)
    server_stop, client_stop = threading.Event(), threading.Event()
    loops = [asyncio.create_task(run_async(stop_event=server_stop, reader=to_server.reader,
                                           protocol=server.protocol)),
             asyncio.create_task(run_async(stop_event=client_stop, reader=to_client.reader,
                                           protocol=lsp_client.protocol))]
    editor = Editor(lsp_client, root)
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(client), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")]))
    try:
        yield editor, server
    finally:
        # The index checks finish while the client still answers their progress requests
        # (one waiting for a first completion that never came would begin after it left).
        await indexes_ready(server)
        # shutdown, but no exit: exit ends the process the server runs in, here pytest's.
        await lsp_client.shutdown_async(None)
        server_stop.set()
        client_stop.set()
        to_server.close()
        to_client.close()
        await asyncio.gather(*loops)
        await asyncio.gather(*server.indexing, return_exceptions=True)
        server.catalogue.close()
