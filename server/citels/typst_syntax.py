"""Typst citation syntax: where the cursor types a key, the keys a file cites, its bibliographies.

Typst cites with a reference `@key` (optionally `@key[supplement]`) in markup, or by calling
`cite` in code: `#cite(<key>)`, `#cite(<key>, form: "prose")`, `#cite(label("key"))`. None of
these count inside raw text (```` ``` ```` blocks and `` ` `` spans), comments (`//`, `/* */`),
math (`$…$`), URLs, or strings other than a `label("…")` given to `cite`.

A small scanner walks markup and code the way Typst's lexer does (markup, embedded code after
`#`, content blocks `[…]` inside code, strings, raw, comments, math) and reports what it saw;
the public functions read its report. Everything works on plain strings (lines, a 0-based line
and a column in Python characters), like `citels.cite_syntax`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath, PurePosixPath

from citels.cite_syntax import CROSSREF_PREFIXES, CiteSpan, KeySpan

TYPST = "typst"

# A label's characters (Typst's lexer: identifier characters, '_' and '-', plus ':' and '.');
# `\w` stands in for Unicode's XID_Continue.
_LABEL_CHAR = r"[\w:.-]"
_LABEL_NAME = re.compile(r"[\w:.-]+\Z")
_REF = re.compile(rf"@({_LABEL_CHAR}+)")
_LABEL_LITERAL = re.compile(rf"<({_LABEL_CHAR}+)>")
_IDENT = re.compile(r"[A-Za-z_][\w-]*")
_CALLEE_BEFORE = re.compile(r"[A-Za-z_][\w-]*\Z")
_METHOD_CALL = re.compile(r"\.[A-Za-z_][\w-]*(?=[(\[])")
# Statements after '#' that run to the end of their line (their bodies may be blocks).
_LINE_KEYWORDS = re.compile(
    r"(?:let|set|show|import|include|if|for|while|context|return)\b")
_URL = re.compile(r"https?://[^\s<>\[\]\"]*")
# Where to stop in markup and in code: everything else is plain text to the scanner.
_MARKUP_STOP = re.compile(r"https?://|\\|//|/\*|`|\$|#|\[|\]|@|<")
_CODE_STOP = re.compile(r"\"|//|/\*|`|\$|\[|\]|\(|\)|\{|\}|<|,|\n")
_FILE_LINK = re.compile(r"\b(?:include|import)\s*\Z")
_BACKTICKS = re.compile(r"`+")
_FIELD_ACCESS = re.compile(r"\.[A-Za-z_][\w-]*")
_COMMENT_MARK = re.compile(r"/\*|\*/")
_MATH_CLOSE = re.compile(r"(?<!\\)\$")
_STRING_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.DOTALL)
_CITE_LABEL_TYPED = re.compile(r"\s*<([^<>()\n]*)\Z")  # #cite(<typed so far
_REF_TYPED = re.compile(rf"(?<![\w\\])@({_LABEL_CHAR}*)\Z")  # @typed so far


@dataclass
class _Frame:
    """One open construct: the markup root, a content block, or a code group."""

    kind: str  # "markup", "content", "paren", "brace", "line"
    open: int = -1  # offset of its opening character
    callee: str = ""  # for "paren": the function called ('' for a plain group or array)
    embedded: bool = False  # opened by '#' in markup: a call may continue with ( or [
    first_arg: bool = False  # opened as the first argument of the enclosing call
    last_comma: int = -1

    @property
    def is_code(self) -> bool:
        return self.kind in ("paren", "brace", "line")


@dataclass(frozen=True)
class _Found:
    """Something the scanner saw: a reference, a cite label, a label, or a string in code."""

    kind: str  # "ref", "cite", "label", "string"
    start: int
    end: int
    text: str
    bibliography: bool = False  # a string naming a bibliography file
    file_link: bool = False  # a string after `include` or `import`


@dataclass
class _Scan:
    found: list[_Found] = field(default_factory=list)
    stack: list[_Frame] = field(default_factory=lambda: [_Frame("markup")])
    inside: str = ""  # at the end of the text: "string", "raw", "comment", "math", "url", ...
    opaque: list[tuple[int, int]] = field(default_factory=list)  # raw, comments, math


def _scan(text: str) -> _Scan:
    """Walk a Typst text from its start, noting citations, labels and strings on the way."""
    scan = _Scan()
    position = 0
    while position < len(text):
        top = scan.stack[-1]
        finder = _CODE_STOP if top.is_code else _MARKUP_STOP
        match = finder.search(text, position)
        if match is None:
            break
        position = (_code_token if top.is_code else _markup_token)(text, match, scan)
    return scan


def _opaque(text: str, start: int, scan: _Scan) -> int:
    """Skip raw text, a comment or math starting at `start`; the offset after it."""
    if text.startswith("//", start):
        end, kind = _end_of(text, "\n", start), "comment"
    elif text.startswith("/*", start):
        end, kind = _block_comment_end(text, start), "comment"
    elif text[start] == "`":
        end, kind = _raw_end(text, start), "raw"
    else:
        end, kind = _math_end(text, start), "math"
    scan.opaque.append((start, end))
    if end >= len(text) and not _closed(text, start, kind):
        scan.inside = kind
    return end


def _closed(text: str, start: int, kind: str) -> bool:
    """Whether an opaque construct running to the end of the text was closed there."""
    if kind == "comment" and text.startswith("//", start):
        return False  # a line comment is open until its line ends
    body = text[start:]
    closers = {"comment": "*/", "math": "$"}
    if kind == "raw":
        ticks = len(body) - len(body.lstrip("`"))
        return ticks == 2 or (len(body) > ticks and body.endswith("`" * min(ticks, 3)))
    return len(body) > 1 and body.endswith(closers[kind])


def _end_of(text: str, closer: str, start: int) -> int:
    found = text.find(closer, start)
    return len(text) if found < 0 else found


def _block_comment_end(text: str, start: int) -> int:
    depth, position = 0, start
    for match in _COMMENT_MARK.finditer(text, start):
        depth += 1 if match.group() == "/*" else -1
        position = match.end()
        if depth == 0:
            return position
    return len(text)


def _raw_end(text: str, start: int) -> int:
    ticks = len(_BACKTICKS.match(text, start).group())  # type: ignore[union-attr]
    if ticks == 2:
        return start + 2  # `` is empty raw text
    fence = "`" * (1 if ticks == 1 else ticks)
    found = text.find(fence, start + ticks)
    return len(text) if found < 0 else found + len(fence)


def _math_end(text: str, start: int) -> int:
    match = _MATH_CLOSE.search(text, start + 1)
    return match.end() if match else len(text)


def _markup_token(text: str, match: re.Match[str], scan: _Scan) -> int:
    token, start = match.group(), match.start()
    if token.startswith("http"):
        end = _URL.match(text, start).end()  # type: ignore[union-attr]
        if end >= len(text):
            scan.inside = "url"
        return end
    if token == "\\":
        if start + 1 >= len(text):
            scan.inside = "escape"
        return start + 2
    if token in ("//", "/*", "`", "$"):
        return _opaque(text, start, scan)
    if token == "#":
        return _embedded_code(text, start + 1, scan)
    if token == "[":
        scan.stack.append(_Frame("content", start))
        return start + 1
    if token == "]":
        return _close(text, start, "content", scan)
    if token == "@":
        ref = _REF.match(text, start)
        if ref is None or (start > 0 and text[start - 1].isalnum()):
            return start + 1  # an e-mail address, or a lone '@'
        key = ref[1].rstrip(".:")  # sentence punctuation after a reference is not its key
        if key:
            scan.found.append(_Found("ref", start + 1, start + 1 + len(key), key))
        return start + 1 + max(len(key), 1)
    label = _LABEL_LITERAL.match(text, start)  # '<': a label for the element before it
    if label:
        scan.found.append(_Found("label", start + 1, label.end() - 1, label[1]))
        return label.end()
    return start + 1


def _embedded_code(text: str, start: int, scan: _Scan) -> int:
    """Code after '#' in markup: a keyword statement, a call chain, or a group or block."""
    if keyword := _LINE_KEYWORDS.match(text, start):
        scan.stack.append(_Frame("line", start))
        return keyword.end()
    ident = _IDENT.match(text, start)
    position = start
    if ident:
        position = ident.end()
        while (dot := _FIELD_ACCESS.match(text, position)):
            position = dot.end()
    return _continue_call(text, position, scan, ident[0] if ident else "")


def _continue_call(text: str, position: int, scan: _Scan, callee: str) -> int:
    """After an embedded expression's name or closing bracket: does a call continue it?"""
    if method := _METHOD_CALL.match(text, position):
        position, callee = method.end(), method.group()[1:]
    following = text[position:position + 1]
    if following == "(":
        scan.stack.append(_Frame("paren", position, callee, embedded=True))
        return position + 1
    if following == "[":
        scan.stack.append(_Frame("content", position, embedded=True))
        return position + 1
    if following == "{" and not callee:
        scan.stack.append(_Frame("brace", position, embedded=True))
        return position + 1
    return position


