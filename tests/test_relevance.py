"""The relevance benchmark: metrics on hand-made rankings, the judged-set loader, the report, the
command, and the floor the shipped judged set must clear against FTS5-OR."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import TESTS
from toolbox import Toolbox
from toolbox.cli import main
from toolbox.errors import ContentError
from toolbox.relevance import (
    SHIPPED_JUDGMENTS,
    Aggregate,
    JudgedQuery,
    QueryResult,
    RelevanceReport,
    Scores,
    build_baseline,
    dcg,
    evaluate,
    format_report,
    load_judgments,
    ndcg,
    or_search,
    reciprocal_rank,
    report_json,
    run_relevance,
    success,
    zero_result,
)

#: What the toolbox must reach on the shipped judged set (toolbox/judgments/shipped.yaml).
#: The ratio floor was 1.2 while most records had only English and German text (toolbox 0.854,
#: FTS5-OR 0.664). With every record complete in eight languages the baseline gained the most
#: (0.710: a plain OR over full Czech, Polish … text finds far more), while the toolbox held at
#: 0.848; the ratio floor moved to 1.15 and the absolute floors up, so that the engine is held to
#: what it reaches, not to how weak the baseline is.
FLOOR_NDCG5_RATIO_OVERALL = 1.15  # toolbox nDCG@5 ≥ 1.15 × FTS5-OR, all queries
FLOOR_NDCG5_RATIO_PER_LANGUAGE = 1.0  # ≥ 1.0 × FTS5-OR in every language
CEILING_ZERO_RESULT_SHARE = 0.03  # at most 3 % of the queries without any hit
#: Absolute floors a little under what the engine reached (nDCG@5 0.848, success@3 0.985 on
#: 2026-12-02, all eight languages complete), so that a ranking change that makes search worse
#: fails even while it still beats the baseline.
FLOOR_NDCG5 = 0.835
FLOOR_SUCCESS3 = 0.97

SMALL = TESTS / "relevance_minimal.yaml"  # judged queries on the minimal scenario
MINIMAL_IDS = {"open-factory-day", "mapping-study", "school-workshop", "demo-pilot", "testland"}


# --------------------------------------------------------------------------- metrics


def test_ndcg_with_graded_gains() -> None:
    grades = {"a": 2, "b": 1}
    # [b, a]: DCG = 1/log2(2) + 2/log2(3) = 1 + 1.2618595 = 2.2618595
    #         ideal [a, b]: 2/log2(2) + 1/log2(3) = 2 + 0.6309298 = 2.6309298 → 2.2618595 / 2.6309298 = 0.8597187
    assert ndcg(["b", "a"], grades, 5) == pytest.approx(0.8597187, abs=1e-7)
    assert ndcg(["a", "b"], grades, 5) == 1.0
    # an unjudged hit first: DCG = 0 + 2/log2(3) + 1/log2(4) = 1.2618595 + 0.5 = 1.7618595 → 0.6696718
    assert ndcg(["x", "a", "b"], grades, 5) == pytest.approx(0.6696718, abs=1e-7)
    # only the first k hits count: a at rank 6 is outside the top 5
    assert ndcg(["u", "v", "w", "x", "y", "a"], {"a": 2}, 5) == 0.0
    # a at rank 6 within the top 10: (2/log2(7)) / (2/log2(2)) = 1/2.8073549 = 0.3562072
    assert ndcg(["u", "v", "w", "x", "y", "a"], {"a": 2}, 10) == pytest.approx(0.3562072, abs=1e-7)
    # the ideal DCG takes the k best grades only: six ideal records, five of them found = 1
    many = {c: 2 for c in "abcdef"}
    assert ndcg(list("abcde"), many, 5) == 1.0
    assert ndcg([], grades, 5) == 0.0
    assert ndcg(["a"], {}, 5) == 0.0  # nothing judged
    # a hit listed twice counts once: [a, a, b] is [a, b]
    assert ndcg(["a", "a", "b"], grades, 5) == 1.0
    assert dcg([2, 1]) == pytest.approx(2 + 1 / math.log2(3))


def test_reciprocal_rank_success_and_zero_results() -> None:
    grades = {"a": 2, "b": 1}
    assert reciprocal_rank(["a"], grades) == 1.0
    assert reciprocal_rank(["x", "y", "b"], grades) == pytest.approx(1 / 3)
    assert reciprocal_rank([*"cdefghijk", "z", "a"], grades) == 0.0  # rank 11: outside MRR@10
    assert reciprocal_rank([*"cdefghijk", "a"], grades) == pytest.approx(1 / 10)
    assert reciprocal_rank([], grades) == 0.0
    assert success(["x", "y", "b"], grades) == 1.0
    assert success(["x", "y", "z", "a"], grades) == 0.0
    assert zero_result([]) == 1.0
    assert zero_result(["x"]) == 0.0


# --------------------------------------------------------------------------- loading


def test_load_the_small_judged_set() -> None:
    queries = load_judgments(SMALL, MINIMAL_IDS, {"en", "de", "it"})
    assert [q.id for q in queries] == ["en-01", "de-01", "de-02", "en-02", "it-01", "en-03"]
    first = queries[0]
    assert first == JudgedQuery("en-01", "open factory day", "en", "keywords",
                                {"open-factory-day": 2, "demo-pilot": 1}, line=3)
    assert queries[5].ideal() == ("mapping-study", "school-workshop")


BAD = """\
queries:
  - id: en-01
    query: "open factory day"
    lang: en
    type: keyword
    relevant:
      open-factory-dya: 2
      demo-pilot: 3
  - id: en-01
    query: 12
    lang: ge
    type: typo
    releavnt:
      mapping-study: 1
  - id: de-01
    query: "Kartierung"
    lang: de
    type: compound
    relevant: {}
  - just text
