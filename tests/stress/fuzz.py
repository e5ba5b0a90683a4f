"""Fuzz the recipe loader, the query path and the YAML record loader for a fixed time.

    python tests/stress/fuzz.py --seconds 300 [--target recipe|query|yaml|all] [--engine auto|atheris|hypothesis]

``--seconds`` is the time of each target (``all`` runs the three one after the other). Targets:

- ``recipe``: ``toolbox.recipe.load_recipe`` on random bytes, on mutations of the shipped recipes
  (``methods/recipes/*.yaml``) and on generated recipes; recipes that load are assembled
  (``handbook.assemble``: their queries run against an index of a copy of the shipped content)
  and every eighth is rendered to HTML.
- ``query``: ``Toolbox.search`` with random query strings (Whoosh syntax, operators, unbalanced
  quotes, control characters, lone surrogates as the CLI receives undecodable bytes, long
  strings), filter values, languages, sorts and limits; every eighth input also goes through
  the CLI (``toolbox search``, click's runner) and the web app (``/``, ``/api/search``,
  ``/export.csv``, ``/export.json`` through Flask's test client).
- ``yaml``: ``yamlsource.parse_yaml_bytes`` + ``validate.check_record`` (as method, pilot and
  region) on random bytes, mutations of the shipped records and generated YAML; records that
  validate are turned into index documents and JSON; every sixteenth input is loaded by
  ``project.load_catalogue`` from a temporary project.

The properties, everywhere: no exception but the ``ToolboxError`` the API documents (``QueryError``
from a search, ``ContentError`` from a recipe, nothing at all from the YAML loader, which reports
``Problem`` values); every problem of a file has a 1-based line and column inside the file and a
one-line message; the CLI exits 0, 1 or 2 with a message and never prints a traceback; the web app
answers 200 or 400; and no input takes longer than ``--per-input`` seconds (a hang; inputs over
``--slow`` seconds are listed as slow, except those a target accepts as slow by design: wildcards
and ranges in a query).

Engines: ``atheris`` (coverage-guided libFuzzer, used when ``pip install atheris`` worked; each
target runs in a child process because libFuzzer runs once per process) or ``hypothesis``
(random generation from the strategies below, in batches until the time is up). The test suite
runs every target for a fixed number of examples with the hypothesis engine
(``tests/test_properties.py``).

At the end it prints, per target: inputs tried, seconds, and every finding with the input that
triggered it (shrunk, unless ``--no-shrink``); ``--save DIR`` also writes each input to a file,
which ``--replay FILE --target T`` runs again. Exit status 1 if anything but slow inputs was found.
Results of the runs: docs/reliability.md, section "Random input".
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
TARGETS = ("recipe", "query", "yaml")
AXES = ("audience", "sector", "region", "effort", "kind")
#: Modules atheris instruments for coverage: the toolbox and the parsers it feeds. Flask, click and
#: Jinja2 are left out: instrumenting them made the query target five times slower.
INSTRUMENTED = ("toolbox", "whoosh", "yaml", "markdown_it")


class InputTimeout(BaseException):
    """Raised by the per-input timer. A BaseException, so that the library's own ``except
    Exception`` (Whoosh's parser errors are caught that way) cannot swallow it."""


@dataclass
class Finding:
    target: str
    kind: str  # crash, hang, slow, problem, invariant, cli, web
    signature: str  # what makes two findings the same bug
    detail: str
    data: bytes
    count: int = 1
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "kind": self.kind, "signature": self.signature, "detail": self.detail,
                "data": base64.b64encode(self.data).decode(), "count": self.count, "seconds": self.seconds}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Finding:
        return cls(raw["target"], raw["kind"], raw["signature"], raw["detail"], base64.b64decode(raw["data"]),
                   raw["count"], raw["seconds"])


#: What a check reports besides raising: (kind, signature, detail).
Violation = tuple[str, str, str]


