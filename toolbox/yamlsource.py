"""Read one YAML file into plain data plus the position of every key and value.

PyYAML's C loader (``CSafeLoader``) composes a node tree that still knows where each node
starts; the data is constructed from that same tree and a walk over it records positions under
a path of keys and indices. Nothing here knows about records: it only turns bytes into data and
reports, as :class:`Problem`, everything that stops a file from being read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """The C loader with YAML 1.2 scalars: dates stay text (the schema checks them, so
    2021-02-30 is a problem, not a crash) and only true/false are booleans, so ``country: NO``
    and a key ``no:`` stay text."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                 re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), [_first])

PathKey = tuple[str | int, ...]
Pos = tuple[int, int]

#: Limits that keep a hostile or broken file from eating memory (see docs/records.md).
MAX_FILE_BYTES = 1_000_000
MAX_NODES = 50_000
MAX_DEPTH = 40

_STR_TAG = "tag:yaml.org,2002:str"
#: Scalar types whose constructors raise plain Python errors on values the resolver (or an
#: explicit tag such as ``!!int``) let through: ``0x_`` resolves as an int, ``!!float`` may be empty.
_FRAGILE_TAGS = {
    "tag:yaml.org,2002:int": ("a whole number", "write digits only, e.g. 2500, or quote the value to keep it as text"),
    "tag:yaml.org,2002:float": ("a number", "write digits, e.g. 2137.5, or quote the value to keep it as text"),
    "tag:yaml.org,2002:bool": ("true or false", "write true or false, or quote the value to keep it as text"),
    "tag:yaml.org,2002:timestamp": ("a date",
                                    "write a date that exists as YYYY-MM-DD, or remove the '!!timestamp' tag"),
}
#: Line breaks as YAML counts them (CR, LF, CR LF, NEL, LS, PS), so that every position this
#: module reports is on the line libyaml's own marks would name.
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


@dataclass
class YamlDocument:
    """A parsed mapping file. Positions are 1-based (line, column)."""

    path: str
    data: dict[str, Any]
    values: dict[PathKey, Pos] = field(default_factory=dict)
    keys: dict[PathKey, Pos] = field(default_factory=dict)

    def pos(self, path: PathKey) -> Pos:
        """Where the value at ``path`` starts, or its nearest known ancestor."""
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def key_pos(self, path: PathKey) -> Pos:
        return self.keys.get(path) or self.pos(path)


def _mark(node: yaml.Node) -> Pos:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _position(text: str) -> Pos:
    """The 1-based (line, column) just after ``text``, counting lines as YAML does."""
    breaks = list(_LINE_BREAK.finditer(text))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, len(text) - start + 1


def one_line(text: str) -> str:
    """``text`` with control characters and line separators written as escapes (``\\n``), so a
    key or value quoted in a message cannot break the ``path:line:col: message`` line."""
    if text.isprintable():
        return text
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp", "Cs") else c for c in text)


def read_yaml_file(path: Path, display: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``path``; return the document, or ``None`` with the problems that stopped it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(display, 0, 0, "", f"cannot read file: {exc.strerror}")]
    return parse_yaml_bytes(raw, display)


def parse_yaml_bytes(raw: bytes, display: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse bytes. Duplicate or non-text keys are reported but do not stop the document."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Problem(
                display, 1, 1, "",
                f"file is {len(raw):,} bytes, more than the limit of {MAX_FILE_BYTES:,}",
                "split the record or move long material to a linked document",
            )
        ]
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # everything before the first bad byte is valid UTF-8
        line, column = _position(body[: exc.start].decode("utf-8"))
        return None, [
            Problem(
                display, line, column, "",
                f"not valid UTF-8 (byte 0x{body[exc.start]:02x})",
                "save the file as UTF-8 in your editor",
            )
        ]
    if not text.strip():
        return None, [Problem(display, 1, 1, "", "file is empty", "fill in the record or delete the file")]
    if all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return None, [Problem(display, 1, 1, "", "file holds only comments, no record",
                              "fill in the record below the comments, or delete the file")]

    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(display, 1, 1, "", "file is empty", "fill in the record or delete the file")]
        problems: list[Problem] = []
        doc = YamlDocument(display, {})
        count = [0]
        _walk(node, (), doc, problems, count, 0, display, loader)
        if count[0] > MAX_NODES:
            return None, problems
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(exc, display, text)]
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(exc, display, text)]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [Problem(display, 1, 1, "", f"YAML error: {one_line(str(exc))}")]
    except RecursionError:
        return None, [Problem(display, 1, 1, "", "YAML nesting is too deep",
                              "records are a few levels deep; look for runaway brackets or indentation")]
    finally:
        loader.dispose()
    if data is None:
        return None, [Problem(display, 1, 1, "", "file is empty", "fill in the record or delete the file")]
    if not isinstance(data, dict):
        line, col = _mark(node)
        kind = ("a list" if isinstance(data, list) else "a single text" if isinstance(data, str)
                else "true/false" if isinstance(data, bool) else "a single number")
        return None, [
            Problem(display, line, col, "", f"the file holds {kind}, not a mapping of fields",
                    "a record starts with 'title:' at the left margin")
        ]
    doc.data = data
    return doc, problems


