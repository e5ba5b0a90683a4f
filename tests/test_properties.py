"""Property tests (hypothesis): valid records survive load → index → search, and no input makes
the loaders, the search API, the CLI or the web app fail in an undocumented way.

The long-running counterpart is tests/stress/fuzz.py; ``test_fuzz_targets_run_clean`` runs each
of its targets for a fixed number of examples so that CI exercises the script.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from toolbox import Toolbox
from toolbox.analysis import language_analyzer, stopwords
from toolbox.cli import main
from toolbox.errors import ContentError, Problem, QueryError, ToolboxError
from toolbox.model import Vocabulary
from toolbox.project import load_catalogue
from toolbox.query import OPERATORS
from toolbox.recipe import load_recipe
from toolbox.search import close_all
from toolbox.textutil import fold
from toolbox.validate import check_record
from toolbox.vocabulary import load_vocabulary
from toolbox.web import create_app
from toolbox.yamlsource import parse_yaml_bytes

VOCABULARY_FILE = REPO / "methods" / "vocabulary.yaml"
AXES = ("audience", "sector", "region", "effort", "kind")
FUNCTION_FIXTURE = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@cache
def vocabulary() -> Vocabulary:
    vocab, problems = load_vocabulary(VOCABULARY_FILE, "methods/vocabulary.yaml")
    assert vocab is not None, problems
    return vocab


# --------------------------------------------------------------------------- valid records

#: Letters of several scripts, precomposed, so every word is one token for the analysers.
ALPHABETS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "äöüßàâçéèêëîïôûùÿñáíóúąćęłńśźżčďěňřšťůžđÄÖÜÉÈÇŁŚŻČŠŽĐ",
    "абвгдежзийклмнопрстуфхцчшщыэюяАБВГДЖЗИКЛМНПРСТ",
    "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΖΘΛΞΠΣΦΨΩ",
    "日本語中文字漢東京大阪都市工業文化創造",
)


@cache
def _reserved() -> frozenset[str]:
    """Folded words a title word must not be: stop words (dropped from queries and from the
    fields of their language) and words of synonym phrases (expanded into an OR)."""
    vocab = vocabulary()
    words: set[str] = set().union(*(stopwords(lang) for lang in vocab.languages))
    for group in vocab.synonyms:
        for phrase in group:
            words |= set(fold(phrase).split())
    return frozenset(words)


def searchable(word: str) -> bool:
    """A word every analyser keeps as exactly one term and the query parser takes as a word."""
    if not word.isalpha() or word.upper() in OPERATORS or fold(word) in _reserved():
        return False
    return all(len(list(language_analyzer(lang)(word))) == 1 for lang in vocabulary().languages)


words = st.sampled_from(ALPHABETS).flatmap(lambda letters: st.text(letters, min_size=2, max_size=9)).filter(searchable)
#: Free text for summaries and long fields: accents, scripts, symbols, control characters. Not
#: NEL, LS and PS: they are line breaks in YAML 1.1, which PyYAML's emitter writes unescaped inside
#: quotes, so they come back as the space of a folded line (YAML's rule, not the toolbox's).
free_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x85\u2028\u2029"),
                    min_size=1, max_size=60).filter(lambda t: t.strip())
ids = st.from_regex(r"[a-z][a-z0-9]{0,7}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)


@st.composite
def texts(draw: st.DrawFn, make: st.SearchStrategy[Any]) -> dict[str, Any]:
    """One value per language: English and some of the others."""
    others = [lang for lang in vocabulary().languages if lang != "en"]
    langs = ["en", *draw(st.lists(st.sampled_from(others), unique=True, max_size=3))]
    return {lang: draw(make) for lang in langs}


@st.composite
def tags(draw: st.DrawFn, axis: str, min_size: int = 1) -> list[str]:
    return draw(st.lists(st.sampled_from(sorted(vocabulary().axes[axis].terms)), min_size=min_size, max_size=3,
                         unique=True))


@dataclass
class Generated:
    kind: str
    id: str
    title: dict[str, list[str]]  # language -> title words
    data: dict[str, Any]


SOURCE = [{"title": "Property test", "url": "https://example.org/property-test"}]


@st.composite
def projects(draw: st.DrawFn) -> list[Generated]:
    """Methods, pilots and regions with valid fields and links written on both sides."""
    n_methods, n_pilots, n_regions = draw(st.integers(1, 3)), draw(st.integers(0, 3)), draw(st.integers(1, 2))
    names = draw(st.lists(ids, min_size=n_methods + n_pilots + n_regions,
                          max_size=n_methods + n_pilots + n_regions, unique=True))
    method_ids, pilot_ids, region_ids = (names[:n_methods], names[n_methods:n_methods + n_pilots],
                                         names[n_methods + n_pilots:])
    title_words = st.lists(words, min_size=1, max_size=4)
    out: list[Generated] = []

    def common(axes: bool) -> tuple[dict[str, list[str]], dict[str, Any]]:
        title = draw(texts(title_words))
        data: dict[str, Any] = {"title": {lang: " ".join(w) for lang, w in title.items()},
                                "summary": draw(texts(free_text))}
        if axes:
            data["audience"] = draw(tags("audience"))
            data["sector"] = draw(tags("sector"))
        return title, data

    used_by: dict[str, list[str]] = {m: [] for m in method_ids}
    pilots = []
    for pid in pilot_ids:
        title, data = common(True)
        uses = draw(st.lists(st.sampled_from(method_ids), min_size=1, max_size=2, unique=True))
        for m in uses:
            used_by[m].append(pid)
        data.update(region=draw(st.lists(st.sampled_from(region_ids), min_size=1, max_size=2, unique=True)),
                    methods=uses, description=draw(texts(free_text)), sources=SOURCE)
        pilots.append(Generated("pilot", pid, title, data))
    for mid in method_ids:
        title, data = common(True)
        data.update(effort={"level": draw(st.sampled_from(sorted(vocabulary().axes["effort"].terms)))},
                    purpose=draw(texts(free_text)), steps=draw(st.lists(texts(free_text), min_size=1, max_size=2)))
        if used_by[mid]:
            data["pilots"] = used_by[mid]
        out.append(Generated("method", mid, title, data))
    for rid in region_ids:
        title, data = common(False)
        data.update(country=draw(st.sampled_from(["DE", "AT", "CZ", "PL", "SI", "IT", "NL"])),
                    description=draw(texts(free_text)), industries=draw(tags("industry", 0)), sources=SOURCE)
        out.append(Generated("region", rid, title, data))
    return out + pilots


FOLDERS = {"method": "", "pilot": "pilots", "region": "regions"}


def write_project(root: Path, records: list[Generated]) -> None:
    methods = root / "methods"
    for folder in ("pilots", "regions"):
        (methods / folder).mkdir(parents=True)
    shutil.copy(VOCABULARY_FILE, methods / "vocabulary.yaml")
    for rec in records:
        text = yaml.safe_dump(rec.data, allow_unicode=True, sort_keys=False)
        (methods / FOLDERS[rec.kind] / f"{rec.id}.yaml").write_text(text, encoding="utf-8")


def hit_ids(tb: Toolbox, query: str) -> set[str]:
    return {h.id for h in tb.search(query, limit=None, update=False).hits}


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(records=projects())
def test_valid_records_round_trip_load_index_search(records: list[Generated]) -> None:
    with tempfile.TemporaryDirectory(prefix="toolbox-prop-") as tmp:
        root = Path(tmp) / "project"
        write_project(root, records)
        result = CliRunner().invoke(main, ["--project", str(root), "--index", str(Path(tmp) / "index"), "validate"])
        assert result.exit_code == 0, result.output
        assert f"{len(records)} valid records, 0 errors, 0 warnings" in result.output, result.output

        tb = Toolbox.open(root, Path(tmp) / "index")
        tb.build_index()
        try:
            for rec in records:
                record = tb.record(rec.id)
                assert record.kind == rec.kind
                assert dict(record.title.values) == rec.data["title"]
                assert dict(record.summary.values) == {k: v.strip() for k, v in rec.data["summary"].items()}
                for lang, title in rec.title.items():
                    assert rec.id in hit_ids(tb, " ".join(title)), (lang, title)
                    for word in title:
                        assert rec.id in hit_ids(tb, word), (lang, word)
        finally:
            close_all()  # the generation's files are removed with the folder


# --------------------------------------------------------------------------- queries never fail


SYNTAX = [*'"():*?~^[]{}+-\\/!', "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "title_en:", "kind:",
                                        "display:", "sort_en:", "effort_rank:", "id:", "foo:", "\x00", "\t", "\n",
                                        "\u200b", "\udcff", "hackathon", "Verwaltung", "für", "Łódź", "日本",
          # the natural-query paths: compounds, typos, hyphens and slashes, thesaurus words, stop words
          "Leerstandsmanagement", "Braunkohle", "mijngebouwen", "Industrie-Hackthon", "Fokusgrupen", "prazdna",
          "KKW", "Kultur- und Kreativwirtschaft", "mijn", "the", "‐", "–", "/", "-", "+-", "--x", "x-"]
query_texts = st.one_of(
    st.text(),
    # long letters-only words: taken apart as compounds, looked for inside longer words, corrected
    st.lists(st.text("abcdefghijklmnopqrstuvwxyzäöüß", min_size=8, max_size=120), min_size=1, max_size=40
             ).map(" ".join),
    st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=5)), max_size=12).map(" ".join),
    st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=3)), max_size=12).map("".join),
    st.text(min_size=500, max_size=3000),
)
option_text = st.one_of(st.text(max_size=12), st.sampled_from(["en", "de", "xx", "", "relevance", "title", "effort"]))
LANGS = ["en", "de", "cs", "pl", "sl", "it", "nl"]
SORTS = ["relevance", "title", "effort"]


def mostly(valid: list[str], other: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A valid value three times in four, so that most examples get past the option checks and search."""
    return st.one_of(st.sampled_from(valid), st.sampled_from(valid), st.sampled_from(valid), other)