def exception_signature(exc: BaseException) -> str:
    """The exception type and the innermost frame in the toolbox's code (else the innermost
    frame at all): the same bug reached by different inputs gets one finding."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f"{os.sep}toolbox{os.sep}" in f.filename]
    frame = (ours or frames or [None])[-1]
    where = f" in {Path(frame.filename).name}:{frame.lineno} ({frame.name})" if frame else ""
    return f"{type(exc).__name__}{where}"


def short(value: object, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


# --------------------------------------------------------------------------- mutations

#: Byte strings that mean something to YAML, to the schema or to Whoosh's query parser.
YAML_TOKENS = [
    b": ", b"- ", b"[", b"]", b"{", b"}", b", ", b"&a ", b"*a", b"&b ", b"*b", b"!!int ", b"!!float ", b"!!bool ",
    b"!!binary ", b"!!timestamp ", b"!!set ", b"!!omap ", b"!!pairs ", b"!!null ", b"!!str ", b"!!map ", b"!!seq ",
    b"!!python/object:os.system ", b"!foo ", b"!<tag:yaml.org,2002:int> ", b"<<: ", b"<<: *a", b"? ", b"|", b">-",
    b"|+2", b"'", b'"', b"#", b"\t", b"\r", b"\r\n", b"\n", b"\x00", b"\x01", b"\x7f", b"\xef\xbb\xbf", b"\xff",
    b"\xc3", b"\xc2\x85", b"\xe2\x80\xa8", b"\xef\xbf\xbe", b"---\n", b"...\n", b"%YAML 1.1\n---\n",
    b"%TAG ! tag:x,2000:\n---\n", b"~", b"null", b".nan", b".NaN", b".inf", b"-.inf", b"1e400", b"-1e400", b"0x1F",
    b"0o17", b"0b101", b"1_000", b"99999999999999999999999999", b"-1", b"0", b"1.5", b"2021-02-30", b"2021-13",
    b"0000", b"2001-12-14t21:59:43.10-05:00", b"true", b"NO", b"yes", b"en:", b"de: ", b"xx: ", b"en: ", b"title:",
    b"summary:", b"effort:", b"level: ", b"low", b"medium", b"budget_eur: ", b"participants: ", b"min: ", b"max: ",
    b"staff_days: ", b"region: ", b"methods: ", b"pilots: ", b"related: ", b"period: ", b"start: ", b"end: ",
    b"population: ", b"value: ", b"year: ", b"area_km2: ", b"country: ", b"nuts: ", b"industries: ",
    b"settlement: ", b"translations:\n  de:\n    title: ", b"sources:\n  - title: x\n    url: ", b"https://",
    b"audience: ", b"sector: ", b"steps:\n  - en: ", b"sections:", b"include:", b"- query: ", b"kind: ",
    b"limit: ", b"sort: ", b"lang: ", b"paper: ", b"appendix: ", b"glossary: ", b"pilot_pages: ",
    b"industrial-hackathon", b"chemnitz", b"public-administration", b"\xc3\xa4", b"\xc5\x81\xc4\x85ka",
    b"\xe6\x97\xa5\xe6\x9c\xac", b"\xd0\x96", b"\xf0\x9f\x98\x80", b"\xcc\x81",
]


def _line_spans(data: bytes) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer(rb"\n", data):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(data):
        spans.append((start, len(data)))
    return spans


def mutate(data: bytes, ops: Sequence[tuple[int, int, int]], tokens: Sequence[bytes] = YAML_TOKENS) -> bytes:
    """Apply edits chosen by numbers (so that hypothesis can draw and replay them): byte flips,
    deletions, token insertions, line copies, swaps and re-indentation, truncation, repeats."""
    out = bytearray(data)
    for op, a, b in ops:
        n = len(out)
        pos = a % (n + 1)
        token = tokens[b % len(tokens)]
        kind = op % 12
        if kind == 0 and n:
            out[pos % n] ^= 1 << (b % 8)
        elif kind == 1 and n:
            del out[pos: pos + 1 + b % 64]
        elif kind == 2:
            out[pos:pos] = token
        elif kind in (3, 4, 5, 6):
            lines = _line_spans(bytes(out))
            if not lines:
                out[pos:pos] = token
                continue
            i = a % len(lines)
            j = b % len(lines)
            s, e = lines[i]
            line = bytes(out[s:e])
            if kind == 3:
                out[s:s] = line if line.endswith(b"\n") else line + b"\n"
            elif kind == 4:
                del out[s:e]
            elif kind == 5:
                s2, e2 = lines[j]
                if s2 > s:
                    other = bytes(out[s2:e2])
                    out[s2:e2] = line
                    out[s:e] = other
            else:
                indent = (b" ", b"  ", b"\t", b"    ", b"")[b % 5]
                stripped = line.lstrip(b" ") if b % 2 else line
                out[s:e] = indent + stripped
        elif kind == 7:
            colon = out.find(b": ", pos)
            if colon >= 0:
                end = out.find(b"\n", colon)
                out[colon + 2: end if end >= 0 else len(out)] = token
        elif kind == 8:
            del out[pos:]
        elif kind == 9:
            out[pos:pos] = bytes((b >> (8 * k)) & 0xFF for k in range(1 + b % 4))
        elif kind == 10 and n:
            start = pos % n
            chunk = bytes(out[start: start + 1 + b % 40])
            out[pos:pos] = chunk * (1 + a % 200)
        elif kind == 11:
            depth = 1 + b % 60
            out[pos:pos] = b"[" * depth + token + b"]" * (depth - a % 2)
        if len(out) > 200_000:  # keep inputs cheap; the size limit itself is tested elsewhere
            del out[200_000:]
    return bytes(out)


def mutation_ops() -> st.SearchStrategy[list[tuple[int, int, int]]]:
    return st.lists(st.tuples(st.integers(0, 11), st.integers(0, 2**32), st.integers(0, 2**32)), min_size=1,
                    max_size=8)


def mutated(seeds: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    return st.builds(mutate, st.sampled_from(list(seeds)), mutation_ops())


yaml_scalars = st.one_of(
    st.text(max_size=30), st.integers(-(2**70), 2**70), st.floats(), st.booleans(), st.none(),
    st.sampled_from(["low", "medium", "high", "en", "de", "https://example.org/x", "2020-09", "industrial-hackathon",
                     "chemnitz", "public-administration", "design", "method", "pilot", "region", "hackathon",
                     "title: x", "- a", "*a", "&a", "!!int x", "\t", "\x85", "\u2028", "Łąka", "日本"]),
)


def yaml_values(keys: Sequence[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        yaml_scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.one_of(st.sampled_from(list(keys)), st.text(max_size=10)), children, max_size=5),
        ),
        max_leaves=25,
    )


def dumped(keys: Sequence[str]) -> st.SearchStrategy[bytes]:
    """Generated data dumped as YAML, in flow or block style."""
    import yaml

    def dump(value: Any, flow: bool) -> bytes:
        return yaml.safe_dump(value, allow_unicode=True, default_flow_style=flow, sort_keys=False).encode("utf-8")

    return st.builds(dump, st.dictionaries(st.sampled_from(list(keys)), yaml_values(keys), max_size=8),
                     st.booleans())


def token_soup(tokens: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    return st.lists(st.one_of(st.sampled_from(list(tokens)), st.binary(max_size=4)), max_size=40).map(b"".join)


# --------------------------------------------------------------------------- checks shared by targets

_YAML_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
#: Characters that break a message over lines in a terminal or an editor's problem list.
_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def yaml_lines(data: bytes) -> list[str]:
    """The lines of ``data`` as YAML counts them (it also breaks at CR, NEL, LS and PS)."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    return _YAML_BREAK.split(body.decode("utf-8", errors="replace"))