extra: 1
"""


def test_every_problem_of_a_bad_judged_set_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "judged.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_judgments(path, MINIMAL_IDS, {"en", "de", "it"})
    assert caught.value.message == f"11 problems in the judged queries ({path})"
    assert [p.format() for p in caught.value.problems] == [
        f"{path}:5:11: queries[0].type: unknown query type 'keyword'\n    hint: did you mean 'keywords'?",
        f"{path}:7:7: queries[0].relevant.open-factory-dya: unknown record id 'open-factory-dya'\n"
        "    hint: did you mean 'open-factory-day'?",
        f"{path}:8:19: queries[0].relevant.demo-pilot: grade must be 1 (relevant) or 2 (ideal), got 3\n"
        "    hint: 2 for a record that answers the query best, 1 for one that helps",
        f"{path}:9:5: queries[1]: missing 'relevant'\n    hint: every query needs id, query, lang, type, relevant",
        f"{path}:9:9: queries[1].id: duplicate query id 'en-01' (first at line 2)\n"
        "    hint: give every query an id of its own",
        f"{path}:10:12: queries[1].query: expected text, got a number\n    hint: write it in quotes, e.g. \"…\"",
        f"{path}:11:11: queries[1].lang: unknown language 'ge'\n    hint: did you mean 'de'?",
        f"{path}:13:5: queries[1].releavnt: unknown key 'releavnt'\n    hint: did you mean 'relevant'?",
        f"{path}:19:15: queries[2].relevant: no relevant records\n"
        "    hint: name at least one record, e.g. 'meanwhile-use: 2'",
        f"{path}:20:5: queries[3]: expected a query (id, query, lang, type, relevant), got text\n"
        "    hint: write each query as '- id: …' followed by its other keys",
        f"{path}:21:1: extra: unknown key 'extra'\n    hint: the file holds one key, 'queries:'",
    ]


def test_unreadable_and_empty_judged_sets(tmp_path: Path) -> None:
    path = tmp_path / "judged.yaml"
    path.write_text("queries:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_judgments(path)
    assert caught.value.message == f"cannot read the judged queries in {path}"
    assert caught.value.problems[0].line == 3
    path.write_text("queries: []\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_judgments(path)
    assert [p.format() for p in caught.value.problems] == [
        f"{path}:1:10: queries: no queries\n    hint: start the file with 'queries:' and list each query as '- id: …'"]


def test_an_unknown_id_among_many_gets_a_plain_hint(tmp_path: Path) -> None:
    path = tmp_path / "judged.yaml"
    path.write_text("queries:\n  - {id: q, query: x, lang: en, type: typo, relevant: {zzzzzz: 1}}\n", encoding="utf-8")
    many = {f"record-{i}" for i in range(40)}
    with pytest.raises(ContentError) as caught:
        load_judgments(path, many)
    (problem,) = caught.value.problems
    assert (problem.line, problem.message) == (2, "unknown record id 'zzzzzz'")
    assert problem.hint == "no record has this id; 'toolbox search WORDS' shows the ids of the records"


# --------------------------------------------------------------------------- report


def test_fts5_or_baseline(minimal_tb: Toolbox) -> None:
    baseline = build_baseline(minimal_tb.catalogue)
    try:
        assert or_search(baseline, "Kartierung") == ("mapping-study",)
        # OR: either word is enough; records with both words come first
        both = or_search(baseline, "Kartierung Schulen")
        assert set(both) >= {"mapping-study", "school-workshop"}
        assert or_search(baseline, "…  ") == ()
        assert or_search(baseline, 'Tag "der" OR') != ()  # quotes and operators are only words
    finally:
        baseline.db.close()


def test_report_on_the_minimal_scenario(minimal_tb: Toolbox) -> None:
    queries = load_judgments(SMALL, MINIMAL_IDS)
    refused = JudgedQuery("long", "Fabrik " * 200, "de", "sentence", {"open-factory-day": 2})  # over 1,000 chars
    report = run_relevance(minimal_tb, (*queries, refused), source="small.yaml")
    assert report.records == 5 and report.overall.n == 7
    assert list(report.by_lang) == ["en", "de", "it"]  # the vocabulary's order
    assert list(report.by_type) == ["sentence", "keywords", "typo", "compound", "abbreviation"]
    assert sum(a.n for a in report.by_lang.values()) == 7
    (error,) = report.errors
    assert error.query.id == "long" and error.toolbox == () and error.toolbox_scores.zero == 1.0 and error.error
    assert "open-factory-day" in error.baseline  # FTS5 has no length limit
    by_id = {r.query.id: r for r in report.queries}
    assert by_id["de-02"].baseline == ("mapping-study",) and by_id["de-02"].baseline_scores.ndcg5 == 1.0
    # the worst queries: lowest toolbox nDCG@5 first; ties by the larger deficit against the baseline
    worst = report.worst(3)
    assert worst[0].toolbox_scores.ndcg5 <= worst[1].toolbox_scores.ndcg5 <= worst[2].toolbox_scores.ndcg5
    text = format_report(report, worst=3)
    assert "None" not in text
    assert "### Queries the toolbox refused (counted as no results)" in text
    data = report_json(report)
    assert json.loads(json.dumps(data)) == data
    assert data["overall"]["n"] == 7 and len(data["queries"]) == 7


def test_worst_ties_put_the_larger_deficit_first() -> None:
    def result(qid: str, ours: tuple[str, ...], theirs: tuple[str, ...]) -> QueryResult:
        q = JudgedQuery(qid, qid, "en", "keywords", {"a": 2, "b": 1})
        return QueryResult(q, ours, theirs, Scores.of(ours, q.relevant), Scores.of(theirs, q.relevant))

    results = (result("good", ("a", "b"), ()), result("none-none", (), ()), result("none-beaten", ("x",), ("a",)),
               result("none-beaten-too", (), ("a",)), result("half", ("b",), ("a", "b")))
    report = RelevanceReport("", 3, results, Aggregate.of(results), {}, {})
    # nDCG@5 0, 0, 0, 0.38, 1; among the zeros the two the baseline beats (by 0.86) come first, by id
    assert [r.query.id for r in report.worst(5)] == ["none-beaten", "none-beaten-too", "none-none", "half", "good"]
    assert [r.query.id for r in report.worst(2)] == ["none-beaten", "none-beaten-too"]
    assert report.overall.n == 5 and report.overall.toolbox.zero == pytest.approx(2 / 5)
    assert report.overall.ratio() == pytest.approx(report.overall.toolbox.ndcg5 / report.overall.baseline.ndcg5)
    assert Aggregate.of(results[1:2]).ratio() is None  # the baseline scores 0: no ratio
    assert "None" not in format_report(RelevanceReport("", 3, results[1:2], Aggregate.of(results[1:2]),
                                                       {"en": Aggregate.of(results[1:2])}, {}))


# --------------------------------------------------------------------------- command


def _collapse(line: str) -> str:
    return re.sub(r" +", " ", line)


def test_command_prints_the_tables(minimal: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "relevance.md"
    result = CliRunner().invoke(main, ["--project", str(minimal), "benchmark", "--relevance",
                                       "--judgments", str(SMALL), "--worst", "3", "-o", str(out_file)])
    assert result.exit_code == 0, result.output
    lines = [_collapse(line) for line in result.stdout.splitlines()]
    assert lines[0].startswith("## Relevance: 6 judged queries, 5 records (")
    for header in ("| metric | toolbox | FTS5-OR | ratio |",
                   "| lang | n | nDCG@5 toolbox | nDCG@5 FTS5 | ratio | success@3 toolbox / FTS5 | "
                   "zero results toolbox / FTS5 |",
                   "| type | n | nDCG@5 toolbox | nDCG@5 FTS5 | ratio | success@3 toolbox / FTS5 | "
                   "zero results toolbox / FTS5 |",
                   "| id | lang | query | nDCG@5 toolbox | nDCG@5 FTS5 | toolbox top 3 | ideal |",
                   "### Per language", "### Per query type", "### Worst 3 queries by toolbox nDCG@5"):
        assert header in lines, header
    assert "| queries | 6 | 6 | – |" in lines
    assert any(line.startswith("| zero-result share |") and line.count("%") == 2 for line in lines)
    assert "None" not in result.stdout
    assert "judged queries on both engines" in result.stderr
    assert out_file.read_text(encoding="utf-8") == result.stdout
    # every table row has as many cells as its header
    for block in result.stdout.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        assert len({len(re.findall(r"(?<!\\)\|", row)) for row in rows}) <= 1, block

    result = CliRunner().invoke(main, ["--project", str(minimal), "benchmark", "--relevance",
                                       "--judgments", str(SMALL), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["overall"]["n"] == 6 and {q["id"] for q in data["queries"]} >= {"en-01", "de-02"}


def test_command_refuses_mixed_options_and_unknown_ids(minimal: Path, tmp_path: Path) -> None:
    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["--project", str(minimal), "benchmark", *args])
        return result.exit_code, result.stderr

    assert run("--relevance", "--records", "60") == (
        2, "Error: --records: only for the timing benchmark, not with --relevance\n"
           "    hint: run the two benchmarks as separate commands\n")
    assert run("--relevance", "--no-web")[0] == 2
    assert run("--worst", "3") == (2, "Error: --worst: only with --relevance\n"
                                      "    hint: toolbox benchmark --relevance --worst …\n")
    # the shipped judged set names shipped records, which this project does not have
    if SHIPPED_JUDGMENTS.is_file():
        code, err = run("--relevance")
        assert code == 1 and "unknown record id" in err
    judged = tmp_path / "judged.yaml"
    judged.write_text(SMALL.read_text(encoding="utf-8").replace("mapping-study: 2", "maping-study: 2"),
                      encoding="utf-8")
    code, err = run("--relevance", "--judgments", str(judged))
    assert code == 1
    assert err.splitlines() == [
        f"Error: 2 problems in the judged queries ({judged})",
        f"{judged}:21:7: queries[2].relevant.maping-study: unknown record id 'maping-study'",
        "    hint: did you mean 'mapping-study'?",
        f"{judged}:39:7: queries[5].relevant.maping-study: unknown record id 'maping-study'",
        "    hint: did you mean 'mapping-study'?",
    ]


def test_help_teaches_both_modes() -> None:
    result = CliRunner().invoke(main, ["benchmark", "--help"])
    assert result.exit_code == 0
    assert "toolbox benchmark --relevance" in result.stdout and "--records 300,5000,10000" in result.stdout


# --------------------------------------------------------------------------- the floor


def test_shipped_judged_set_clears_the_floor(shipped: Toolbox) -> None:
    """The engine's ranking against FTS5-OR on the shipped judged set. Read the worst-queries
    table (``toolbox benchmark --relevance``) before moving a floor."""
    report = evaluate(shipped, SHIPPED_JUDGMENTS)
    text = format_report(report, worst=15)
    overall = report.overall
    assert overall.toolbox.ndcg5 >= FLOOR_NDCG5_RATIO_OVERALL * overall.baseline.ndcg5, (
        f"nDCG@5 {overall.toolbox.ndcg5:.3f} against FTS5-OR {overall.baseline.ndcg5:.3f}: ratio "
        f"{overall.ratio() or 0:.2f}, floor {FLOOR_NDCG5_RATIO_OVERALL}\n{text}")
    below = {lang: f"{a.toolbox.ndcg5:.3f} < {FLOOR_NDCG5_RATIO_PER_LANGUAGE} × {a.baseline.ndcg5:.3f}"
             for lang, a in report.by_lang.items()
             if a.toolbox.ndcg5 < FLOOR_NDCG5_RATIO_PER_LANGUAGE * a.baseline.ndcg5}
    assert not below, f"nDCG@5 below the baseline in {below}\n{text}"
    assert overall.toolbox.ndcg5 >= FLOOR_NDCG5 and overall.toolbox.success3 >= FLOOR_SUCCESS3, (
        f"nDCG@5 {overall.toolbox.ndcg5:.3f} (floor {FLOOR_NDCG5}), success@3 {overall.toolbox.success3:.3f} "
        f"(floor {FLOOR_SUCCESS3})\n{text}")
    assert overall.toolbox.zero <= CEILING_ZERO_RESULT_SHARE, (
        f"{overall.toolbox.zero:.1%} of the queries without results, ceiling {CEILING_ZERO_RESULT_SHARE:.0%}\n{text}")
