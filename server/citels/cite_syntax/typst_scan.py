"""A small Typst scanner: what of a Typst text is markup, code, a string, raw text, a comment
or math, and the references, cite labels, labels and strings it holds.

It walks the text the way Typst's lexer does (markup; code embedded after '#'; content blocks
`[…]` inside code; strings; raw text; comments; math) without building a tree, using regular
expressions to jump between the characters that can change what comes next. `typst_syntax`
and `typst_project` read its report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TYPST = "typst"

# A label's characters (Typst's lexer: identifier characters, '_' and '-', plus ':' and '.');
# `\w` stands in for Unicode's XID_Continue.
LABEL_CHAR = r"[\w:.-]"
LABEL_NAME = re.compile(r"[\w:.-]+\Z")
REF = re.compile(rf"@({LABEL_CHAR}+)")
_LABEL_LITERAL = re.compile(rf"<({LABEL_CHAR}+)>")
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
CITE_LABEL_TYPED = re.compile(r"\s*<([^<>()\n]*)\Z")  # #cite(<typed so far
REF_TYPED = re.compile(rf"(?<![\w\\])@({LABEL_CHAR}*)\Z")  # @typed so far


@dataclass
class Frame:
    """One open construct: the markup root, a content block, or a code group."""

    kind: str  # "markup", "content", "paren", "brace", "line"
    open: int = -1  # offset of its opening character
    callee: str = ""  # for "paren": the function called ('' for a plain group or array)
    embedded: bool = False  # opened by '#' in markup: a call may continue with ( or [
    first_arg: bool = False  # opened as the first argument of the enclosing call
    last_comma: int = -1

    @property
    def is_code(self) -> bool:
        """Whether this frame holds code (arguments, a block, a `#` line), not markup."""
        return self.kind in ("paren", "brace", "line")


@dataclass(frozen=True)
class Found:
    """Something the scanner saw: a reference, a cite label, a label, or a string in code."""

    kind: str  # "ref", "cite", "label", "string"
    start: int
    end: int
    text: str
    bibliography: bool = False  # a string naming a bibliography file
    file_link: bool = False  # a string after `include` or `import`


@dataclass
class Scan:
    """What a scan saw: citations, labels and strings, the frames still open at the end of
    the text, and the raw, comment and math stretches where nothing counts."""

    found: list[Found] = field(default_factory=list)
    stack: list[Frame] = field(default_factory=lambda: [Frame("markup")])
    inside: str = ""  # at the end of the text: "string", "raw", "comment", "math", "url", ...
    opaque: list[tuple[int, int]] = field(default_factory=list)  # raw, comments, math


def scan(text: str) -> Scan:
    """Walk a Typst text from its start, noting citations, labels and strings on the way."""
    report = Scan()
    position = 0
    while position < len(text):
        top = report.stack[-1]
        finder = _CODE_STOP if top.is_code else _MARKUP_STOP
        match = finder.search(text, position)
        if match is None:
            break
        position = (_code_token if top.is_code else _markup_token)(text, match, report)
    return report


def _opaque(text: str, start: int, scan: Scan) -> int:
    """Skip raw text, a comment or math starting at `start`; the offset after it. One still
    open where the text ends is what the end of the text is inside."""
    if text.startswith("//", start):
        newline = text.find("\n", start)
        end, kind = (newline if newline >= 0 else None), "comment"
    elif text.startswith("/*", start):
        end, kind = _block_comment_end(text, start), "comment"
    elif text[start] == "`":
        end, kind = _raw_end(text, start), "raw"
    else:
        math = _MATH_CLOSE.search(text, start + 1)
        end, kind = (math.end() if math else None), "math"
    if end is None:
        scan.inside = kind
        end = len(text)
    scan.opaque.append((start, end))
    return end


def _block_comment_end(text: str, start: int) -> int | None:
    depth = 0
    for match in _COMMENT_MARK.finditer(text, start):
        depth += 1 if match.group() == "/*" else -1
        if depth == 0:
            return match.end()
    return None


def _raw_end(text: str, start: int) -> int | None:
    ticks = len(_BACKTICKS.match(text, start).group())  # type: ignore[union-attr]
    if ticks == 2:
        return start + 2  # `` is empty raw text
    fence = "`" * (1 if ticks == 1 else ticks)
    found = text.find(fence, start + ticks)
    return None if found < 0 else found + len(fence)


def _markup_token(text: str, match: re.Match[str], scan: Scan) -> int:
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
        scan.stack.append(Frame("content", start))
        return start + 1
    if token == "]":
        return _close(text, start, "content", scan)
    if token == "@":
        ref = REF.match(text, start)
        if ref is None or (start > 0 and text[start - 1].isalnum()):
            return start + 1  # an e-mail address, or a lone '@'
        key = ref[1].rstrip(".:")  # sentence punctuation after a reference is not its key
        if key:
            scan.found.append(Found("ref", start + 1, start + 1 + len(key), key))
        return start + 1 + max(len(key), 1)
    label = _LABEL_LITERAL.match(text, start)  # '<': a label for the element before it
    if label:
        scan.found.append(Found("label", start + 1, label.end() - 1, label[1]))
        return label.end()
    return start + 1


def _embedded_code(text: str, start: int, scan: Scan) -> int:
    """Code after '#' in markup: a keyword statement, a call chain, or a group or block."""
    if keyword := _LINE_KEYWORDS.match(text, start):
        scan.stack.append(Frame("line", start))
        return keyword.end()
    ident = _IDENT.match(text, start)
    position = start
    if ident:
        position = ident.end()
        while (dot := _FIELD_ACCESS.match(text, position)):
            position = dot.end()
    return _continue_call(text, position, scan, ident[0] if ident else "")


def _continue_call(text: str, position: int, scan: Scan, callee: str) -> int:
    """After an embedded expression's name or closing bracket: does a call continue it?"""
    if method := _METHOD_CALL.match(text, position):
        position, callee = method.end(), method.group()[1:]
    following = text[position:position + 1]
    if following == "(":
        scan.stack.append(Frame("paren", position, callee, embedded=True))
        return position + 1
    if following == "[":
        scan.stack.append(Frame("content", position, embedded=True))
        return position + 1
    if following == "{" and not callee:
        scan.stack.append(Frame("brace", position, embedded=True))
        return position + 1
    return position