def check_problems(problems: Sequence[Any], data: bytes, display: str, *, whole_file_ok: bool = False
                   ) -> list[Violation]:
    """Every problem names the file, has a 1-based line and column inside it, one line of message."""
    from toolbox.errors import Problem

    out: list[Violation] = []
    lines = yaml_lines(data)
    for p in problems:
        if not isinstance(p, Problem):
            out.append(("problem", f"not a Problem: {type(p).__name__}", short(p)))
            continue
        shape = re.sub(r"'[^']*'|\"[^\"]*\"|#x[0-9a-fA-F]+|0x[0-9a-fA-F]+|\d+", "…", p.message).split("\n")[0][:80]
        if p.path != display:
            out.append(("problem", f"problem names another file: {shape}", f"{p.path!r} != {display!r}: {p}"))
        if whole_file_ok and p.line == 0 and p.column == 0:
            pass
        elif not (isinstance(p.line, int) and isinstance(p.column, int) and p.line >= 1 and p.column >= 1):
            out.append(("problem", f"problem without a position: {shape}", p.format()))
        elif p.line > len(lines) + 1 or (p.line <= len(lines) and p.column > len(lines[p.line - 1]) + 2):
            out.append(("problem", f"problem outside the file: {shape}",
                        f"{p.format()} (the file has {len(lines)} lines)"))
        if not p.message.strip() or any(_BREAKS.search(text) for text in (p.message, p.hint, p.field)):
            out.append(("problem", f"problem message not one line: {shape}", p.format()))
        if p.severity not in ("error", "warning"):
            out.append(("problem", "unknown severity", p.format()))
        if "<unicode string>" in p.message or "Traceback" in p.message or "object at 0x" in p.message:
            out.append(("problem", f"message shows Python internals: {shape}", p.format()))
    return out


def check_json(value: Any, what: str) -> list[Violation]:
    """JSON output must be strict JSON: NaN and Infinity are not JSON."""
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False)
    except ValueError as exc:
        return [("invariant", f"{what} is not strict JSON: {exc}", short(value, 600))]
    return []


# --------------------------------------------------------------------------- targets


def shipped_toolbox(workdir: Path, index_dir: Path | None, name: str) -> Any:
    """A Toolbox of the shipped content, copied, with its index built: a search or an assembled
    recipe updates a stale index first, and edits to the checkout during a long run (someone
    else's work) made inputs look slow. With an ``index_dir`` given (the test suite's index of
    the checkout), the checkout itself."""
    from toolbox import Toolbox

    project = REPO
    if index_dir is None:
        project = workdir / "project"
        if not project.exists():
            shutil.copytree(REPO / "methods", project / "methods")
    toolbox = Toolbox.open(project, index_dir or workdir / f"{name}-index")
    toolbox.build_index()
    return toolbox


class Target:
    name = ""
    #: Bytes put into libFuzzer's dictionary.
    tokens: Sequence[bytes] = YAML_TOKENS
    #: Run the costly extra checks (CLI and web, project load, rendering) on every input, not on
    #: every Nth: when replaying or shrinking an input, what it showed must happen again.
    full = False

    def setup(self, workdir: Path) -> None:
        raise NotImplementedError

    def seeds(self) -> list[bytes]:
        raise NotImplementedError

    def strategy(self) -> st.SearchStrategy[bytes]:
        raise NotImplementedError

    def check(self, data: bytes) -> list[Violation]:
        """Run one input; raise what the code raised, return property violations."""
        raise NotImplementedError

    def allowed(self, exc: BaseException) -> bool:
        """An exception the API documents for this target."""
        return False

    def describe(self, data: bytes) -> str:
        return short(data, 2000)

    def recover(self) -> None:
        """Called after an input was interrupted by the timer."""

    def may_be_slow(self, data: bytes) -> bool:
        """An input whose cost grows with the content by design (not listed as slow)."""
        return False