def _close(text: str, start: int, kind: str, scan: _Scan) -> int:
    """A closing bracket: end the frame it closes, and see whether an embedded call goes on."""
    top = scan.stack[-1]
    if len(scan.stack) == 1 or top.kind != kind:
        return start + 1  # unbalanced: plain text to Typst's markup, an error in code
    scan.stack.pop()
    if top.embedded and not scan.stack[-1].is_code:
        return _continue_call(text, start + 1, scan, "")
    return start + 1


def _code_token(text: str, match: re.Match[str], scan: _Scan) -> int:
    token, start = match.group(), match.start()
    top = scan.stack[-1]
    if token in ("//", "/*", "`", "$"):
        return _opaque(text, start, scan)
    if token == '"':
        return _string(text, start, scan)
    if token == "\n":
        if top.kind == "line":
            scan.stack.pop()
        return start + 1
    if token == ",":
        top.last_comma = start
        return start + 1
    if token in "([{":
        kind = {"(": "paren", "[": "content", "{": "brace"}[token]
        callee = ""
        if token == "(" and (name := _CALLEE_BEFORE.search(text, max(0, start - 64), start)):
            callee = name.group()
        first = top.kind == "paren" and _at_first_argument(text, top, start - len(callee))
        scan.stack.append(_Frame(kind, start, callee, first_arg=first))
        return start + 1
    if token in ")}]":
        return _close(text, start, {")": "paren", "}": "brace", "]": "content"}[token], scan)
    label = _LABEL_LITERAL.match(text, start)  # '<': a label literal, or less-than
    if label:
        if top.callee == "cite" and _at_first_argument(text, top, start):
            scan.found.append(_Found("cite", start + 1, label.end() - 1, label[1]))
        return label.end()
    return start + 1