def _reader_problem(exc: yaml.reader.ReaderError, display: str, text: str) -> Problem:
    """A character YAML refuses (control characters, U+FFFE …), at its own line and column.

    libyaml gives the offset in the UTF-8 bytes of the text, and its message names the input as
    "<unicode string>" and spans two lines, so the problem is built here from the character."""
    char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)[:1]
    index = len(text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore"))
    if text[index: index + 1] != char:
        index = max(text.find(char), 0)
    line, column = _position(text[:index])
    code = f"U+{ord(char):04X}" if char else "a character"
    kind = "control character" if unicodedata.category(char[:1] or " ") == "Cc" else "character"
    return Problem(display, line, column, "", f"{kind} {code} is not allowed in a YAML file",
                   "delete it; editors often do not show it (it may have come in with pasted text)")


def _yaml_problem(exc: yaml.MarkedYAMLError, display: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "YAML syntax error"
    message = f"YAML syntax error: {problem}"
    if exc.context:
        message += f" ({exc.context}"
        if exc.context_mark and exc.context_mark is not mark:
            message += f" at line {exc.context_mark.line + 1}"
        message += ")"
    hint = "check indentation and quoting around this position"
    lines = _LINE_BREAK.split(text)
    at_char = lines[line - 1][col - 1: col] if 0 < line <= len(lines) else ""
    tag = re.search(r"tag '([^']*)'", problem)
    if "could not determine a constructor" in problem and tag:
        name = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        message = f"YAML tag not allowed: '{one_line(name)}'"
        hint = "records hold plain data only; remove the '!' tag"
    elif at_char == "\t" or "tab" in problem.lower():
        hint = "YAML does not allow tabs for indentation; use spaces"
    elif "mapping values are not allowed" in problem:
        hint = "a value containing ': ' must be quoted, e.g. title: \"Ideas: a workshop\""
    return Problem(display, line, col, "", one_line(message), hint)


def _walk(
    node: yaml.Node,
    path: PathKey,
    doc: YamlDocument,
    problems: list[Problem],
    count: list[int],
    depth: int,
    display: str,
    loader: Loader,
) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        if count[0] == MAX_NODES + 1:
            line, col = _mark(node)
            problems.append(
                Problem(display, line, col, "", f"more than {MAX_NODES:,} YAML nodes (aliases included)",
                        "remove anchors/aliases or split the file")
            )
        return
    if depth > MAX_DEPTH:
        line, col = _mark(node)
        problems.append(Problem(display, line, col, "", f"nesting deeper than {MAX_DEPTH} levels",
                                "records are a few levels deep; look for runaway brackets or indentation"))
        count[0] = MAX_NODES + 2  # stop reporting further
        return
    doc.values[path] = _mark(node)
    if isinstance(node, yaml.ScalarNode) and node.tag in _FRAGILE_TAGS:
        try:
            # constructed now, where the node's position is known; construct_document reuses it
            loader.construct_object(node)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            line, col = _mark(node)
            what, hint = _FRAGILE_TAGS[node.tag]
            problems.append(Problem(display, line, col, _dotted(path),
                                    f"{one_line(repr(node.value))} is not {what}", hint))
            # read on as text, so the rest of the file is still checked (PyYAML leaves a node
            # whose constructor failed marked as being built)
            node.tag = _STR_TAG
            loader.recursive_objects.pop(node, None)
    elif isinstance(node, yaml.MappingNode):
        seen: dict[str, Pos] = {}
        walked: dict[str, yaml.Node] = {}
        kept: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR_TAG:
                line, col = _mark(key_node)
                raw = key_node.value if isinstance(key_node, yaml.ScalarNode) else "…"
                if key_node.tag == "tag:yaml.org,2002:merge":
                    message, hint = "YAML merge keys ('<<') are not supported", "write the fields out in full"
                else:
                    message = f"key {one_line(repr(raw))} is not a plain name"
                    hint = (f"quote the key, e.g. '{one_line(raw)}': …"
                            if key_node.tag.endswith(("bool", "int", "float", "null", "timestamp"))
                            else "keys must be plain words")
                problems.append(Problem(display, line, col, _dotted(path), message, hint))
                continue
            key = key_node.value
            kpos = _mark(key_node)
            if key in seen:
                problems.append(
                    Problem(display, kpos[0], kpos[1], _dotted((*path, key)),
                            f"duplicate key (first given at line {seen[key][0]})",
                            "remove one of the two; YAML keeps only the last")
                )
                # YAML keeps the last value, so positions must describe that one. Only the
                # paths under the earlier value are dropped: scanning the whole table for each
                # repeat made a file of many keys and many repeats quadratic (minutes at 1 MB).
                # A walk cut short by the limits has already failed the file.
                if count[0] <= MAX_NODES:
                    for stale in _paths(walked[key], (*path, key), depth + 1):
                        doc.values.pop(stale, None)
                        doc.keys.pop(stale, None)
            seen.setdefault(key, kpos)
            walked[key] = value_node
            doc.keys[(*path, key)] = kpos
            kept.append((key_node, value_node))
            _walk(value_node, (*path, key), doc, problems, count, depth + 1, display, loader)
        if len(kept) < len(node.value):
            # Pairs under a key that is not text are reported and never read, so they are not
            # built either: their value was not walked, and building 0x_ or '!!timestamp x' raised
            # (found by fuzzing: '0: !!timestamp'). A merge key goes too, which also keeps a
            # '<<' from pulling fields in while it is reported.
            node.value = kept
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), doc, problems, count, depth + 1, display, loader)


def _paths(node: yaml.Node, path: PathKey, depth: int) -> Iterator[PathKey]:
    """The paths ``_walk`` recorded for ``node`` at ``path`` (no more nodes than it walked)."""
    yield path
    if depth > MAX_DEPTH:
        return
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _STR_TAG:
                yield from _paths(value_node, (*path, key_node.value), depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _paths(item, (*path, i), depth + 1)


def _dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{one_line(part)}" if out else one_line(part))
    return out


dotted = _dotted
