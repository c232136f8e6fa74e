"""The VS Code extension's settings mirror the server's configuration names exactly."""

from __future__ import annotations

import json
from pathlib import Path

from citels.config import CLIENT_ONLY_SETTINGS, setting_names

MANIFEST = Path(__file__).resolve().parents[2] / "editors" / "vscode" / "package.json"


def test_package_json_settings_are_the_servers():
    properties = json.loads(MANIFEST.read_text())["contributes"]["configuration"]["properties"]
    names = {name.removeprefix("citels.") for name in properties}
    assert names == set(setting_names()) | set(CLIENT_ONLY_SETTINGS)


def test_the_extension_starts_citels_serve_by_default():
    manifest = json.loads(MANIFEST.read_text())
    command = manifest["contributes"]["configuration"]["properties"]["citels.server.command"]
    assert command["default"] == ["citels", "serve"]
    for language in ("latex", "markdown", "quarto", "rmd", "bibtex", "typst", "org"):
        assert f"onLanguage:{language}" in manifest["activationEvents"]