@cache
def _known(index_dir: Path) -> dict[str, list[str]]:
    from toolbox.search import open_index

    opened = open_index(index_dir)
    return {axis: sorted(opened.tag_table.get(axis, {})) for axis in AXES}


def filter_values(shipped: Toolbox) -> st.SearchStrategy[dict[str, list[str]]]:
    known = _known(shipped.index_dir)
    return st.fixed_dictionaries({}, optional={
        axis: st.lists(mostly(known[axis], st.text(max_size=15)), max_size=3) for axis in AXES})


def test_search_api_raises_only_toolbox_errors(shipped: Toolbox) -> None:
    @settings(max_examples=300, deadline=None, suppress_health_check=FUNCTION_FIXTURE)
    @given(query=query_texts, filters=filter_values(shipped), lang=mostly(LANGS, option_text),
           sort=mostly(SORTS, option_text), limit=st.one_of(st.none(), st.integers(-2, 10**9)))
    def check(query: str, filters: dict[str, list[str]], lang: str, sort: str, limit: int | None) -> None:
        try:
            result = shipped.search(query, lang=lang, sort=sort, limit=limit, update=False, **filters)
        except ToolboxError as exc:
            assert exc.message and "\n" not in exc.message, exc.message
            return
        assert limit is None or len(result.hits) <= limit
        assert result.total >= len(result.hits)

    check()


