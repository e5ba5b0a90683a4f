"""``toolbox benchmark --relevance``: ranking quality on judged queries, against an FTS5-OR baseline.

A judged set (YAML) lists queries as officers type them, each with the records that answer it
and a grade (2 ideal, 1 relevant). Both engines run every query: the toolbox through
:meth:`Toolbox.search`, and SQLite FTS5 over the same flat documents the index is built from
(``documents.py``, the table of ``benchmark.Baseline``) with the query's words ORed and ranked by
bm25. The metrics are pure functions of a ranking and the grades: nDCG@k with graded gains,
MRR@10, success@3 and zero results; the report averages them overall, per language and per
query type, and lists the queries the toolbox ranks worst.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ContentError, Problem, QueryError, UsageError, did_you_mean, sort_problems
from .yamlsource import YamlDocument, dotted, one_line, read_yaml_file

if TYPE_CHECKING:
    from .api import Toolbox
    from .benchmark import Baseline
    from .project import Catalogue

#: The judged set shipped with the package, used when no ``--judgments`` file is given.
SHIPPED_JUDGMENTS = Path(__file__).parent / "judgments" / "shipped.yaml"

#: What a query stands for (how an officer would type it).
QUERY_TYPES = ("sentence", "keywords", "typo", "compound", "abbreviation", "place")
FIELDS = ("id", "query", "lang", "type", "relevant")
GRADES = (1, 2)
LIMIT = 10  # hits taken from each engine
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class JudgedQuery:
    """One query of a judged set; ``relevant`` maps record ids to grades (2 ideal, 1 relevant)."""

    id: str
    query: str
    lang: str
    type: str
    relevant: Mapping[str, int]
    line: int = 0  # where the query starts in its file

    def ideal(self) -> tuple[str, ...]:
        """The judged ids in the best order: higher grade first, then by id."""
        return tuple(sorted(self.relevant, key=lambda rid: (-self.relevant[rid], rid)))


# --------------------------------------------------------------------------- loading


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"


def _id_hint(value: str, known: Collection[str]) -> str:
    hint = did_you_mean(value, known)
    if hint.startswith("expected one of ") and len(known) > 12:  # did_you_mean's fallback names the vocabulary
        return "no record has this id; 'toolbox search WORDS' shows the ids of the records"
    return hint


def load_judgments(path: Path, known_ids: Collection[str] | None = None, languages: Collection[str] | None = None,
                   *, display: str | None = None) -> tuple[JudgedQuery, ...]:
    """Read and check a judged set; every problem is collected, then one :class:`ContentError`.

    Record ids are checked against ``known_ids`` and languages against ``languages`` when they
    are given. Problems name ``display`` (default: ``path``) and the line of the offending value.
    """
    shown = display or str(path)
    doc, problems = read_yaml_file(path, shown)
    if doc is None:
        raise ContentError(f"cannot read the judged queries in {shown}", problems)
    checker = _Checker(doc, problems, known_ids, languages)
    queries = checker.check()
    if checker.problems:
        n = len(checker.problems)
        raise ContentError(f"{n} problem{'s' if n != 1 else ''} in the judged queries ({shown})",
                           sort_problems(checker.problems))
    return queries


class _Checker:
    def __init__(self, doc: YamlDocument, problems: list[Problem], known_ids: Collection[str] | None,
                 languages: Collection[str] | None) -> None:
        self.doc = doc
        self.problems = problems
        self.known_ids = known_ids
        self.languages = languages

    def add(self, where: tuple[str | int, ...], message: str, hint: str = "", *, key: bool = False) -> None:
        line, column = self.doc.key_pos(where) if key else self.doc.pos(where)
        self.problems.append(Problem(self.doc.path, line, column, dotted(where), message, hint))

    def check(self) -> tuple[JudgedQuery, ...]:
        data = self.doc.data
        for key in data:
            if key != "queries":
                self.add((key,), f"unknown key '{one_line(key)}'", "the file holds one key, 'queries:'", key=True)
        raw = data.get("queries")
        if not isinstance(raw, list) or not raw:
            message = ("missing 'queries'" if "queries" not in data else "no queries" if isinstance(raw, list)
                       else f"expected a list of queries, got {_kind(raw)}")
            self.add(("queries",), message, "start the file with 'queries:' and list each query as '- id: …'")
            return ()
        seen: dict[str, int] = {}
        out = []
        for i, item in enumerate(raw):
            qid = item.get("id") if isinstance(item, dict) else None
            repeated = isinstance(qid, str) and qid in seen
            if repeated:
                self.add(("queries", i, "id"), f"duplicate query id '{one_line(str(qid))}' (first at line "
                         f"{seen[str(qid)]})", "give every query an id of its own")
            elif isinstance(qid, str):
                seen[qid] = self.doc.pos(("queries", i))[0]
            query = self.query(("queries", i), item)
            if query is not None and not repeated:
                out.append(query)
        return tuple(out)

    def text(self, where: tuple[str | int, ...], value: object) -> str | None:
        if not isinstance(value, str):
            self.add(where, f"expected text, got {_kind(value)}", "write it in quotes, e.g. \"…\"")
            return None
        if not value.strip():
            self.add(where, "is empty", "fill it in")
            return None
        return value

    def query(self, where: tuple[str | int, ...], item: object) -> JudgedQuery | None:
        line = self.doc.pos(where)[0]
        if not isinstance(item, dict):
            self.add(where, f"expected a query (id, query, lang, type, relevant), got {_kind(item)}",
                     "write each query as '- id: …' followed by its other keys")
            return None
        for key in item:
            if key not in FIELDS:
                self.add((*where, key), f"unknown key '{one_line(key)}'", did_you_mean(key, FIELDS), key=True)
        missing = [f for f in FIELDS if f not in item]
        if missing:
            self.add(where, "missing " + ", ".join(f"'{f}'" for f in missing),
                     "every query needs " + ", ".join(FIELDS))
        qid, text, lang, qtype = (self.text((*where, f), item[f]) if f in item else None
                                  for f in ("id", "query", "lang", "type"))
        if lang is not None and self.languages is not None and lang not in self.languages:
            self.add((*where, "lang"), f"unknown language '{one_line(lang)}'",
                     did_you_mean(lang, self.languages, list_all=True))
            lang = None
        if qtype is not None and qtype not in QUERY_TYPES:
            self.add((*where, "type"), f"unknown query type '{one_line(qtype)}'", did_you_mean(qtype, QUERY_TYPES))
            qtype = None
        relevant = self.grades((*where, "relevant"), item["relevant"]) if "relevant" in item else None
        if qid is None or text is None or lang is None or qtype is None or relevant is None:
            return None
        return JudgedQuery(qid, text, lang, qtype, relevant, line)

    def grades(self, where: tuple[str | int, ...], value: object) -> dict[str, int] | None:
        if not isinstance(value, dict):
            self.add(where, f"expected record ids with grades, got {_kind(value)}",
                     "write one record per line, e.g. 'meanwhile-use: 2' (2 ideal, 1 relevant)")
            return None
        if not value:
            self.add(where, "no relevant records", "name at least one record, e.g. 'meanwhile-use: 2'")
            return None
        ok = True
        for rid, grade in value.items():
            if self.known_ids is not None and rid not in self.known_ids:
                self.add((*where, rid), f"unknown record id '{one_line(rid)}'", _id_hint(rid, self.known_ids),
                         key=True)
                ok = False
            if not isinstance(grade, int) or isinstance(grade, bool) or grade not in GRADES:
                self.add((*where, rid), f"grade must be 1 (relevant) or 2 (ideal), got "
                         f"{one_line(repr(grade)) if isinstance(grade, int | str) else _kind(grade)}",
                         "2 for a record that answers the query best, 1 for one that helps")
                ok = False
        return dict(value) if ok else None


# --------------------------------------------------------------------------- metrics


def _gains(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> list[int]:
    """The grades of the first ``k`` distinct hits (0 for hits nobody judged)."""
    return [grades.get(rid, 0) for rid in list(dict.fromkeys(ranking))[:k]]


def dcg(gains: Iterable[float]) -> float:
    """Discounted cumulative gain: Σ gain_i / log2(i + 1) over ranks i = 1, 2, …"""
    return sum(g / math.log2(i + 1) for i, g in enumerate(gains, 1))


def ndcg(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """nDCG@k with graded gains (gain = grade, 2 or 1; unjudged hits 0): the DCG of the first
    ``k`` hits over the DCG of the judged grades sorted best first. 0 when nothing is judged."""
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:k])
    return dcg(_gains(ranking, grades, k)) / ideal if ideal else 0.0


def reciprocal_rank(ranking: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """1 / rank of the first hit graded 1 or more within the first ``k``; 0 if there is none (MRR@k
    is its mean over queries)."""
    for rank, gain in enumerate(_gains(ranking, grades, k), 1):
        if gain >= 1:
            return 1 / rank
    return 0.0


def success(ranking: Sequence[str], grades: Mapping[str, int], k: int = 3) -> float:
    """1 if a hit graded 1 or more is among the first ``k``, else 0 (success@k)."""
    return 1.0 if any(g >= 1 for g in _gains(ranking, grades, k)) else 0.0


def zero_result(ranking: Sequence[str]) -> float:
    """1 if the engine returned no hit at all, else 0."""
    return 0.0 if ranking else 1.0


@dataclass(frozen=True)
class Scores:
    """The metrics of one ranking, or their means over a group of queries."""

    ndcg5: float
    ndcg10: float
    mrr10: float
    success3: float
    zero: float

    @classmethod
    def of(cls, ranking: Sequence[str], grades: Mapping[str, int]) -> Scores:
        return cls(ndcg(ranking, grades, 5), ndcg(ranking, grades, 10), reciprocal_rank(ranking, grades, 10),
                   success(ranking, grades, 3), zero_result(ranking))

    @classmethod
    def mean(cls, scores: Sequence[Scores]) -> Scores:
        n = len(scores) or 1
        return cls(*(sum(getattr(s, f) for s in scores) / n for f in METRICS))


METRICS = ("ndcg5", "ndcg10", "mrr10", "success3", "zero")


# --------------------------------------------------------------------------- the two engines


def build_baseline(catalogue: Catalogue) -> Baseline:
    """The timing benchmark's FTS5 table (in memory) over the documents the index is built from."""
    from .benchmark import Baseline
    from .documents import make_documents

    return Baseline.build(Path(":memory:"), make_documents(catalogue))


