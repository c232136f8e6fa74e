"""Serving on stdio with the client's messages read by the event loop itself.

pygls reads stdin in a thread pool, one call per line: three hand-overs between threads for
every message (header, blank line, body), six for a keystroke's didChange and completion.
Each is a wake-up of another thread and a wait for the GIL, which on a busy machine costs
milliseconds. When stdin is a pipe or a socket, as editors start a language server, the
event loop can wait on it directly (`loop.connect_read_pipe`); the messages then go through
pygls's own loop (`pygls.io_.run_async`) exactly as before. Anything else (a terminal, a
file) keeps pygls's reader.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from threading import Event

from pygls.io_ import StdoutWriter, run_async
from pygls.lsp.server import LanguageServer

from citels.early_index import loop_can_read

log = logging.getLogger("citels")
# A message's header lines are short; a body is read by length, not by line.
_LINE_LIMIT = 1 << 16


class _LoopReader:
    """pygls's reader interface (readline, readexactly) over an asyncio stream; it tells
    the server when the client last sent something (`last_message_at`)."""

    def __init__(self, stream: asyncio.StreamReader, server: LanguageServer) -> None:
        self.stream = stream
        self.server = server

    async def readline(self) -> bytes:
        """The next line, b"" once the client has closed stdin."""
        try:
            line = await self.stream.readline()
        except ValueError:  # a line longer than the limit: no header of ours; drop it
            return b"\r\n"
        self.server.last_message_at = time.monotonic()
        return line

    async def readexactly(self, length: int) -> bytes:
        """`length` bytes, or what was left when the client closed stdin."""
        try:
            return await self.stream.readexactly(length)
        except asyncio.IncompleteReadError as error:
            return error.partial


def serve_stdio(server: LanguageServer, first_message: bytes = b"") -> None:
    """Serve on stdin/stdout until the client says exit (or closes stdin); `first_message`
    is what was read from stdin before (only where the loop reads it itself)."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    if not loop_can_read(stdin, stdout):
        assert not first_message, "stdin is read ahead only where the loop reads it"
        server.start_io()
        return
    # pygls's shutdown() sets this event and the message loop stops at it, as in start_io.
    server._stop_event = stop_event = Event()
    server.protocol.set_writer(StdoutWriter(stdout))

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        stream = asyncio.StreamReader(limit=_LINE_LIMIT)
        if first_message:
            stream.feed_data(first_message)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), stdin)
        await run_async(stop_event=stop_event, reader=_LoopReader(stream, server),
                        protocol=server.protocol, logger=log,
                        error_handler=server.report_server_error)

    try:
        asyncio.run(serve())
    except BrokenPipeError:
        log.error("the connection to the client is lost: stopping")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()