def _at_first_argument(text: str, frame: _Frame, position: int) -> bool:
    return frame.last_comma < 0 and not text[frame.open + 1:position].strip()


def _string(text: str, start: int, scan: _Scan) -> int:
    """A string in code: a cited label, a bibliography's file, an included file, or neither."""
    end = _STRING_REST.match(text, start + 1)
    if end is None:
        scan.inside = "string"
        return len(text)
    stack, value = scan.stack, _unescape(text[start + 1:end.end() - 1])
    top = stack[-1]
    parent = stack[-2] if len(stack) > 1 else None
    first = _at_first_argument(text, top, start)
    if (top.callee == "label" and first and top.first_arg and parent is not None
            and parent.callee == "cite"):
        scan.found.append(_Found("cite", start + 1, end.end() - 1, value))
    bibliography = (top.callee == "bibliography" and first) or (
        top.kind == "paren" and not top.callee and top.first_arg and parent is not None
        and parent.callee == "bibliography")
    link = bool(_FILE_LINK.search(text, max(0, start - 16), start))
    scan.found.append(_Found("string", start + 1, end.end() - 1, value, bibliography, link))
    return end.end()


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), value)


# --- what the server asks -------------------------------------------------------------------


def _joined(lines: Sequence[str]) -> str:
    return "\n".join(line.rstrip("\r\n") for line in lines)