def test_search_with_valid_options_fails_only_with_query_error(shipped: Toolbox) -> None:
    @settings(max_examples=120, deadline=None, suppress_health_check=FUNCTION_FIXTURE)
    @given(query=query_texts, lang=st.sampled_from(LANGS), sort=st.sampled_from(SORTS))
    def check(query: str, lang: str, sort: str) -> None:
        try:
            shipped.search(query, lang=lang, sort=sort, update=False)
        except QueryError as exc:
            assert exc.problems and exc.problems[0].field == "query", exc.problems

    check()


def test_cli_search_never_prints_a_traceback(shipped: Toolbox) -> None:
    runner = CliRunner()

    @settings(max_examples=80, deadline=None, suppress_health_check=FUNCTION_FIXTURE)
    @given(query=query_texts, filters=filter_values(shipped), lang=st.one_of(st.none(), mostly(LANGS, option_text)),
           sort=st.one_of(st.none(), mostly(SORTS, option_text)),
           limit=st.one_of(st.none(), mostly(["0", "3", "10", "1000"], option_text)), as_json=st.booleans())
    def check(query: str, filters: dict[str, list[str]], lang: str | None, sort: str | None, limit: str | None,
              as_json: bool) -> None:
        args = ["--project", str(shipped.project), "--index", str(shipped.index_dir), "search", "--no-update"]
        args += [a for axis, values in filters.items() for v in values for a in (f"--{axis}", v)]
        args += [a for option, value in (("--lang", lang), ("--sort", sort), ("--limit", limit)) if value is not None
                 for a in (option, value)]
        args += [*(["--json"] if as_json else []), "--", query]
        result = runner.invoke(main, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output
        if result.exit_code:
            assert result.stderr.strip(), "an error exit needs a message"

    check()


@pytest.fixture(scope="module")
def web_client(shipped: Toolbox) -> Any:
    app = create_app(shipped.project, shipped.index_dir)
    app.config["TESTING"] = True  # an exception reaches the test instead of becoming a 500 page
    return app.test_client()


def test_web_search_routes_answer_200_or_400(shipped: Toolbox, web_client: Any) -> None:
    known = _known(shipped.index_dir)
    values = {"q": query_texts, "lang": mostly(LANGS, option_text), "sort": mostly(SORTS, option_text),
              "limit": mostly(["0", "5", "all"], option_text), "page": mostly(["1", "2", "1000"], option_text),
              "more": mostly(list(AXES), option_text), "b": mostly(["industrial-hackathon,creative-hub"], option_text),
              "all": mostly(["1"], option_text), **{axis: mostly(known[axis], option_text) for axis in AXES}}
    params = st.lists(st.sampled_from(sorted(values)).flatmap(lambda key: st.tuples(st.just(key), values[key])),
                      max_size=6)

    @settings(max_examples=60, deadline=None, suppress_health_check=FUNCTION_FIXTURE)
    @given(pairs=params, route=st.sampled_from(["/", "/api/search", "/export.csv", "/export.json"]))
    def check(pairs: list[tuple[str, str]], route: str) -> None:
        # percent-encoded UTF-8; a lone surrogate becomes the invalid bytes a client may send
        query_string = urllib.parse.urlencode(pairs, encoding="utf-8", errors="surrogateescape")
        response = web_client.get(f"{route}?{query_string}")
        assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]

    check()


