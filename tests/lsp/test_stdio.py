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
    """Initialize, open a LaTeX file, ask for papers in a citation, shut down, exit."""
    uri = (root / "paper.tex").as_uri()
    text = "\\cite{mirror descent policy optimization"
    return _framed(
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "latex", "version": 1, "text": text}}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/completion", "params": {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": len(text)}}},
        {"jsonrpc": "2.0", "id": 3, "method": "shutdown", "params": None},
        {"jsonrpc": "2.0", "method": "exit", "params": None})


def _check_answered(output: bytes) -> None:
    responses = _responses(output)
    assert responses[1]["result"]["capabilities"]["completionProvider"]
    keys = [item["textEdit"]["newText"] for item in responses[2]["result"]["items"]]
    assert "mirrorDescentPolicy2020" in keys[:3]
    assert responses[3]["result"] is None


def _environment(root: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(root / "cache")}


def test_a_session_over_a_pipe_is_answered_and_exit_stops_the_server(tmp_path):
    done = subprocess.run(SERVE, input=_session(tmp_path), capture_output=True, timeout=120,
                          env=_environment(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    _check_answered(done.stdout)


def test_a_session_over_a_socket_is_answered(tmp_path):
    ours, theirs = socket.socketpair()
    with ours, theirs:
        server = subprocess.Popen(SERVE, stdin=theirs.fileno(), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=_environment(tmp_path),
                                  cwd=tmp_path)
        ours.sendall(_session(tmp_path))
        output, errors = server.communicate(timeout=120)
    assert server.returncode == 0, errors.decode()
    _check_answered(output)


def test_a_session_replayed_from_a_file_is_answered(tmp_path):
    messages = tmp_path / "session.lsp"
    messages.write_bytes(_session(tmp_path))
    with messages.open("rb") as stdin:
        done = subprocess.run(SERVE, stdin=stdin, capture_output=True, timeout=120,
                              env=_environment(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    _check_answered(done.stdout)


def test_the_server_stops_when_the_editor_closes_its_stdin_without_exit(tmp_path):
    initialize = _framed({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}})
    # The pipe closes after the message, as when an editor crashes: the server must not
    # wait for more forever.
    done = subprocess.run(SERVE, input=initialize, capture_output=True, timeout=120,
                          env=_environment(tmp_path), cwd=tmp_path)
    assert _responses(done.stdout)[1]["result"]["capabilities"]


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