def _close(text: str, start: int, kind: str, scan: Scan) -> int:
    """A closing bracket: end the frame it closes, and see whether an embedded call goes on."""
    top = scan.stack[-1]
    if len(scan.stack) == 1 or top.kind != kind:
        return start + 1  # unbalanced: plain text to Typst's markup, an error in code
    scan.stack.pop()
    if top.embedded and not scan.stack[-1].is_code:
        return _continue_call(text, start + 1, scan, "")
    return start + 1


def _code_token(text: str, match: re.Match[str], scan: Scan) -> int:
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
        first = top.kind == "paren" and at_first_argument(text, top, start - len(callee))
        scan.stack.append(Frame(kind, start, callee, first_arg=first))
        return start + 1
    if token in ")}]":
        return _close(text, start, {")": "paren", "}": "brace", "]": "content"}[token], scan)
    label = _LABEL_LITERAL.match(text, start)  # '<': a label literal, or less-than
    if label:
        if top.callee == "cite" and at_first_argument(text, top, start):
            scan.found.append(Found("cite", start + 1, label.end() - 1, label[1]))
        return label.end()
    return start + 1


def at_first_argument(text: str, frame: Frame, position: int) -> bool:
    """Whether `position` is still in the call's first argument (no comma, nothing before)."""
    return frame.last_comma < 0 and not text[frame.open + 1:position].strip()


def _string(text: str, start: int, scan: Scan) -> int:
    """A string in code: a cited label, a bibliography's file, an included file, or neither."""
    end = _STRING_REST.match(text, start + 1)
    if end is None:
        scan.inside = "string"
        return len(text)
    stack, value = scan.stack, _unescape(text[start + 1:end.end() - 1])
    top = stack[-1]
    parent = stack[-2] if len(stack) > 1 else None
    first = at_first_argument(text, top, start)
    if (top.callee == "label" and first and top.first_arg and parent is not None
            and parent.callee == "cite"):
        scan.found.append(Found("cite", start + 1, end.end() - 1, value))
    bibliography = (top.callee == "bibliography" and first) or (
        top.kind == "paren" and not top.callee and top.first_arg and parent is not None
        and parent.callee == "bibliography")
    link = bool(_FILE_LINK.search(text, max(0, start - 16), start))
    scan.found.append(Found("string", start + 1, end.end() - 1, value, bibliography, link))
    return end.end()


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), value)