def or_search(baseline: Baseline, query: str, limit: int = LIMIT) -> tuple[str, ...]:
    """FTS5-OR: the query's words, each quoted, joined with OR, ranked by bm25; the top ids."""
    words = _WORD.findall(query)
    if not words:
        return ()
    match = " OR ".join(f'"{w}"' for w in words)
    rows = baseline.db.execute("SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?", (match, limit))
    return tuple(baseline.ids[r - 1] for (r,) in rows)


@dataclass(frozen=True)
class QueryResult:
    query: JudgedQuery
    toolbox: tuple[str, ...]  # top ids, best first
    baseline: tuple[str, ...]
    toolbox_scores: Scores
    baseline_scores: Scores
    error: str | None = None  # the toolbox refused the query (QueryError): counted as no results


@dataclass(frozen=True)
class Aggregate:
    """Mean scores of a group of queries for both engines."""

    n: int
    toolbox: Scores
    baseline: Scores

    def ratio(self, metric: str = "ndcg5") -> float | None:
        """toolbox / baseline for ``metric``; ``None`` when the baseline scores 0."""
        base = getattr(self.baseline, metric)
        return getattr(self.toolbox, metric) / base if base else None

    @classmethod
    def of(cls, results: Sequence[QueryResult]) -> Aggregate:
        return cls(len(results), Scores.mean([r.toolbox_scores for r in results]),
                   Scores.mean([r.baseline_scores for r in results]))


