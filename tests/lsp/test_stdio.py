"""The server's stdin as editors give it: a pipe (VS Code, Emacs), a socket (Neovim's libuv
makes socket pairs), and as a person might: a file of messages replayed. Each is answered,
and the server stops when stdin closes, so a crashed editor leaves no server behind."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import DATABASE, REPO

from citels.lsp.stdio import loop_can_read

SERVE = [sys.executable, "-m", "citels", "serve", "--db", str(DATABASE),
         "--corpus", str(REPO / "corpus")]


def _framed(*messages: dict) -> bytes:
    """Messages as an LSP client writes them: a Content-Length header, a blank line, JSON."""
    out = b""
    for message in messages:
        body = json.dumps(message).encode()
        out += b"Content-Length: %d\r\n\r\n" % len(body) + body
    return out


def _responses(output: bytes) -> dict[int, dict]:
    """The responses in the server's output, by request id."""
    found = {}
    while output:
        header, _, rest = output.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in header.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        message = json.loads(rest[:length])
        output = rest[length:]
        if "id" in message and "method" not in message:
            found[message["id"]] = message
    return found


def _session(root: Path) -> bytes:
    """Initialize, open a LaTeX file, ask for papers in a citation."""
    uri = (root / "paper.tex").as_uri()
    text = "\\cite{mirror descent policy optimization"
    return _framed(
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "latex", "version": 1, "text": text}}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/completion", "params": {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": len(text)}}})


SHUTDOWN = _framed({"jsonrpc": "2.0", "id": 3, "method": "shutdown", "params": None})
EXIT = _framed({"jsonrpc": "2.0", "method": "exit", "params": None})


def _check_answered(output: bytes) -> dict[int, dict]:
    responses = _responses(output)
    assert responses[1]["result"]["capabilities"]["completionProvider"]
    keys = [item["textEdit"]["newText"] for item in responses[2]["result"]["items"]]
    assert "mirrorDescentPolicy2020" in keys[:3]
    return responses


def _environment(root: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(root / "cache")}


def _until_shut_down(server: subprocess.Popen, send, session: bytes) -> bytes:
    """Send the session and shutdown, read until shutdown is answered, then send exit (as
    an editor does: exit before that answer stops a server with code 1)."""
    send(session + SHUTDOWN)
    output = b""
    while 3 not in _responses_so_far(output):
        chunk = os.read(server.stdout.fileno(), 65536)
        assert chunk, "the server closed its output before answering shutdown"
        output += chunk
    send(EXIT)
    rest, _ = server.communicate(timeout=120)
    return output + rest


def _responses_so_far(output: bytes) -> dict[int, dict]:
    """The responses of the complete messages in `output`."""
    complete = b""
    while True:
        header, separator, rest = output.partition(b"\r\n\r\n")
        if not separator:
            break
        length = next(int(line.split(b":")[1]) for line in header.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        if len(rest) < length:
            break
        complete += header + separator + rest[:length]
        output = rest[length:]
    return _responses(complete)


def test_a_session_over_a_pipe_is_answered_and_exit_stops_the_server(tmp_path):
    server = subprocess.Popen(SERVE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=_environment(tmp_path))

    def send(data: bytes) -> None:
        server.stdin.write(data)
        server.stdin.flush()

    output = _until_shut_down(server, send, _session(tmp_path))
    assert server.returncode == 0, server.stderr.read().decode()
    assert _check_answered(output)[3]["result"] is None


def test_a_session_over_a_socket_is_answered(tmp_path):
    ours, theirs = socket.socketpair()
    with ours, theirs:
        server = subprocess.Popen(SERVE, stdin=theirs.fileno(), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=_environment(tmp_path))
        output = _until_shut_down(server, ours.sendall, _session(tmp_path))
    assert server.returncode == 0, server.stderr.read().decode()
    assert _check_answered(output)[3]["result"] is None


def test_a_session_replayed_from_a_file_is_answered_and_its_end_stops_the_server(tmp_path):
    messages = tmp_path / "session.lsp"
    messages.write_bytes(_session(tmp_path))
    with messages.open("rb") as stdin:
        done = subprocess.run(SERVE, stdin=stdin, capture_output=True, timeout=120,
                              env=_environment(tmp_path))
    assert done.returncode == 0, done.stderr.decode()
    _check_answered(done.stdout)


def test_the_server_stops_when_the_editor_closes_its_stdin_without_exit(tmp_path):
    # The pipe closes after the session, as when an editor crashes: the server must not
    # wait for more forever.
    done = subprocess.run(SERVE, input=_session(tmp_path), capture_output=True, timeout=120,
                          env=_environment(tmp_path))
    _check_answered(done.stdout)


def test_the_loop_reads_stdin_only_when_it_is_a_pipe_or_socket_of_its_own():
    stdin_read, stdin_write = os.pipe()
    stdout_read, stdout_write = os.pipe()
    ours, theirs = socket.socketpair()
    with tempfile.TemporaryFile() as a_file, os.fdopen(stdin_read, "rb") as pipe_in, \
            os.fdopen(stdout_write, "wb") as pipe_out, ours, theirs:
        os.close(stdin_write)
        os.close(stdout_read)
        assert loop_can_read(pipe_in, pipe_out)
        socket_in = os.fdopen(os.dup(theirs.fileno()), "rb")
        with socket_in:
            assert loop_can_read(socket_in, pipe_out)
            # One socket for both ways (as a terminal is one file): making it non-blocking
            # for reading would make writes fail, so pygls's reader thread is kept.
            assert not loop_can_read(socket_in, socket_in)
        assert not loop_can_read(a_file, pipe_out)
