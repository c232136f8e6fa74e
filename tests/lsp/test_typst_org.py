"""Typst and Org over stdio: completion replacing exactly what was typed, hover, diagnostics
and their quick fixes into a Hayagriva .yml and a .bib, definition, references and rename
across .typ and .org files; and the real tools reading what the server wrote (the Typst
compiler from PyPI with pdftotext, Debian's Emacs with org-cite)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import unicodedata
from pathlib import Path

import typst
import yaml
from lsp_editor import Editor, apply_workspace_edit
from lsprotocol import types
from test_workspace import diagnostics_of

MDPO = "Mirror Descent Policy Optimization"
MDPO_KEY = "mirrorDescentPolicy2020"
KNUTH_YML = "knuth84:\n  type: book\n  title: Literate Programming\n  date: 1984\n"
KNUTH_BIB = "@book{knuth84,\n  title = {Literate Programming},\n  year = 1984,\n}\n"


async def complete_at_bar(editor: Editor, name: str, text: str, language: str,
                          label: str = MDPO) -> tuple[str, str, types.CompletionItem]:
    """Type up to the '|' and ask for completion: the document's URI and text, and the item
    titled `label` (which must be first)."""
    line = next(i for i, t in enumerate(text.split("\n")) if "|" in t)
    column = text.split("\n")[line].index("|")
    text = text.replace("|", "")
    uri = editor.open(name, text, language)
    result = await editor.complete(uri, line, column)
    assert result.items, f"nothing offered in {name}"
    assert result.items[0].label == label
    return uri, text, result.items[0]


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext is missing: run tests/run.sh"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return " ".join(unicodedata.normalize("NFKC", text).split())


def typst_pdf_text(document: Path) -> str:
    """What the real Typst compiler prints for a document, as text."""
    pdf = document.with_suffix(".pdf")
    typst.compile(str(document), output=str(pdf), format="pdf")
    return pdf_text(pdf)


def location(uri: str, line: int, character: int) -> dict:
    return {"text_document": types.TextDocumentIdentifier(uri=uri),
            "position": types.Position(line=line, character=character)}


# --- completion, and the entry written, read by the real tools --------------------------------


async def test_typst_completion_writes_a_hayagriva_entry_that_typst_prints(editor: Editor):
    yml = editor.root / "refs.yml"
    yml.write_text(KNUTH_YML)
    doc = "= Notes\nPolicies @mirror| and @knuth84.\n\n#bibliography(\"refs.yml\")\n"
    uri, text, item = await complete_at_bar(editor, "main.typ", doc, "typst")
    # The key replaces exactly what was typed after '@'.
    assert item.text_edit.range.start == types.Position(line=1, character=10)
    assert item.text_edit.range.end == types.Position(line=1, character=16)
    text = await editor.accept(uri, text, item)
    assert f"Policies @{MDPO_KEY} and @knuth84." in text
    written = yml.read_text()
    assert written.startswith(KNUTH_YML)  # the user's entry, byte for byte
    entries = yaml.safe_load(written)
    assert entries[MDPO_KEY]["title"] == MDPO and entries[MDPO_KEY]["type"] in ("misc", "article")
    (editor.root / "main.typ").write_text(text)
    printed = typst_pdf_text(editor.root / "main.typ")
    assert MDPO in printed and "Literate Programming" in printed


async def test_typst_completion_writes_a_bibtex_entry_that_typst_prints(editor: Editor):
    bib = editor.root / "refs.bib"
    bib.write_text(KNUTH_BIB)
    doc = "See #cite(<mirror|>) and @knuth84.\n\n#bibliography(\"refs.bib\")\n"
    uri, text, item = await complete_at_bar(editor, "main.typ", doc, "typst")
    text = await editor.accept(uri, text, item)
    assert f"See #cite(<{MDPO_KEY}>) and @knuth84." in text
    assert bib.read_text().startswith(KNUTH_BIB + f"\n@misc{{{MDPO_KEY},")
    (editor.root / "main.typ").write_text(text)
    printed = typst_pdf_text(editor.root / "main.typ")
    assert MDPO in printed and "Literate Programming" in printed


async def test_a_typst_chapter_writes_into_its_main_files_bibliography(editor: Editor):
    (editor.root / "chapters").mkdir()
    (editor.root / "main.typ").write_text(
        '#include "chapters/one.typ"\n\n#bibliography("lib/refs.yml")\n')
    (editor.root / "lib").mkdir()
    (editor.root / "lib" / "refs.yml").write_text(KNUTH_YML)
    uri, text, item = await complete_at_bar(editor, "chapters/one.typ", "As @mirror| shows.\n",
                                            "typst")
    await editor.accept(uri, text, item)
    assert f"\n{MDPO_KEY}:\n" in (editor.root / "lib" / "refs.yml").read_text()
    assert not (editor.root / "chapters" / "references.bib").exists()


async def test_a_key_typst_cannot_read_after_at_is_written_as_a_label(editor: Editor):
    # A key with a slash (as some libraries make them) is not a Typst label after '@'.
    bib = editor.root / "refs.bib"
    bib.write_text("@article{smith/widgets,\n  title = {Quantum Widgets for Everyone},\n"
                   "  year = 2021,\n}\n")
    await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.reindex", arguments=[]))  # the new .bib is read into the index
    doc = "Widgets @quantum|\n\n#bibliography(\"refs.bib\")\n"
    uri, text, item = await complete_at_bar(editor, "main.typ", doc, "typst",
                                            label="Quantum Widgets for Everyone")
    assert item.text_edit.range.start == types.Position(line=0, character=8)  # the '@' too
    text = await editor.accept(uri, text, item)
    assert text.startswith('Widgets #cite(label("smith/widgets"))\n')
    (editor.root / "main.typ").write_text(text)
    assert "Quantum Widgets for Everyone" in typst_pdf_text(editor.root / "main.typ")


async def test_org_completion_writes_a_bibtex_entry_that_emacs_exports(editor: Editor):
    emacs = shutil.which("emacs")
    assert emacs, "emacs is missing: run tests/run.sh, which installs emacs-nox"
    (editor.root / "refs.bib").write_text(KNUTH_BIB)
    doc = ("#+title: Notes\n#+options: toc:nil\n#+bibliography: refs.bib\n"
           "#+cite_export: basic\n\nPolicies [cite:@knuth84; @mirror|] matter.\n\n"
           "#+print_bibliography:\n")
    uri, text, item = await complete_at_bar(editor, "notes.org", doc, "org")
    text = await editor.accept(uri, text, item)
    assert f"Policies [cite:@knuth84; @{MDPO_KEY}] matter." in text
    assert f"@misc{{{MDPO_KEY}," in (editor.root / "refs.bib").read_text()
    (editor.root / "notes.org").write_text(text)
    result = subprocess.run(
        [emacs, "--batch", "-Q", "notes.org", "--eval",
         "(progn (require 'oc-basic) (org-ascii-export-to-ascii))"],
        cwd=editor.root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    exported = " ".join((editor.root / "notes.txt").read_text().split())
    assert MDPO in exported and "Literate Programming" in exported
    assert "[cite:" not in exported  # every key resolved


async def test_org_completion_right_after_a_semicolon_supplies_the_at(editor: Editor):
    # Nothing typed yet: the papers the document cites are offered, written with their '@'.
    doc = f"#+bibliography: refs.bib\n\nSee [cite:@{MDPO_KEY}] and [cite:@knuth84;|].\n"
    uri, text, item = await complete_at_bar(editor, "notes.org", doc, "org")
    assert item.text_edit.new_text == f"@{MDPO_KEY}"
    column = text.split("\n")[2].index(";|".replace("|", "")) + 1
    assert item.text_edit.range.start == item.text_edit.range.end == types.Position(
        line=2, character=column)


async def test_a_declared_hayagriva_file_is_a_library_and_other_yaml_is_not(editor: Editor):
    (editor.root / "refs.yml").write_text(
        "smith21:\n  type: article\n  title: Quantum Widgets for Everyone\n  date: 2021\n")
    (editor.root / "config.yml").write_text(
        "ghost:\n  type: article\n  title: Quantum Widgets Haunted\n")
    (editor.root / "main.typ").write_text('#bibliography("refs.yml")\n')
    await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.reindex", arguments=[]))
    uri, _, item = await complete_at_bar(editor, "main.typ", 'See @quantum|\n'
                                         '#bibliography("refs.yml")\n', "typst",
                                         label="Quantum Widgets for Everyone")
    assert item.text_edit.new_text == "smith21"
    offered = [i.label for i in (await editor.complete(uri, 0, 12)).items]
    assert "Quantum Widgets Haunted" not in offered


async def test_no_completion_in_typst_raw_text_or_org_source_blocks(editor: Editor):
    uri = editor.open("main.typ", "```\n@mirror\n```\n// @mirror\n", "typst")
    assert (await editor.complete(uri, 1, 7)).items == ()
    assert (await editor.complete(uri, 3, 10)).items == ()
    uri = editor.open("notes.org", "#+begin_src python\n[cite:@mirror]\n#+end_src\n", "org")
    assert (await editor.complete(uri, 1, 13)).items == ()


# --- hover, diagnostics and quick fixes -------------------------------------------------------


async def test_hover_in_typst_and_org(editor: Editor):
    (editor.root / "refs.yml").write_text(KNUTH_YML)
    uri = editor.open("main.typ", f'@{MDPO_KEY} and @knuth84\n#bibliography("refs.yml")\n',
                      "typst")
    hover = await editor.hover(uri, 0, 5)
    assert hover is not None and MDPO in hover.contents.value
    # A key only the user's Hayagriva file has: its entry, read from the .yml.
    hover = await editor.hover(uri, 0, len(MDPO_KEY) + 9)
    assert hover is not None and "Literate Programming" in hover.contents.value
    uri = editor.open("notes.org", f"See [cite:@{MDPO_KEY}].\n", "org")
    hover = await editor.hover(uri, 0, 14)
    assert hover is not None and MDPO in hover.contents.value


async def take_fix(editor: Editor, action: types.CodeAction | types.Command) -> None:
    """Do what an editor does with a chosen fix: apply its edit, or run its command (a fix
    for a bibliography that is not open is a command that appends on disk; pygls' client
    reads such an action as a bare Command)."""
    command = action if isinstance(action, types.Command) else action.command
    if isinstance(action, types.CodeAction) and action.edit:
        apply_workspace_edit(action.edit)
    if command is None:
        return
    name, arguments = command.command, command.arguments
    if not isinstance(name, str) or name.startswith("{"):
        # pygls' client turned the action into a Command whose name is the action's own
        # command written out: read that back.
        inner = name if isinstance(name, dict) else ast.literal_eval(name)
        name, arguments = inner["command"], inner.get("arguments")
    await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=name, arguments=arguments))


async def test_typst_unknown_key_quick_fix_writes_hayagriva(editor: Editor):
    yml = editor.root / "refs.yml"
    yml.write_text(KNUTH_YML.rstrip("\n"))  # no final newline
    uri = editor.open("main.typ", f'@knuth84 and @{MDPO_KEY}.\n#bibliography("refs.yml")\n',
                      "typst")
    diagnostics = await diagnostics_of(editor, uri)
    assert [d.message for d in diagnostics] == [
        f"{MDPO_KEY} is not in refs.yml; the corpus has it: “{MDPO}”"]
    (warning,) = diagnostics
    assert (warning.range.start.line, warning.range.start.character) == (0, 14)
    actions = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=warning.range,
        context=types.CodeActionContext(diagnostics=[warning])))
    assert actions[0].title == f"Add entry for {MDPO_KEY} to refs.yml"
    await take_fix(editor, actions[0])
    written = yml.read_text()
    assert written.startswith(KNUTH_YML)  # the missing final newline supplied, nothing else
    assert yaml.safe_load(written)[MDPO_KEY]["title"] == MDPO
    editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=yml.as_uri(), type=types.FileChangeType.Changed)]))
    editor.client.diagnostics.pop(uri, None)
    assert await diagnostics_of(editor, uri) == []


async def test_org_unknown_key_quick_fix_writes_bibtex(editor: Editor):
    bib = editor.root / "refs.bib"
    bib.write_text(KNUTH_BIB)
    uri = editor.open("notes.org", f"#+bibliography: refs.bib\n\nSee [cite:@{MDPO_KEY}; "
                      "@knuth84].\n", "org")
    (warning,) = await diagnostics_of(editor, uri)
    assert warning.message.startswith(f"{MDPO_KEY} is not in refs.bib")
    actions = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=warning.range,
        context=types.CodeActionContext(diagnostics=[warning])))
    await take_fix(editor, actions[0])
    assert bib.read_text().startswith(KNUTH_BIB + f"\n@misc{{{MDPO_KEY},")


async def test_remove_unused_entries_of_a_hayagriva_file_keeps_the_rest(editor: Editor):
    yml = editor.root / "refs.yml"
    yml.write_text("# my library\n" + KNUTH_YML + "\nunused1:\n  type: misc\n  title: Nobody\n"
                   "  author:\n    - Doe, Jane\n\n# cited from Org only\norgOnly:\n"
                   "  type: misc\n  title: Org\n")
    (editor.root / "notes.org").write_text("#+bibliography: refs.yml\n[cite:@orgOnly]\n")
    uri = editor.open("main.typ", '@knuth84\n#bibliography("refs.yml")\n', "typst")
    result = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.removeUnusedEntries", arguments=[uri]))
    assert result == {"removed": ["unused1"]}
    assert yml.read_text() == ("# my library\n" + KNUTH_YML + "\n# cited from Org only\n"
                               "orgOnly:\n  type: misc\n  title: Org\n")


# --- definition, references, rename -----------------------------------------------------------


async def test_definition_references_and_rename_across_typst_org_and_hayagriva(editor: Editor):
    yml = editor.root / "refs.yml"
    yml.write_text(KNUTH_YML + "\nsmith21:\n  type: article\n  title: Quantum Widgets\n")
    (editor.root / "main.typ").write_text(
        '#include "one.typ"\nMain cites @smith21.\n#bibliography("refs.yml")\n')
    (editor.root / "one.typ").write_text("Chapter: #cite(<smith21>, form: \"prose\").\n")
    (editor.root / "notes.org").write_text("#+bibliography: refs.yml\nSee [cite:@smith21].\n")
    chapter = editor.open("one.typ", (editor.root / "one.typ").read_text(), "typst")
    main = editor.open("main.typ", (editor.root / "main.typ").read_text(), "typst")
    notes = editor.open("notes.org", (editor.root / "notes.org").read_text(), "org")
    # Definition: from the chapter into the Hayagriva file its main file declares.
    (found,) = await editor.client.text_document_definition_async(
        types.DefinitionParams(**location(chapter, 0, 18)))
    assert found.uri == yml.as_uri()
    assert (found.range.start.line, found.range.start.character) == (5, 0)
    assert found.range.end.character == len("smith21")
    # References: every citation in the project, .typ and .org alike.
    refs = await editor.client.text_document_references_async(types.ReferenceParams(
        **location(main, 1, 14), context=types.ReferenceContext(include_declaration=True)))
    assert {(r.uri, r.range.start.line) for r in refs} == {
        (yml.as_uri(), 5), (main, 1), (chapter, 0), (notes, 1)}
    # Rename: the citations and the .yml entry in one edit.
    edit = await editor.client.text_document_rename_async(types.RenameParams(
        **location(notes, 1, 13), new_name="smithWidgets2021"))
    assert set(edit.changes) == {main, chapter, notes, yml.as_uri()}
    apply_workspace_edit(edit)
    assert "Main cites @smithWidgets2021." in (editor.root / "main.typ").read_text()
    assert "#cite(<smithWidgets2021>, form" in (editor.root / "one.typ").read_text()
    assert "[cite:@smithWidgets2021]" in (editor.root / "notes.org").read_text()
    assert "\nsmithWidgets2021:\n  type: article" in yml.read_text()
    assert "Quantum Widgets" in typst_pdf_text(editor.root / "main.typ")
