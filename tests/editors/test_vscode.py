"""citels inside real VS Code: the .vsix built from editors/vscode, installed into code-server
(VS Code 1.100 in the browser), driven through Debian's Chromium by playwright-core.

`tests/run.sh` installs the tools (editors/vscode/install-test-tools.sh); a missing tool is a
failure. Screenshots of the suggestion list and the hover are kept in tests/editors/artifacts.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"
SCRIPT = Path(__file__).parent / "vscode_e2e.js"
ARTIFACTS = Path(__file__).parent / "artifacts"
TOOLS = Path(os.environ.get("CITELS_TOOLS", Path.home() / ".cache" / "citels-tools"))
CODE_SERVER = TOOLS / "code-server" / "node_modules" / ".bin" / "code-server"
PLAYWRIGHT = TOOLS / "playwright" / "node_modules"

SETTINGS = {
    "workbench.startupEditor": "none",
    "security.workspace.trust.enabled": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "workbench.tips.enabled": False,
    "files.autoSave": "off",  # VS Code in the browser saves by itself otherwise
    "editor.minimap.enabled": False,
    "editor.quickSuggestions": {"other": "off", "comments": "off", "strings": "off"},
    "citels.server.command": [sys.executable, "-m", "citels", "serve"],
}


@pytest.fixture(scope="module")
def vsix() -> Path:
    assert CODE_SERVER.exists(), f"no code-server at {CODE_SERVER}: run tests/run.sh"
    assert (PLAYWRIGHT / "playwright-core").exists(), "no playwright-core: run tests/run.sh"
    assert shutil.which("chromium"), "no chromium: run tests/run.sh"
    npm = ["npm", "--no-fund", "--no-audit"]
    subprocess.run([*npm, "ci"], cwd=EXTENSION, check=True, capture_output=True, timeout=600)
    subprocess.run([*npm, "run", "package"], cwd=EXTENSION, check=True, capture_output=True,
                   timeout=600)
    return EXTENSION / "citels.vsix"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cite_by_title_in_vscode(vsix: Path, tmp_path: Path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "paper.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\nSee \n\\bibliography{refs}\n"
        "\\end{document}\n")
    data = tmp_path / "data"
    (data / "User").mkdir(parents=True)
    (data / "User" / "settings.json").write_text(json.dumps(SETTINGS, indent=2))
    port = free_port()
    config = tmp_path / "config.yaml"
    config.write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "TMPDIR": str(tmp_path)}
    # this checkout's citels, also for the server VS Code starts from another folder
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "server"),
                                                      os.environ.get("PYTHONPATH")]))
    subprocess.run([sys.executable, "-m", "citels", "index"], env=env, check=True,
                   capture_output=True, timeout=120)
    args = [str(CODE_SERVER), "--config", str(config), "--user-data-dir", str(data),
            "--extensions-dir", str(tmp_path / "extensions")]
    installed = subprocess.run([*args, "--install-extension", str(vsix)], env=env,
                               capture_output=True, text=True, timeout=120)
    assert "successfully installed" in installed.stdout, installed.stdout + installed.stderr
    # Its own process group: code-server's extension hosts and our server end with it.
    server = subprocess.Popen(
        [*args, "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust",
         "--disable-getting-started-override", str(workspace)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        out = ARTIFACTS / "vscode"
        shutil.rmtree(out, ignore_errors=True)
        run = subprocess.run(
            ["node", str(SCRIPT), f"http://127.0.0.1:{port}/?folder={workspace}", str(out)],
            env={**env, "NODE_PATH": str(PLAYWRIGHT)}, capture_output=True, text=True,
            timeout=240)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    report = json.loads((out / "report.json").read_text())
    assert run.returncode == 0 and report["ok"], run.stdout + run.stderr
    assert report["status"].endswith("citels: 400 papers")
    assert any("Mirror Descent Policy Optimization" in s for s in report["suggestions"])
    assert report["lines"][2] == "See \\cite{mirrorDescentPolicy2020}"
    bib = (workspace / "refs.bib").read_text()
    assert bib.startswith("@misc{mirrorDescentPolicy2020,\n  title    = {Mirror Descent Policy")
    assert report["hover"].startswith("Mirror Descent Policy Optimization")
    assert "well-known first-order method" in report["hover"]  # the abstract
    assert (out / "suggestions.png").stat().st_size > 10_000
    assert (out / "hover.png").stat().st_size > 10_000
