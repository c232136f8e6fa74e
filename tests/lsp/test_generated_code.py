"""The protocol's generated code kept between starts (`lsp/generated_code.py`): a later start
loads what an earlier one compiled and gets the same classes, dataclasses and messages; a
broken or foreign file is compiled around; the code is what the builtins `compile` and
`exec` give their caller."""

from __future__ import annotations

import asyncio
import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

from pytest_lsp import ClientServerConfig, client_capabilities

from citels.lsp.generated_code import HEADER, WORTH_SAVING, GeneratedCode, default_path
from conftest import REPO, SERVER, start_editor

# A fresh interpreter's start: the cache installed, the protocol imported, messages made.
START = """
import json
from citels.lsp.generated_code import GeneratedCode, default_path
cache = GeneratedCode(default_path())
kept = len(cache.kept)
cache.install()
from dataclasses import FrozenInstanceError, dataclass, field
from lsprotocol import types
from pygls.protocol import default_converter


@dataclass(frozen=True)
class Made:
    name: str
    tags: tuple = field(default_factory=tuple)
    year: int = 2020


sample = Made("x", ("a",))
try:
    sample.year = 1
    frozen = False
except FrozenInstanceError:
    frozen = True
dataclass_seen = [repr(sample), sample == Made("x", ("a",)), sample != Made("x"),
                  hash(Made("y")) == hash(Made("y")), frozen, Made("z").tags]
converter = default_converter()
params = converter.structure({"textDocument": {"uri": "file:///a.tex"},
                              "position": {"line": 0, "character": 3}}, types.CompletionParams)
edit = types.TextEdit(range=types.Range(start=types.Position(line=0, character=1),
                                        end=types.Position(line=0, character=3)), new_text="k")
item = converter.unstructure(types.CompletionItem(label="x", text_edit=edit, sort_text="0"))
cache.uninstall()
made = len(cache.made)
cache.save()
import dataclasses
assert "exec" not in vars(dataclasses)  # the builtin again
print(json.dumps({"kept": kept, "made": made, "used": len(cache.used), "item": item,
                  "dataclass": dataclass_seen,
                  "params": repr(params), "equal": params == converter.structure(
                      converter.unstructure(params), types.CompletionParams)}))
"""


def start(cache_home: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO / "server"), "XDG_CACHE_HOME": str(cache_home)}
    done = subprocess.run([sys.executable, "-c", START], capture_output=True, text=True,
                          env=env, check=True)
    return json.loads(done.stdout)


def test_a_later_start_loads_the_protocols_code_and_gets_the_same_messages(tmp_path: Path):
    first = start(tmp_path)
    assert first["kept"] == 0 and first["made"] > 500  # every lsprotocol class compiled
    kept_file = tmp_path / "citels" / default_path().name
    assert kept_file.read_bytes().startswith(HEADER)

    later = start(tmp_path)
    assert later["kept"] == first["made"]
    assert later["made"] < WORTH_SAVING and later["used"] > 500
    assert (later["item"], later["params"]) == (first["item"], first["params"])
    # A dataclass made with kept code behaves as one made with fresh code.
    assert later["dataclass"] == first["dataclass"] == [
        "Made(name='x', tags=('a',), year=2020)", True, True, True, True, []]
    assert later["item"]["textEdit"]["newText"] == "k" and later["equal"] is True

    # A file cut short (a full disk) or of another Python is compiled around, and replaced.
    kept_file.write_bytes(kept_file.read_bytes()[:5000])
    cut = start(tmp_path)
    assert cut["kept"] == 0 and cut["made"] > 500 and cut["item"] == first["item"]
    kept_file.write_bytes(b"\x00\x00\r\n" + kept_file.read_bytes()[len(HEADER):])
    assert start(tmp_path)["kept"] == 0
    assert start(tmp_path)["kept"] > 500
    # Code from a file others may write is not run.
    kept_file.chmod(0o666)
    assert start(tmp_path)["kept"] == 0


# The same source compiled by callers with and without `from __future__ import annotations`:
# an annotation naming nothing defined is only valid as a string (the future import).
SOURCE = "def f(x: not_defined_anywhere) -> None:\n    return x\n"
CALLERS = {
    "future": "from __future__ import annotations\n"
              "def call(compile):\n    return compile(SOURCE, '<generated>', 'exec')\n",
    "plain": "def call(compile):\n    return compile(SOURCE, '<generated>', 'exec')\n",
}


