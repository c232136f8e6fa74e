"""Running the real `citels` command line from tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run_citels(*args: str, cwd: Path | None = None, check: bool = True,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed command line exactly as a user would."""
    result = subprocess.run(
        [sys.executable, "-m", "citels", *args],
        capture_output=True, text=True, cwd=cwd, timeout=120,
        env={**os.environ, **(env or {})},
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def citels_json(*args: str) -> object:
    return json.loads(run_citels(*args).stdout)
