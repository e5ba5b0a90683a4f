"""Read one YAML file into plain data plus the position of every key and value.

PyYAML's C loader (``CSafeLoader``) composes a node tree that still knows where each node
starts; the data is constructed from that same tree and a walk over it records positions under
a path of keys and indices. Nothing here knows about records: it only turns bytes into data and
reports, as :class:`Problem`, everything that stops a file from being read.
"""

from __future__ import annotations

import re
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
        before = body[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(body[line_start: exc.start].decode("utf-8", errors="replace")) + 1
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
        _walk(node, (), doc, problems, count, 0, display)
        if count[0] > MAX_NODES:
            return None, problems
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(exc, display, text)]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [Problem(display, 1, 1, "", f"YAML error: {exc}")]
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
    lines = text.splitlines()
    at_char = lines[line - 1][col - 1: col] if 0 < line <= len(lines) else ""
    tag = re.search(r"tag '([^']*)'", problem)
    if "could not determine a constructor" in problem and tag:
        name = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        message = f"YAML tag not allowed: '{name}'"
        hint = "records hold plain data only; remove the '!' tag"
    elif at_char == "\t" or "tab" in problem.lower():
        hint = "YAML does not allow tabs for indentation; use spaces"
    elif "mapping values are not allowed" in problem:
        hint = "a value containing ': ' must be quoted, e.g. title: \"Ideas: a workshop\""
    return Problem(display, line, col, "", message, hint)


def _walk(
    node: yaml.Node,
    path: PathKey,
    doc: YamlDocument,
    problems: list[Problem],
    count: list[int],
    depth: int,
    display: str,
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
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, Pos] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR_TAG:
                line, col = _mark(key_node)
                raw = key_node.value if isinstance(key_node, yaml.ScalarNode) else "…"
                problems.append(
                    Problem(display, line, col, _dotted(path), f"key {raw!r} is not a plain name",
                            f"quote the key, e.g. '{raw}': …" if key_node.tag.endswith(("bool", "int", "float", "null"))
                            else "keys must be plain words")
                )
                continue
            key = key_node.value
            kpos = _mark(key_node)
            if key in seen:
                problems.append(
                    Problem(display, kpos[0], kpos[1], _dotted((*path, key)),
                            f"duplicate key (first given at line {seen[key][0]})",
                            "remove one of the two; YAML keeps only the last")
                )
                # YAML keeps the last value, so positions must describe that one
                prefix = (*path, key)
                for table in (doc.values, doc.keys):
                    for stale in [p for p in table if p[: len(prefix)] == prefix]:
                        del table[stale]
            seen.setdefault(key, kpos)
            doc.keys[(*path, key)] = kpos
            _walk(value_node, (*path, key), doc, problems, count, depth + 1, display)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), doc, problems, count, depth + 1, display)


def _dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


dotted = _dotted