# --------------------------------------------------------------------------- loaders never fail


def assert_positions(problems: tuple[Problem, ...] | list[Problem], data: bytes, display: str) -> None:
    lines = re.split(r"\r\n|[\r\n\x85\u2028\u2029]", data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace"))
    for p in problems:
        assert p.path == display, p
        assert 1 <= p.line <= len(lines) + 1 and p.column >= 1, p.format()
        assert p.message and not re.search(r"[\r\n\x85\u2028\u2029]", p.message + p.hint + p.field), p


yaml_like = st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from([b"title:", b" en: ", b"- ", b": ", b"[", b"]", b"{", b"}", b"!!int ", b"!!float ",
                              b"!!bool ", b"!!timestamp ", b"&a ", b"*a", b"<<: ", b"? ", b"0x_", b".nan", b"\t",
                              b"\n", b"\r", b"\x01", b"\xff", b"\xc2\x85", b"'", b'"', b"audience: ", b"x"]),
             max_size=30).map(b"".join),
)


@settings(max_examples=400, deadline=None)
@given(data=yaml_like)
def test_record_loader_reports_problems_with_positions(data: bytes) -> None:
    doc, problems = parse_yaml_bytes(data, "f.yaml")
    assert_positions(problems, data, "f.yaml")
    assert doc is not None or any(p.severity == "error" for p in problems)
    if doc is not None:
        for kind in ("method", "pilot", "region"):
            _, more, _ = check_record(kind, "x", doc, vocabulary())
            assert_positions(more, data, "f.yaml")


