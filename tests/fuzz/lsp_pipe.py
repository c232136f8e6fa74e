"""A small synchronous LSP client over a child process's pipes, for fuzzing: it sends what
it is told, answers the server's own requests, and checks every response against the
protocol's types (lsprotocol), counting what was wrong."""

from __future__ import annotations

import itertools
import json
import queue
import subprocess
import threading
from collections import Counter
from pathlib import Path

from lsprotocol import converters, types

_CONVERTER = converters.get_converter()
METHOD_NOT_FOUND = -32601
REQUEST_CANCELLED = -32800


class ServerDied(Exception):
    pass


class PipeClient:
    def __init__(self, command: list[str], env: dict[str, str], log: Path, *,
                 validate: bool = True, cwd: Path | None = None) -> None:
        # validate: structure every response with lsprotocol (the fuzz test's check); a
        # benchmark turns it off, so its timings are the server's and not this client's.
        self.validate = validate
        self.log_file = log.open("wb")
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.log_file, env=env, cwd=cwd)
        self.messages: queue.Queue[dict | None] = queue.Queue()
        self.ids = itertools.count(1)
        self.counts: Counter[str] = Counter()  # responses, errors by kind, invalid responses
        self.problems: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    self.messages.put(None)
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                self.problems.append("a message with no Content-Length")
                continue
            self.messages.put(json.loads(stream.read(length)))

    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise ServerDied(str(error)) from None

    def notify(self, method: str, params: object) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def send_request(self, method: str, params: object) -> int:
        request_id = next(self.ids)
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return request_id

    def request(self, method: str, params: object, timeout: float = 30) -> dict:
        return self.wait_for(self.send_request(method, params), method, timeout)

    def wait_for(self, request_id: int, method: str, timeout: float = 30) -> dict:
        while True:
            try:
                message = self.messages.get(timeout=timeout)
            except queue.Empty:
                raise ServerDied(f"no answer to {method} within {timeout} s") from None
            if message is None:
                raise ServerDied(f"the server closed its output (exit {self.process.poll()})")
            if "method" in message:
                self._answer_server(message)
                continue
            if message.get("id") == request_id:
                self._check(method, message)
                return message
            # an answer to an earlier, cancelled request: check it all the same
            self._check(None, message)

    def _answer_server(self, message: dict) -> None:
        if "id" not in message:
            return  # a notification: logs, progress, diagnostics
        method = message["method"]
        result: object = None
        if method == "workspace/configuration":
            result = [None] * len(message["params"]["items"])
        elif method == "workspace/applyEdit":
            result = {"applied": True}
        self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})

    def _check(self, method: str | None, message: dict) -> None:
        error = message.get("error")
        if error is not None:
            code = error.get("code")
            kind = {METHOD_NOT_FOUND: "method not found",
                    REQUEST_CANCELLED: "cancelled"}.get(code, "error")
            self.counts[kind] += 1
            if kind == "error":
                self.problems.append(f"{method}: error {code}: {error.get('message')}")
            return
        self.counts["responses"] += 1
        if self.validate and method and method in types.METHOD_TO_TYPES:
            response_type = types.METHOD_TO_TYPES[method][1]
            try:
                _CONVERTER.structure(message, response_type)
            except Exception as invalid:  # not what the protocol allows for this method
                self.counts["invalid"] += 1
                self.problems.append(f"{method}: invalid response {message!r:.300}: {invalid}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.process.wait(timeout=10)
        except (ServerDied, subprocess.TimeoutExpired):
            self.process.kill()
        self.log_file.close()