class YamlTarget(Target):
    name = "yaml"
    DISPLAY = "methods/fuzz-record.yaml"
    CATALOGUE_EVERY = 16

    def __init__(self) -> None:
        self.counter = 0

    def setup(self, workdir: Path) -> None:
        from toolbox.vocabulary import load_vocabulary

        vocab_file = REPO / "methods" / "vocabulary.yaml"
        self.vocabulary, problems = load_vocabulary(vocab_file, "methods/vocabulary.yaml")
        assert self.vocabulary is not None, problems
        self.project = workdir / "yaml-project"
        for folder in ("pilots", "regions"):
            (self.project / "methods" / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(vocab_file, self.project / "methods" / "vocabulary.yaml")

    def seeds(self) -> list[bytes]:
        files = [*sorted((REPO / "methods").glob("*.yaml")), *sorted((REPO / "methods").glob("*/*.yaml")),
                 *sorted((REPO / "tests" / "scenarios").glob("*/methods/**/*.yaml"))]
        return [p.read_bytes() for p in files if p.name != "vocabulary.yaml" and "recipes" not in p.parts]

    def strategy(self) -> st.SearchStrategy[bytes]:
        from toolbox.schema import KIND_SPECS

        keys = sorted({f.name for spec in KIND_SPECS.values() for f in spec.fields}
                      | {"en", "de", "level", "min", "max", "start", "end", "value", "year", "url", "note"})
        seeds = self.seeds()
        return st.one_of(st.binary(max_size=3000), mutated(seeds), mutated(seeds), dumped(keys),
                         token_soup(self.tokens), st.text(max_size=500).map(lambda t: t.encode("utf-8", "replace")))

    def check(self, data: bytes) -> list[Violation]:
        from toolbox.documents import document_hash, make_document
        from toolbox.model import KINDS
        from toolbox.project import Catalogue
        from toolbox.reports import record_to_json
        from toolbox.validate import check_record
        from toolbox.yamlsource import parse_yaml_bytes

        self.counter += 1
        out: list[Violation] = []
        doc, problems = parse_yaml_bytes(data, self.DISPLAY)
        out += check_problems(problems, data, self.DISPLAY)
        if doc is None and not any(p.severity == "error" for p in problems):
            out.append(("invariant", "no document and no error", ""))
        if doc is not None:
            for kind in KINDS:
                record, rproblems, references = check_record(kind, "fuzz-record", doc, self.vocabulary)
                out += check_problems(rproblems, data, self.DISPLAY)
                for ref in references:
                    if ref.line < 1 or ref.column < 1:
                        out.append(("problem", "reference without a position", repr(ref)))
                if record is not None:
                    catalogue = Catalogue(self.project, {record.id: record}, self.vocabulary, ())
                    document_hash(make_document(catalogue, record))
                    out += check_json(record_to_json(record, catalogue), f"a valid {kind}'s JSON")
        if self.full or self.counter % self.CATALOGUE_EVERY == 0:
            out += self._catalogue(data)
        return out

    def _catalogue(self, data: bytes) -> list[Violation]:
        from toolbox.project import load_catalogue

        folder = ("", "pilots", "regions")[self.counter // self.CATALOGUE_EVERY % 3]
        methods = self.project / "methods"
        for old in [*methods.glob("*.yaml"), *methods.glob("*/*.yaml")]:
            if old.name != "vocabulary.yaml":
                old.unlink()
        target = methods / folder / "fuzz-record.yaml"
        target.write_bytes(data)
        catalogue = load_catalogue(self.project)
        rel = target.relative_to(self.project).as_posix()
        mine = [p for p in catalogue.problems if p.path == rel]
        others = [p for p in catalogue.problems if p.path != rel]
        out = check_problems(mine, data, rel)
        if others:
            out.append(("problem", "problem in a file that was not changed", "\n".join(p.format() for p in others)))
        return out


class RecipeTarget(Target):
    name = "recipe"
    RENDER_EVERY = 8

    def __init__(self, index_dir: Path | None = None) -> None:
        self.index_dir = index_dir
        self.loaded = 0

    def setup(self, workdir: Path) -> None:
        self.toolbox = shipped_toolbox(workdir, self.index_dir, self.name)
        self.catalogue = self.toolbox.catalogue
        self.file = workdir / "recipe.yaml"

    def seeds(self) -> list[bytes]:
        files = [*sorted((REPO / "methods" / "recipes").glob("*.yaml")),
                 *sorted((REPO / "tests" / "scenarios").glob("*/*recipe*.yaml"))]
        return [p.read_bytes() for p in files]

    def strategy(self) -> st.SearchStrategy[bytes]:
        from toolbox.recipe import APPENDIX, QUERY_ITEM, RECIPE, SECTION

        keys = sorted({f.name for spec in (RECIPE, SECTION, QUERY_ITEM, APPENDIX) for f in spec.fields})
        seeds = self.seeds()
        return st.one_of(st.binary(max_size=2000), mutated(seeds), mutated(seeds), mutated(seeds), dumped(keys),
                         token_soup(self.tokens))

    def allowed(self, exc: BaseException) -> bool:
        from toolbox.errors import ToolboxError

        return isinstance(exc, ToolboxError)

    def check(self, data: bytes) -> list[Violation]:
        from toolbox.errors import ContentError, QueryError
        from toolbox.handbook import assemble, render
        from toolbox.recipe import Query, load_recipe

        self.file.write_bytes(data)
        try:
            recipe = load_recipe(self.file, self.catalogue, "recipe.yaml")
        except ContentError as exc:
            out = check_problems(exc.problems, data, "recipe.yaml")
            if not exc.problems:
                out.append(("invariant", "ContentError without problems", exc.message))
            return out
        out: list[Violation] = []
        if not recipe.title or not recipe.sections:
            out.append(("invariant", "a recipe without title or sections loaded", repr(recipe)))
        for section in recipe.sections:
            for item in section.items:
                if isinstance(item, str) and item not in self.catalogue.records:
                    out.append(("invariant", "a recipe names a record that does not exist", item))
                elif not isinstance(item, str | Query):
                    out.append(("invariant", "a section item is neither an id nor a query", repr(item)))
        try:
            assemble(self.toolbox, recipe)
        except ContentError as exc:
            # a query only the index can refuse ('display:x', too many terms once synonyms are
            # added) is a problem of the recipe, at the query's line
            return [*out, *check_problems(exc.problems, data, "recipe.yaml")]
        except QueryError as exc:
            # a recipe that loads should not fail at its first search
            return [*out, ("invariant", f"a loaded recipe fails to search: {exc.message[:60]}",
                           "\n".join(p.format() for p in exc.problems) or exc.message)]
        self.loaded += 1
        if self.full or self.loaded % self.RENDER_EVERY == 0:
            # the recipe's own texts (title, intros in Markdown) through the templates; a few
            # records per section are enough, a whole handbook takes a second to render
            small = dataclasses.replace(recipe, sections=tuple(
                dataclasses.replace(s, items=s.items[:2]) for s in recipe.sections[:3]))
            render(assemble(self.toolbox, small), self.catalogue, "html", self.toolbox.project)
        return out


@dataclass
class QueryInput:
    """One search as the CLI, the API and the web app get it."""

    query: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    lang: str | None = None
    sort: str | None = None
    limit: str | None = None  # as typed; the API gets it as a number when it is one

    SEP = "\x1e"

    def encode(self) -> bytes:
        parts = [self.query.replace(self.SEP, " ")]
        parts += [f"{axis}={v.replace(self.SEP, ' ')}" for axis, values in self.filters.items() for v in values]
        parts += [f"{key}={value.replace(self.SEP, ' ')}" for key, value in
                  (("lang", self.lang), ("sort", self.sort), ("limit", self.limit)) if value is not None]
        return self.SEP.join(parts).encode("utf-8", "surrogateescape")

    @classmethod
    def decode(cls, data: bytes) -> QueryInput:
        # surrogateescape: what Python makes of undecodable bytes in a command-line argument
        text = data.decode("utf-8", "surrogateescape")
        query, *rest = text.split(cls.SEP)
        out = cls(query)
        for part in rest:
            key, _, value = part.partition("=")
            if key in AXES:
                out.filters.setdefault(key, []).append(value)
            elif key in ("lang", "sort", "limit"):
                setattr(out, key, value)
        return out

    def api_limit(self) -> int | None:
        if self.limit is None:
            return 10
        try:
            return int(self.limit)
        except ValueError:
            return None if self.limit == "all" else 10


QUERY_WORDS = ["hackathon", "Industriekultur", "Verwaltung", "design", "schools", "museum", "Chemnitz", "KKW",
               "creative industries", "Workshops", "für", "the", "und", "skofja", "Łódź", "Škofja", "Bielsko-Biała",
               "Kreativwirtschaft", "café", "naïve", "straße", "日本", "Жизнь", "εργαστήριο", "x", "a", "1", "2021",
               # the natural-query paths: compounds, typos, hyphens, thesaurus words, questions
               "Leerstandsmanagement", "Braunkohle", "mijngebouwen", "kolenmijn", "Industrie-Hackthon", "Fokusgrupen",
               "prazdna", "prázdných", "Kultur- und Kreativwirtschaft", "mijn", "Bergbau", "Kreative?", "wom?n",
               "leegstandsbeheerorganisatiestructuur", "x-y-z", "–", "‐"]
QUERY_SYNTAX = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "(", ")", '"', "*", "?", "~", "~2", "^", "^3", "^x",
                "[", "]", "{", "}", "TO", ":", "+", "-", "\\", "'", "/", "title_en:", "title_de:", "summary_en:",
                "body_en:", "tags:", "kind:", "audience:", "region:", "id:", "effort_rank:", "display:", "sort_en:",
                "effort:", "foo:", "<", ">", "=", "*:*", "[a TO b]", "{1 TO}", "\x00", "\t", "\n", "\u200b", "\udcff",
                "\u0301", "\ufffd", " "]


@st.composite
def query_strings(draw: st.DrawFn) -> str:
    shape = draw(st.integers(0, 5))
    if shape == 0:
        return draw(st.text(max_size=80))
    if shape == 1:
        return draw(st.text(alphabet=st.sampled_from(list('"():*?~^[]{}+-\\/!&| aAxé1\x00')), max_size=60))
    if shape == 2:
        return draw(st.text(min_size=300, max_size=5000))  # long input: the web cuts at 500, the CLI does not
    parts = draw(st.lists(st.one_of(st.sampled_from(QUERY_WORDS), st.sampled_from(QUERY_SYNTAX),
                                    st.text(max_size=6)), max_size=14))
    glue = draw(st.sampled_from([" ", "", " ", ":"]))
    return glue.join(parts)


def query_inputs(known: dict[str, list[str]], languages: list[str]) -> st.SearchStrategy[QueryInput]:
    def values(axis: str) -> st.SearchStrategy[str]:
        return st.one_of(st.sampled_from(known[axis] or ["x"]), st.text(max_size=20),
                         st.lists(st.sampled_from(known[axis] or ["x"]), min_size=1, max_size=3).map(",".join))

    filters = st.fixed_dictionaries({}, optional={axis: st.lists(values(axis), max_size=3) for axis in AXES})
    text_or = st.one_of(st.none(), st.text(max_size=8))
    return st.builds(
        QueryInput,
        query=query_strings(),
        filters=filters,
        lang=st.one_of(st.none(), st.sampled_from(languages), text_or),
        sort=st.one_of(st.none(), st.sampled_from(["relevance", "title", "effort"]), text_or),
        limit=st.one_of(st.none(), st.integers(-3, 10**6).map(str), st.sampled_from(["all", "0", "1e3", ""]), text_or),
    )


class QueryTarget(Target):
    name = "query"
    FRONTENDS_EVERY = 8
    tokens = [w.encode("utf-8", "surrogateescape") for w in [*QUERY_WORDS, *QUERY_SYNTAX]] + [
        f"\x1e{key}=".encode() for key in (*AXES, "lang", "sort", "limit")]

    def __init__(self, index_dir: Path | None = None) -> None:
        self.index_dir = index_dir
        self.counter = 0

    def setup(self, workdir: Path) -> None:
        from click.testing import CliRunner

        from toolbox.search import open_index, record_ids
        from toolbox.web import create_app

        self.toolbox = shipped_toolbox(workdir, self.index_dir, self.name)
        opened = open_index(self.toolbox.index_dir)
        self.languages = list(opened.languages)
        self.known = {axis: sorted(opened.tag_table.get(axis, {})) for axis in AXES}
        self.known["region"] = sorted(set(self.known["region"]) | {r for r in record_ids(opened) if "-" not in r})
        app = create_app(self.toolbox.project, self.toolbox.index_dir)
        # exceptions reach the test client instead of becoming a bare 500, so the finding has the traceback
        app.config["TESTING"] = True
        self.client = app.test_client()
        self.runner = CliRunner()

    def seeds(self) -> list[bytes]:
        samples = [QueryInput("hackathon"), QueryInput("Workshops für Verwaltungen", {"audience": ["schools"]}, "de"),
                   QueryInput('"industrial culture" OR title_en:hack*', {"region": ["chemnitz"]}, "en", "title"),
                   QueryInput("", {"kind": ["method,pilot"], "effort": ["low"]}, "cs", "effort", "3"),
                   QueryInput("skofja loka~", {}, "sl", None, "all"), QueryInput("(design AND NOT museum)^2")]
        return [s.encode() for s in samples]

    def strategy(self) -> st.SearchStrategy[bytes]:
        return query_inputs(self.known, self.languages).map(QueryInput.encode)

    def describe(self, data: bytes) -> str:
        return short(QueryInput.decode(data), 2000)

    def allowed(self, exc: BaseException) -> bool:
        from toolbox.errors import ToolboxError

        return isinstance(exc, ToolboxError)

    def may_be_slow(self, data: bytes) -> bool:
        # Wildcards and ranges expand to every matching term of every text field: the library
        # and the CLI keep them (trusted, local callers); the web app refuses the costly shapes.
        return any(c in QueryInput.decode(data).query for c in "*?[]{}")

    def recover(self) -> None:
        # an interrupted search may leave a half-built parser or cache entry behind
        from toolbox.search import close_all

        close_all()

    def check(self, data: bytes) -> list[Violation]:
        from toolbox.errors import ToolboxError

        self.counter += 1
        item = QueryInput.decode(data)
        out: list[Violation] = []
        try:
            out += self._api(item)
        except ToolboxError as exc:
            if not exc.message or "\n" in exc.message:
                out.append(("invariant", f"{type(exc).__name__} message not one line", repr(exc.message)))
            if re.search(r"[A-Z]+\(\w+=|object at 0x", exc.message):
                out.append(("invariant", f"{type(exc).__name__} message shows Whoosh internals",
                            short(exc.message, 500)))
        if self.full or self.counter % self.FRONTENDS_EVERY == 0:
            out += self._cli(item)
            out += self._web(item)
        return out

    def _api(self, item: QueryInput) -> list[Violation]:
        limit = item.api_limit()
        result = self.toolbox.search(item.query, **{a: item.filters.get(a, ()) for a in AXES},
                                     lang=item.lang or "en", sort=item.sort or "relevance", limit=limit, update=False)
        out: list[Violation] = []
        if limit is not None and len(result.hits) > limit:
            out.append(("invariant", "more hits than the limit", f"{len(result.hits)} > {limit}"))
        if result.total < len(result.hits) or len({h.id for h in result.hits}) != len(result.hits):
            out.append(("invariant", "total below the number of hits, or a hit twice", repr(result.hits)))
        for hit in result.hits:
            text = hit.snippet.text
            for a, b in hit.snippet.highlights:
                if not 0 <= a < b <= len(text):
                    out.append(("invariant", "snippet highlight outside its text", f"{(a, b)} in {text!r}"))
        for axis, values in result.facets.items():
            if any(v.count < 0 for v in values):
                out.append(("invariant", "negative facet count", axis))
        return out

    def _cli(self, item: QueryInput) -> list[Violation]:
        from toolbox.cli import main

        args = ["--project", str(self.toolbox.project), "--index", str(self.toolbox.index_dir), "search",
                "--no-update"]
        for axis, values in item.filters.items():
            for value in values:
                args += [f"--{axis}", value]
        for option, value in (("--lang", item.lang), ("--sort", item.sort), ("--limit", item.limit)):
            if value is not None:
                args += [option, value]
        if self.counter % (2 * self.FRONTENDS_EVERY) == 0:
            args.append("--json")
        args += ["--", item.query]
        result = self.runner.invoke(main, args)
        out: list[Violation] = []
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            exc = result.exception
            detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            out.append(("cli", f"CLI raised {exception_signature(exc)}", detail[-3000:]))
        elif result.exit_code not in (0, 1, 2):
            out.append(("cli", f"CLI exit code {result.exit_code}", result.output[-1000:]))
        elif result.exit_code and not result.stderr.strip():
            out.append(("cli", "CLI failed without a message", result.output[-1000:]))
        if "Traceback" in result.output:
            out.append(("cli", "CLI printed a traceback", result.output[-3000:]))
        return out

    def _web(self, item: QueryInput) -> list[Violation]:
        pairs: list[tuple[str, str]] = [("q", item.query)]
        pairs += [(axis, v) for axis, values in item.filters.items() for v in values]
        pairs += [(key, value) for key, value in (("lang", item.lang), ("sort", item.sort), ("limit", item.limit))
                  if value is not None]
        # percent-encoded bytes, as a client may send them: lone surrogates become invalid UTF-8
        query_string = urllib.parse.urlencode(pairs, encoding="utf-8", errors="surrogateescape")
        out: list[Violation] = []
        for route in ("/api/search", "/", "/export.csv", "/export.json"):
            try:
                response = self.client.get(f"{route}?{query_string}")
            except Exception as exc:
                detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
                out.append(("web", f"{route} 500: {exception_signature(exc)}", detail[-3000:]))
                continue
            if response.status_code not in (200, 400):
                out.append(("web", f"{route} answered {response.status_code}", response.get_data(as_text=True)[:500]))
        return out


def make_target(name: str, index_dir: Path | None = None) -> Target:
    if name == "yaml":
        return YamlTarget()
    if name == "recipe":
        return RecipeTarget(index_dir)
    if name == "query":
        return QueryTarget(index_dir)
    raise ValueError(name)


# --------------------------------------------------------------------------- the harness


@dataclass
class Report:
    target: str
    engine: str
    inputs: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    slowest: float = 0.0
    slow_by_design: int = 0  # slow inputs the target accepts as such (see Target.may_be_slow)

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "engine": self.engine, "inputs": self.inputs, "seconds": self.seconds,
                "slowest": self.slowest, "slow_by_design": self.slow_by_design,
                "findings": [f.to_json() for f in self.findings]}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Report:
        return cls(raw["target"], raw["engine"], raw["inputs"], raw["seconds"],
                   [Finding.from_json(f) for f in raw["findings"]], raw["slowest"], raw["slow_by_design"])