@pytest.fixture(scope="module")
def shipped_catalogue() -> Any:
    return load_catalogue(REPO)


def test_recipe_loader_raises_only_content_errors(shipped_catalogue: Any, tmp_path: Path) -> None:
    seeds = [p.read_bytes() for p in sorted((REPO / "methods" / "recipes").glob("*.yaml"))]
    target = tmp_path / "recipe.yaml"

    @settings(max_examples=200, deadline=None, suppress_health_check=FUNCTION_FIXTURE)
    @given(data=st.one_of(yaml_like, st.builds(lambda seed, cut, junk: seed[:cut] + junk + seed[cut:],
                                               st.sampled_from(seeds), st.integers(0, 3000), yaml_like)))
    def check(data: bytes) -> None:
        target.write_bytes(data)
        try:
            load_recipe(target, shipped_catalogue, "recipe.yaml")
        except ContentError as exc:
            assert exc.problems
            assert_positions(exc.problems, data, "recipe.yaml")

    check()


# --------------------------------------------------------------------------- the fuzzing script in CI


@cache
def fuzz_module() -> ModuleType:
    path = Path(__file__).resolve().parent / "stress" / "fuzz.py"
    spec = importlib.util.spec_from_file_location("toolbox_fuzz", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fuzz_workdir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    close_all()


@pytest.mark.parametrize(("target", "examples"), [
    ("yaml", 150), ("recipe", 150), pytest.param("query", 80, marks=pytest.mark.slow)])
def test_fuzz_targets_run_clean(target: str, examples: int, shipped: Toolbox, fuzz_workdir: Path) -> None:
    fuzz = fuzz_module()
    # a fixed number of examples from a fixed seed: the same inputs on every run
    (report,) = fuzz.fuzz([target], "hypothesis", 120.0, examples=examples, rng_seed=7, shrink=5.0,
                          index_dir=shipped.index_dir, workdir=fuzz_workdir, per_input=30.0, slow=30.0)
    assert report.inputs >= examples
    found = [f"[{f.kind}] {f.signature}\n{f.detail}\ninput: {f.data!r}" for f in report.findings if f.kind != "slow"]
    assert not found, "\n\n".join(found)


def test_fuzz_script_finds_a_planted_crash(tmp_path: Path) -> None:
    """The harness reports an exception with the input that raised it (so a clean run means something)."""
    fuzz = fuzz_module()

    class Planted(fuzz.YamlTarget):  # type: ignore[misc,name-defined]
        def check(self, data: bytes) -> list[Any]:
            if b":" in data:
                raise RuntimeError("planted")
            return []

    target = Planted()
    target.setup(tmp_path)
    harness = fuzz.Harness(target, per_input=5.0, slow=5.0)
    harness.run_one(b"title: x\n")
    harness.run_one(b"plain")
    (finding,) = harness.findings.values()
    assert finding.kind == "crash" and finding.signature.startswith("RuntimeError")
    harness.shrink(finding, budget=5.0)
    assert finding.data == b":"