def test_the_kept_code_is_what_the_builtin_compile_gives_its_caller(tmp_path: Path):
    cache = GeneratedCode(tmp_path / "code.marshal")
    for name, caller_source in CALLERS.items():
        caller: dict = {"SOURCE": SOURCE}
        exec(compile(caller_source, f"<{name} caller>", "exec", dont_inherit=True), caller)
        cached, builtin = caller["call"](cache.compile), caller["call"](compile)
        assert marshal.dumps(cached) == marshal.dumps(builtin)
        names: dict = {}
        if name == "future":
            exec(cached, names)  # the annotation stays a string
            assert names["f"].__annotations__["x"] == "not_defined_anywhere"
        else:
            try:
                exec(cached, names)
            except NameError:
                pass
            else:
                raise AssertionError("the annotation was evaluated nowhere")
    assert len(cache.made) == 2  # two callers, two different pieces of code


# The same for `exec` of a string, as dataclasses runs the methods it writes: into the
# namespaces given, or the caller's own when none is.
EXECUTORS = {
    "future": "from __future__ import annotations\n"
              "def call(exec):\n    names = {}\n    exec(SOURCE, {}, names)\n"
              "    return names['f']\n",
    "plain": "def call(exec):\n    names = {}\n    try:\n        exec(SOURCE, {}, names)\n"
             "    except NameError:\n        return None\n    return names['f']\n",
}


def test_kept_code_runs_as_the_builtin_exec_runs_source(tmp_path: Path):
    cache = GeneratedCode(tmp_path / "code.marshal")
    results = {}
    for name, caller_source in EXECUTORS.items():
        for executor in (cache.exec, exec):
            caller: dict = {"SOURCE": SOURCE}
            exec(compile(caller_source, f"<{name} caller>", "exec", dont_inherit=True), caller)
            results[name, executor is exec] = caller["call"](executor)
    # With the future import the annotation stays a string; without, it is evaluated (and
    # fails); the same function code either way.
    assert results["future", False].__annotations__["x"] == "not_defined_anywhere"
    assert (marshal.dumps(results["future", False].__code__)
            == marshal.dumps(results["future", True].__code__))
    assert results["plain", False] is None and results["plain", True] is None
    # No namespaces given: the caller's (a module's code, here).
    for executor in (cache.exec, exec):
        module: dict = {"run": executor}
        exec(compile("run('made_here = 7')", "<module>", "exec", dont_inherit=True), module)
        assert module["made_here"] == 7
    assert len(cache.made) == 3
    # Asked again, the code made is the code given: nothing is compiled anew.
    caller = {"SOURCE": SOURCE}
    exec(compile(EXECUTORS["future"], "<again>", "exec", dont_inherit=True), caller)
    assert caller["call"](cache.exec).__code__ is results["future", False].__code__
    assert len(cache.made) == 3


async def test_a_server_with_a_broken_kept_file_completes_and_repairs_it(tmp_path: Path):
    cache_home = tmp_path / "cache"
    kept_file = cache_home / "citels" / default_path().name
    kept_file.parent.mkdir(parents=True)
    kept_file.write_bytes(HEADER + b"not marshal data")
    root = tmp_path / "ws"
    root.mkdir()
    config = ClientServerConfig(server_command=SERVER.server_command,
                                server_env={**os.environ, "XDG_CACHE_HOME": str(cache_home)})
    client = await config.start()
    try:
        editor = await start_editor(client, root, client_capabilities("neovim"))
        line = r"\cite{mirror descent policy"
        uri = editor.open("paper.tex", line, "latex")
        items = (await editor.complete(uri, 0, len(line))).items
        assert items[0].text_edit.new_text == "mirrorDescentPolicy2020"
        # Written once the first completion is answered, without the server being asked.
        for _ in range(200):
            if len(GeneratedCode(kept_file).kept) > 500:
                break
            await asyncio.sleep(0.05)
        assert len(GeneratedCode(kept_file).kept) > 500
        await client.shutdown_session()
    finally:
        await client.stop()


# A start under `python -O` compiles without asserts: its code is not another start's.
OPTIMIZED = """
import sys
from pathlib import Path
from citels.lsp.generated_code import WORTH_SAVING, GeneratedCode
cache = GeneratedCode(Path(sys.argv[1]))
code = cache.compile("assert False, 'asserts kept'\\n", "<generated>", "exec")
try:
    exec(code)
    print("no assert")
except AssertionError:
    print("assert")
for number in range(WORTH_SAVING):
    cache.compile(f"x{number} = 1\\n", "<generated>", "exec")
cache.save()
"""


def test_code_compiled_under_python_O_is_not_given_to_a_start_without_it(tmp_path: Path):
    def start(*flags: str) -> str:
        done = subprocess.run([sys.executable, *flags, "-c", OPTIMIZED,
                               str(tmp_path / "code.marshal")], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO / "server")},
                              check=True)
        return done.stdout.strip()

    assert start("-O") == "no assert"
    assert start() == "assert"
    assert start("-O") == "no assert"
