"""Two editors on one index, and completions while the index is being rebuilt."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities

from conftest import SERVER, start_editor

MDPO = "Mirror Descent Policy Optimization"


async def test_two_servers_share_one_index_and_keep_answering_during_a_reindex(tmp_path: Path):
    clients = [await SERVER.start() for _ in range(2)]
    editors = []
    for number, client in enumerate(clients):
        root = tmp_path / f"ws{number}"
        root.mkdir()
        editors.append(await start_editor(client, root, client_capabilities("neovim")))
    try:
        uris = [editor.open("paper.tex", "\\cite{mirror desc", "latex") for editor in editors]
        # One server re-checks the shared index while both answer completions.
        reindex = asyncio.ensure_future(editors[0].client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="citels.reindex")))
        for _ in range(20):
            results = await asyncio.gather(*(editor.complete(uri, 0, 17)
                                             for editor, uri in zip(editors, uris, strict=True)))
            assert all(result.items[0].label == MDPO for result in results)
        stats = await reindex
        assert stats["papers"] == 400
    finally:
        for client in clients:
            await client.shutdown_session()
            await client.stop()