def citation_at(lines: Sequence[str], line: int, column: int,
                non_text: frozenset[int] | None = None) -> CiteSpan | None:
    """The citation whose key the cursor is typing, or None where no citation can be.

    `command` is "@" for a reference, "#cite" inside `#cite(<…`, "#cite(label)" inside
    `#cite(label("…`; `keys` are the references next to this one, which Typst prints as one
    citation.
    """
    if not 0 <= line < len(lines) or (non_text is not None and line in non_text):
        return None
    text = lines[line].rstrip("\r\n")
    column = max(0, min(column, len(text)))
    first = _restart_line(lines, line, non_text or frozenset())
    before = _joined(lines[first:line]) + ("\n" if line > first else "") + text[:column]
    scan = _scan(before)
    if scan.inside == "string":
        return _label_string_at(before, scan, line, column)
    if scan.inside:
        return None
    top = scan.stack[-1]
    if top.is_code:
        if top.callee != "cite":
            return None
        argument = _CITE_LABEL_TYPED.match(before, top.open + 1)
        if argument is None or top.last_comma >= 0:
            return None
        typed = argument[1]
        return CiteSpan(TYPST, "#cite", typed, line, column - len(typed), column)
    ref = _REF_TYPED.search(text, 0, column)
    if ref is None or ref[1].startswith(CROSSREF_PREFIXES):
        return None
    typed = ref[1]
    return CiteSpan(TYPST, "@", typed, line, column - len(typed), column,
                    _neighbour_refs(text, ref.start(), column))


# Up to this many characters before the cursor are scanned whole; in a longer document the
# scan starts at the paragraph the cursor is in, so a keystroke's cost does not grow with it.
EXACT_PREFIX = 20_000


def _restart_line(lines: Sequence[str], line: int, non_text: frozenset[int]) -> int:
    """Where the scan for a cursor on `line` starts: the document's start, or (in a long
    document) the nearest paragraph starting at the margin after a blank line, which is
    markup unless a code block spans blank lines there."""
    if sum(len(text) for text in lines[:line]) <= EXACT_PREFIX:
        return 0
    for number in range(line, 0, -1):
        text = lines[number]
        if (not lines[number - 1].strip() and text[:1] not in ("", " ", "\t", ")", "]", "}")
                and number not in non_text and number - 1 not in non_text):
            return number
    return 0


def _label_string_at(before: str, scan: _Scan, line: int, column: int) -> CiteSpan | None:
    """Inside a string: only `label("…` as the first argument of `cite` takes a key."""
    top = scan.stack[-1]
    parent = scan.stack[-2] if len(scan.stack) > 1 else None
    opening = before.rfind('"')
    if not (top.callee == "label" and top.first_arg and parent is not None
            and parent.callee == "cite" and _at_first_argument(before, top, opening)):
        return None
    typed = before[opening + 1:]
    if "\n" in typed:
        return None
    return CiteSpan(TYPST, "#cite(label)", typed, line, column - len(typed), column)


def _neighbour_refs(text: str, at: int, column: int) -> tuple[str, ...]:
    """The references written right before and after this one, spaces only between them."""
    before = re.search(rf"(?:@{_LABEL_CHAR}+\s+)+\Z", text[:at])
    after = re.match(rf"{_LABEL_CHAR}*((?:\s+@{_LABEL_CHAR}+)+)", text[column:])
    keys = _REF.findall(before.group()) if before else []
    keys += _REF.findall(after[1]) if after else []
    return tuple(key.rstrip(".:") for key in keys)


def key_insertion(span: CiteSpan, key: str) -> tuple[int, str]:
    """Where the edit for `key` starts and the text that replaces the span up to `span.end`.

    A key Typst cannot read after '@' or between '<' and '>' (a slash, a space, a trailing
    period) is written as `label("key")`, replacing the '@' or '<' as well.
    """
    plain = bool(_LABEL_NAME.match(key)) and not key.endswith((".", ":"))
    quoted = '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if span.command == "#cite(label)":
        return span.start, quoted[1:-1]
    if plain:
        return span.start, key
    if span.command == "#cite":
        return span.start - 1, f"label({quoted})"
    return span.start - 1, f"#cite(label({quoted}))"