class Harness:
    """Runs inputs through a target with a per-input time limit and collects findings, one per
    signature (the smallest input kept)."""

    def __init__(self, target: Target, per_input: float, slow: float) -> None:
        self.target = target
        self.per_input = per_input
        self.slow = slow
        self.findings: dict[str, Finding] = {}
        self.inputs = 0
        self.slowest = 0.0
        self.slow_by_design = 0

    def _alarm(self, _signum: int, _frame: FrameType | None) -> None:
        raise InputTimeout

    def outcome(self, data: bytes) -> tuple[list[Violation], float]:
        """The violations of one input (an unexpected exception or a timeout is one too)."""
        previous = signal.signal(signal.SIGALRM, self._alarm)
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, self.per_input)
        try:
            try:
                violations = self.target.check(data)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except InputTimeout:
            self.target.recover()
            violations = [("hang", f"no answer within {self.per_input:g} s", "")]
        except Exception as exc:
            if self.target.allowed(exc):
                violations = []
            else:
                detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
                violations = [("crash", exception_signature(exc), detail[-4000:])]
        finally:
            signal.signal(signal.SIGALRM, previous)
        return violations, time.perf_counter() - start

    def run_one(self, data: bytes) -> None:
        self.inputs += 1
        violations, elapsed = self.outcome(data)
        self.slowest = max(self.slowest, elapsed)
        if elapsed > self.slow and not any(kind == "hang" for kind, _, _ in violations):
            if self.target.may_be_slow(data):
                self.slow_by_design += 1
            else:
                violations.append(("slow", f"slow input ({elapsed:.1f} s)", ""))
        for kind, signature, detail in violations:
            key = "slow" if kind == "slow" else f"{kind}: {signature}"
            known = self.findings.get(key)
            if known is None:
                self.findings[key] = Finding(self.target.name, kind, signature, detail, data, seconds=elapsed)
            else:
                known.count += 1
                if kind == "slow" and elapsed > known.seconds:
                    known.signature, known.data, known.seconds = signature, data, elapsed
                elif kind != "slow" and len(data) < len(known.data):
                    known.data, known.detail, known.seconds = data, detail, elapsed

    def shrink(self, finding: Finding, budget: float) -> None:
        """Delta debugging: drop chunks of the input while it still shows the same finding."""
        if finding.kind in ("slow", "hang"):
            return  # each try could take the whole time limit
        deadline = time.monotonic() + budget
        self.target.full = True

        def same(candidate: bytes) -> bool:
            violations, _ = self.outcome(candidate)
            return any(f"{kind}: {sig}" == f"{finding.kind}: {finding.signature}" for kind, sig, _ in violations)

        data = finding.data
        chunk = max(1, len(data) // 2)
        while chunk >= 1 and time.monotonic() < deadline:
            i, progress = 0, False
            while i < len(data) and time.monotonic() < deadline:
                candidate = data[:i] + data[i + chunk:]
                if candidate != data and same(candidate):
                    data, progress = candidate, True
                else:
                    i += chunk
            if not progress:
                chunk //= 2
        finding.data = data
        violations, finding.seconds = self.outcome(data)
        finding.detail = next((detail for kind, sig, detail in violations
                               if kind == finding.kind and sig == finding.signature), finding.detail)
        self.target.full = False


def _engine(name: str) -> str:
    if name != "auto":
        return name
    try:
        import atheris  # noqa: F401
    except ImportError:
        return "hypothesis"
    return "atheris"


def run_hypothesis(target: Target, seconds: float, per_input: float, slow: float, *, examples: int | None = None,
                   rng_seed: int = 0, shrink: float = 20.0, workdir: Path) -> Report:
    target.setup(workdir)
    harness = Harness(target, per_input, slow)
    strategy = target.strategy()
    rng = random.Random(rng_seed)
    start = time.monotonic()
    deadline = start + seconds
    # the seeds themselves come first, as libFuzzer's corpus would; ``examples`` counts the rest
    for data in target.seeds():
        harness.run_one(data)
    seeded = harness.inputs

    def more() -> bool:
        return time.monotonic() < deadline and (examples is None or harness.inputs - seeded < examples)

    while more():
        batch = 100 if examples is None else min(100, examples - (harness.inputs - seeded))

        @seed(rng.getrandbits(64))
        @settings(max_examples=batch, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def fuzz_batch(data: bytes) -> None:
            if more():
                harness.run_one(data)

        fuzz_batch()
    spent = time.monotonic() - start
    for finding in harness.findings.values():
        harness.shrink(finding, shrink)
    return Report(target.name, "hypothesis", harness.inputs, round(spent, 1), list(harness.findings.values()),
                  round(harness.slowest, 3), harness.slow_by_design)


def run_atheris_child(target: Target, seconds: float, per_input: float, slow: float, report_file: Path,
                      shrink: float, workdir: Path) -> None:
    """Inside the child process: libFuzzer feeds inputs until the time is up."""
    import atheris

    with atheris.instrument_imports(include=list(INSTRUMENTED)):
        import toolbox.handbook
        import toolbox.project
        import toolbox.recipe
        import toolbox.search
        import toolbox.web  # noqa: F401
    target.setup(workdir)
    harness = Harness(target, per_input, slow)
    corpus = workdir / f"corpus-{target.name}"
    corpus.mkdir(exist_ok=True)
    for i, data in enumerate(target.seeds()):
        (corpus / f"seed-{i:03d}").write_bytes(data)
    dictionary = workdir / f"{target.name}.dict"
    dictionary.write_text("".join('"' + "".join(f"\\x{b:02x}" for b in token) + '"\n'
                                  for token in target.tokens if token), encoding="ascii")
    artifacts = workdir / "artifacts"
    artifacts.mkdir(exist_ok=True)
    start = time.monotonic()
    deadline = start + seconds

    def finish() -> None:
        spent = time.monotonic() - start
        for finding in harness.findings.values():
            harness.shrink(finding, shrink)
        report = Report(target.name, "atheris", harness.inputs, round(spent, 1), list(harness.findings.values()),
                        round(harness.slowest, 3), harness.slow_by_design)
        report_file.write_text(json.dumps(report.to_json()), encoding="utf-8")
        sys.stdout.flush()
        os._exit(0)  # libFuzzer never returns; the report is written, so leave now

    def one_input(data: bytes) -> None:
        if time.monotonic() >= deadline:
            finish()
        harness.run_one(data)

    # -timeout=0: our own timer measures each input (libFuzzer's would abort the process)
    atheris.Setup([sys.argv[0], "-timeout=0", "-rss_limit_mb=4096", "-max_len=32768", f"-dict={dictionary}",
                   f"-artifact_prefix={artifacts}/", "-print_final_stats=0", str(corpus)], one_input)
    atheris.Fuzz()


def run_atheris(name: str, seconds: float, per_input: float, slow: float, shrink: float, workdir: Path) -> Report:
    report_file = workdir / f"report-{name}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--target", name, "--engine", "atheris",
           "--seconds", str(seconds), "--per-input", str(per_input), "--slow", str(slow), "--shrink", str(shrink),
           "--workdir", str(workdir)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              timeout=seconds + 120 + shrink * 10)
        failure = "" if report_file.exists() else f"the fuzzing process stopped (exit {proc.returncode})"
        stderr = proc.stderr
    except subprocess.TimeoutExpired as exc:
        failure = "the fuzzing process did not finish (a hang in code the per-input timer cannot interrupt?)"
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
    if failure:
        crash_inputs = sorted((workdir / "artifacts").glob("*"))
        data = crash_inputs[-1].read_bytes() if crash_inputs else b""
        return Report(name, "atheris", 0, seconds, [Finding(name, "crash", failure, stderr[-3000:], data)])
    return Report.from_json(json.loads(report_file.read_text(encoding="utf-8")))


def print_report(report: Report, target: Target | None, save: Path | None) -> None:
    rate = report.inputs / report.seconds if report.seconds else 0.0
    print(f"\n== {report.target} ({report.engine}): {report.inputs:,} inputs in {report.seconds:,.1f} s "
          f"({rate:,.0f}/s), slowest input {report.slowest:.3f} s, {len(report.findings)} finding(s)"
          + (f", {report.slow_by_design} slow by design" if report.slow_by_design else ""))
    for n, finding in enumerate(sorted(report.findings, key=lambda f: (f.kind == "slow", f.kind, f.signature)), 1):
        shown = target.describe(finding.data) if target else short(finding.data, 2000)
        print(f"-- [{finding.kind}] {finding.signature}  (seen {finding.count}×, {finding.seconds:.3f} s)")
        print(f"   input: {shown}")
        if finding.detail:
            print("   " + finding.detail.strip().replace("\n", "\n   "))
        if save is not None:
            save.mkdir(parents=True, exist_ok=True)
            path = save / f"{report.target}-{n:02d}-{finding.kind}.bin"
            path.write_bytes(finding.data)
            print(f"   saved: {path}  (replay: --replay {path} --target {report.target})")


def fuzz(names: Sequence[str], engine: str, seconds: float, *, per_input: float = 10.0, slow: float = 1.0,
         examples: int | None = None, rng_seed: int = 0, shrink: float = 20.0, index_dir: Path | None = None,
         workdir: Path | None = None) -> list[Report]:
    """Run each target; the API of this script for the test suite."""
    engine = _engine(engine)
    own = workdir is None
    base = Path(tempfile.mkdtemp(prefix="toolbox-fuzz-")) if workdir is None else workdir
    reports = []
    try:
        for name in names:
            folder = base / name
            folder.mkdir(parents=True, exist_ok=True)
            if engine == "atheris":
                reports.append(run_atheris(name, seconds, per_input, slow, shrink, folder))
            else:
                reports.append(run_hypothesis(make_target(name, index_dir), seconds, per_input, slow,
                                              examples=examples, rng_seed=rng_seed, shrink=shrink, workdir=folder))
    finally:
        if own:
            shutil.rmtree(base, ignore_errors=True)
    return reports


def replay(name: str, path: Path, per_input: float) -> int:
    with tempfile.TemporaryDirectory(prefix="toolbox-fuzz-") as tmp:
        target = make_target(name)
        target.setup(Path(tmp))
        target.full = True
        harness = Harness(target, per_input, per_input)
        data = path.read_bytes()
        print(f"input: {target.describe(data)}")
        violations, elapsed = harness.outcome(data)
        for kind, signature, detail in violations:
            print(f"[{kind}] {signature}\n{detail}")
        print(f"{len(violations)} finding(s) in {elapsed:.3f} s")
        return 1 if violations else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="fuzzing time per target")
    parser.add_argument("--target", choices=[*TARGETS, "all"], default="all")
    parser.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    parser.add_argument("--per-input", type=float, default=10.0, help="seconds after which an input is a hang")
    parser.add_argument("--slow", type=float, default=1.0, help="seconds after which an input is listed as slow")
    parser.add_argument("--examples", type=int, default=None, help="stop after this many inputs (hypothesis)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (hypothesis)")
    parser.add_argument("--shrink", type=float, default=20.0, help="seconds spent shrinking each finding")
    parser.add_argument("--no-shrink", action="store_const", const=0.0, dest="shrink")
    parser.add_argument("--save", type=Path, default=None, help="write each finding's input into this folder")
    parser.add_argument("--replay", type=Path, default=None, help="run one saved input and print what it shows")
    parser.add_argument("--json", type=Path, default=None, help="also write the reports as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = list(TARGETS) if args.target == "all" else [args.target]

    if args.replay is not None:
        if len(names) != 1:
            parser.error("--replay needs one --target")
        return replay(names[0], args.replay, args.per_input)
    if args.child:
        run_atheris_child(make_target(names[0]), args.seconds, args.per_input, args.slow,
                          args.workdir / f"report-{names[0]}.json", args.shrink, args.workdir)
        return 0

    engine = _engine(args.engine)
    print(f"fuzzing {', '.join(names)} for {args.seconds:g} s each with {engine}"
          + (" (atheris is not installed)" if args.engine == "auto" and engine == "hypothesis" else ""))
    reports = fuzz(names, engine, args.seconds, per_input=args.per_input, slow=args.slow, examples=args.examples,
                   rng_seed=args.seed, shrink=args.shrink)
    print_targets: dict[str, Target | None] = {"query": _describer("query")}
    for report in reports:
        print_report(report, print_targets.get(report.target), args.save)
    print("\nsummary:")
    for report in reports:
        kinds = sorted({f.kind for f in report.findings})
        print(f"  {report.target:<7} {report.inputs:>10,} inputs {report.seconds:>9,.1f} s  "
              f"{len(report.findings)} finding(s){' (' + ', '.join(kinds) + ')' if kinds else ''}")
    if args.json:
        args.json.write_text(json.dumps([r.to_json() for r in reports], indent=2), encoding="utf-8")
    return 1 if any(f.kind != "slow" for r in reports for f in r.findings) else 0


def _describer(name: str) -> Target | None:
    """A target that is not set up, only used to show inputs readably."""
    return QueryTarget() if name == "query" else None


def iter_findings(reports: Sequence[Report]) -> Iterator[Finding]:
    for report in reports:
        yield from report.findings


if __name__ == "__main__":
    sys.exit(main())

