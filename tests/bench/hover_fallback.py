"""Time hovers on keys of a big workspace .bib that the index does not hold (issue 17: "about
0.5 s per hover in the TUGboat workspace", as while the index is still being built).

    python3 tests/bench/big_bib.py 10000 /tmp/big.bib
    PYTHONPATH=server python3 tests/bench/hover_fallback.py /tmp/big.bib

The real server, built in this process (tests/lsp/in_process.py), on a workspace whose .bib
appears after the index was checked; a LaTeX document cites ten of its keys and each is
hovered twice. Prints each hover's time in milliseconds.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "lsp"))
sys.path.append(str(REPO / "server"))  # unless PYTHONPATH names another checkout's


async def main(bib: Path) -> None:
    from in_process import serve_in_process

    import citels.corpus  # noqa: F401  first: importing citels.lsp first meets a cycle

    root = Path(tempfile.mkdtemp(prefix="citels-hover-bench-"))
    async with serve_in_process(root, REPO / "corpus", root / "index.sqlite3") as (editor, server):
        await asyncio.gather(*server.indexing, return_exceptions=True)
        shutil.copy(bib, root / "big.bib")  # after the index run: only the fallback reads it
        text = bib.read_text(encoding="utf-8")
        keys = re.findall(r"^@\w+\{([^,\s]+),", text, re.MULTILINE)
        keys = keys[len(keys) // 20::len(keys) // 10][:10]
        document = "\\cite{" + ",".join(keys) + "}\n\\bibliography{big}\n"
        uri = editor.open("paper.tex", document, "latex")
        for round_ in ("first", "again"):
            times = []
            for key in keys:
                start = time.perf_counter()
                hover = await editor.hover(uri, 0, document.index(key) + 1)
                times.append((time.perf_counter() - start) * 1000)
                assert hover is not None and "(from big.bib" in hover.contents.value, key
            print(f"{round_:>5}: " + " ".join(f"{t:.0f}" for t in times) + " ms")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