def cited_keys(lines: Sequence[str]) -> list[KeySpan]:
    """Every key a Typst file cites, in order; references to its own labels (a figure, a
    heading) are not citations."""
    scan = _scan(_joined(lines))
    labels = {found.text for found in scan.found if found.kind == "label"}
    starts = _line_starts(lines)
    spans = []
    for found in scan.found:
        if found.kind == "cite" or (found.kind == "ref" and found.text not in labels
                                    and not found.text.startswith(CROSSREF_PREFIXES)):
            number = _line_of(starts, found.start)
            spans.append(KeySpan(found.text, number, found.start - starts[number],
                                 found.end - starts[number]))
    return spans


def defined_labels(lines: Sequence[str]) -> set[str]:
    """The labels a Typst file puts on its own elements (`= Intro <intro>`)."""
    return {found.text for found in _scan(_joined(lines)).found if found.kind == "label"}


def non_text_lines(lines: Sequence[str]) -> frozenset[int]:
    """Lines wholly inside raw text, a comment or math: no citation can be on them."""
    scan = _scan(_joined(lines))
    starts = _line_starts(lines)
    inside: set[int] = set()
    for start, end in scan.opaque:
        first, last = _line_of(starts, start), _line_of(starts, max(start, end - 1))
        for number in range(first, last + 1):
            line_start = starts[number]
            line_end = line_start + len(lines[number].rstrip("\r\n"))
            if start <= line_start + _indent(lines[number]) and end >= line_end:
                inside.add(number)
    return frozenset(inside)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _line_starts(lines: Sequence[str]) -> list[int]:
    starts, offset = [], 0
    for text in lines:
        starts.append(offset)
        offset += len(text.rstrip("\r\n")) + 1
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    return max(0, bisect_right(starts, offset) - 1)


def declared_bibliographies(text: str) -> list[str]:
    """The bibliography files a Typst file names, as written: `#bibliography("refs.bib")`,
    `#bibliography(("a.bib", "b.yml"))`."""
    return [found.text for found in _scan(text).found if found.bibliography]


# --- the project a chapter belongs to ---------------------------------------------------------


def linked_files(path: PurePath, text: str, root: PurePath | None = None) -> list[PurePath]:
    """The files a Typst file includes or imports, resolved as Typst does: relative to the
    file, or to the project root for a path starting with '/'; packages (`@preview/…`) left out.
    """
    links = []
    for found in _scan(text).found:
        if found.kind == "string" and found.file_link and not found.text.startswith("@"):
            links.append(_resolve(path, found.text, root))
    return links


def _resolve(path: PurePath, name: str, root: PurePath | None) -> PurePath:
    base = (root or path.parent) if name.startswith("/") else path.parent
    parts: list[str] = []
    for part in (base / name.lstrip("/")).parts:
        if part == ".." and parts and parts[-1] not in ("..", base.anchor):
            parts.pop()
        elif part != ".":
            parts.append(part)
    return type(path)(*parts) if parts else PurePosixPath(".")


def main_file(document: PurePath, texts: Mapping[PurePath, str],
              root: PurePath | None = None) -> PurePath:
    """The project's main file for a chapter: the file that includes (or imports) it, followed
    up to a file nothing includes; the document itself when no file does."""
    includers: dict[PurePath, PurePath] = {}
    for path, text in texts.items():
        for linked in linked_files(path, text, root):
            includers.setdefault(linked, path)
    current, seen = document, {document}
    while (parent := includers.get(current)) is not None and parent not in seen:
        seen.add(parent)
        current = parent
    return current


def bibliography_files(document: PurePath, texts: Mapping[PurePath, str],
                       root: PurePath | None = None) -> list[PurePath]:
    """Every bibliography a Typst file uses: those it declares, those its main file declares,
    and those of the files either imports or includes (a template that calls `bibliography`),
    each resolved against the file that names it. `texts` holds the project's .typ files."""
    start = main_file(document, texts, root)
    order, queue = [], [document, start]
    while queue:
        path = queue.pop(0)
        if path in order or path not in texts:
            continue
        order.append(path)
        queue.extend(linked_files(path, texts[path], root))
    found: list[PurePath] = []
    for path in order:
        for name in declared_bibliographies(texts[path]):
            resolved = _resolve(path, name, root)
            if resolved not in found:
                found.append(resolved)
    return found