@dataclass(frozen=True)
class RelevanceReport:
    source: str  # the judged set's file, as shown
    records: int
    queries: tuple[QueryResult, ...]
    overall: Aggregate
    by_lang: Mapping[str, Aggregate]
    by_type: Mapping[str, Aggregate]

    @property
    def errors(self) -> tuple[QueryResult, ...]:
        return tuple(r for r in self.queries if r.error is not None)

    def worst(self, n: int) -> tuple[QueryResult, ...]:
        """The ``n`` queries the toolbox ranks worst by nDCG@5; ties: the larger deficit against the
        baseline first, then by id."""
        return tuple(sorted(self.queries, key=lambda r: (
            r.toolbox_scores.ndcg5, r.toolbox_scores.ndcg5 - r.baseline_scores.ndcg5, r.query.id))[:n])


def _groups(results: Sequence[QueryResult], key: Callable[[JudgedQuery], str],
            order: Sequence[str]) -> dict[str, Aggregate]:
    groups: dict[str, list[QueryResult]] = {}
    for r in results:
        groups.setdefault(key(r.query), []).append(r)
    ranked = sorted(groups, key=lambda g: (order.index(g) if g in order else len(order), g))
    return {g: Aggregate.of(groups[g]) for g in ranked}


def run_relevance(toolbox: Toolbox, judgments: Sequence[JudgedQuery], *, source: str = "",
                  say: Callable[[str], None] | None = None) -> RelevanceReport:
    """Run every judged query on the toolbox (index built or updated once) and on FTS5-OR."""
    say = say or (lambda _message: None)
    catalogue = toolbox.catalogue
    say(f"index of {len(catalogue.records)} records …")
    toolbox.build_index()
    say("FTS5-OR baseline over the same documents …")
    baseline = build_baseline(catalogue)
    say(f"{len(judgments)} judged queries on both engines …")
    results = []
    try:
        for q in judgments:
            error = None
            try:
                ours = tuple(h.id for h in toolbox.search(q.query, lang=q.lang, limit=LIMIT, update=False).hits)
            except QueryError as exc:
                ours, error = (), exc.message
            theirs = or_search(baseline, q.query)
            results.append(QueryResult(q, ours, theirs, Scores.of(ours, q.relevant), Scores.of(theirs, q.relevant),
                                       error))
    finally:
        baseline.db.close()
    languages = list(catalogue.vocabulary.languages) if catalogue.vocabulary else []
    return RelevanceReport(source, len(catalogue.records), tuple(results), Aggregate.of(results),
                           _groups(results, lambda q: q.lang, languages),
                           _groups(results, lambda q: q.type, QUERY_TYPES))


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it."""
    full = path.resolve()
    return os.path.relpath(full) if full.is_relative_to(Path.cwd()) else str(full)


def evaluate(toolbox: Toolbox, path: Path | None = None, *,
             say: Callable[[str], None] | None = None) -> RelevanceReport:
    """Load the judged set at ``path`` (default: the shipped one), check it against the
    project's records and languages, and run it (:func:`run_relevance`)."""
    path = path or SHIPPED_JUDGMENTS
    if not path.is_file():
        raise UsageError.about("--judgments", f"no judged set at {path}", "give one with --judgments FILE")
    vocabulary = toolbox.catalogue.vocabulary
    judgments = load_judgments(path, toolbox.records, vocabulary.languages if vocabulary else None,
                               display=str(path.resolve()))
    return run_relevance(toolbox, judgments, source=_shown(path), say=say)


# --------------------------------------------------------------------------- output


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def _cell(text: str) -> str:
    return one_line(text).replace("|", "\\|")


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], right: Collection[int]) -> list[str]:
    """A Markdown table padded to align; columns in ``right`` are right-aligned (numbers)."""
    widths = [max(3, *(len(r[i]) for r in [head, *rows])) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    rule = "| " + " | ".join("-" * (w - 1) + ":" if i in right else "-" * w for i, w in enumerate(widths)) + " |"
    return [line(head), rule, *(line(r) for r in rows)]


def _group_rows(groups: Mapping[str, Aggregate]) -> list[list[str]]:
    return [[name, str(a.n), _num(a.toolbox.ndcg5), _num(a.baseline.ndcg5), _ratio(a.ratio()),
             f"{_num(a.toolbox.success3, 2)} / {_num(a.baseline.success3, 2)}",
             f"{round(a.toolbox.zero * a.n)} / {round(a.baseline.zero * a.n)}"] for name, a in groups.items()]


def _graded(ids: Sequence[str], grades: Mapping[str, int], limit: int = 3) -> str:
    shown = [f"{rid} ({grades[rid]})" if rid in grades else rid for rid in ids[:limit]]
    if len(ids) > limit:
        shown.append(f"+{len(ids) - limit}")
    return ", ".join(shown) or "–"


def format_report(report: RelevanceReport, worst: int = 10) -> str:
    """The report as Markdown: overall, per language, per query type, and the worst queries."""
    o = report.overall
    out = [f"## Relevance: {o.n} judged queries, {report.records} records"
           + (f" ({_cell(report.source)})" if report.source else ""), "",
           "Toolbox search against FTS5-OR (the query's words ORed, bm25) over the same documents; "
           "top 10 hits; grades 2 ideal, 1 relevant.", ""]
    rows = [[label, _num(getattr(o.toolbox, m)), _num(getattr(o.baseline, m)), _ratio(o.ratio(m))]
            for label, m in (("nDCG@5", "ndcg5"), ("nDCG@10", "ndcg10"), ("MRR@10", "mrr10"),
                             ("success@3", "success3"))]
    rows.append(["zero-result share", _pct(o.toolbox.zero), _pct(o.baseline.zero), "–"])
    rows.append(["queries", str(o.n), str(o.n), "–"])
    out += _table(("metric", "toolbox", "FTS5-OR", "ratio"), rows, {1, 2, 3})
    group_head = ("n", "nDCG@5 toolbox", "nDCG@5 FTS5", "ratio", "success@3 toolbox / FTS5",
                  "zero results toolbox / FTS5")
    for title, first, groups in (("Per language", "lang", report.by_lang), ("Per query type", "type", report.by_type)):
        out += ["", f"### {title}", ""]
        out += _table((first, *group_head), _group_rows(groups), {1, 2, 3, 4, 5, 6})
    chosen = report.worst(worst)
    if chosen:
        out += ["", f"### Worst {len(chosen)} queries by toolbox nDCG@5", ""]
        out += _table(("id", "lang", "query", "nDCG@5 toolbox", "nDCG@5 FTS5", "toolbox top 3", "ideal"),
                      [[_cell(r.query.id), r.query.lang, _cell(r.query.query), _num(r.toolbox_scores.ndcg5),
                        _num(r.baseline_scores.ndcg5), _cell(_graded(r.toolbox, r.query.relevant)),
                        _cell(_graded(r.query.ideal(), r.query.relevant))] for r in chosen], {3, 4})
    if report.errors:
        out += ["", "### Queries the toolbox refused (counted as no results)", ""]
        out += [f"- `{_cell(r.query.id)}` ({_cell(r.query.query)}): {_cell(r.error or '')}" for r in report.errors]
    return "\n".join(out) + "\n"


def _scores_json(s: Scores) -> dict[str, float]:
    return {m: round(getattr(s, m), 4) for m in METRICS}


def _aggregate_json(a: Aggregate) -> dict[str, Any]:
    ratio = a.ratio()
    return {"n": a.n, "toolbox": _scores_json(a.toolbox), "baseline": _scores_json(a.baseline),
            "ndcg5_ratio": None if ratio is None else round(ratio, 4)}


def report_json(report: RelevanceReport) -> dict[str, Any]:
    """The report as JSON data (``toolbox benchmark --relevance --json``)."""
    return {
        "judgments": report.source,
        "records": report.records,
        "baseline": "sqlite-fts5-or-bm25",
        "overall": _aggregate_json(report.overall),
        "by_lang": {k: _aggregate_json(v) for k, v in report.by_lang.items()},
        "by_type": {k: _aggregate_json(v) for k, v in report.by_type.items()},
        "queries": [{
            "id": r.query.id, "query": r.query.query, "lang": r.query.lang, "type": r.query.type,
            "line": r.query.line, "relevant": dict(r.query.relevant),
            "toolbox": {"hits": list(r.toolbox), **_scores_json(r.toolbox_scores)},
            "baseline": {"hits": list(r.baseline), **_scores_json(r.baseline_scores)},
            "error": r.error,
        } for r in report.queries],
    }
