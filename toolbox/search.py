"""Query the Whoosh index and return plain :class:`~toolbox.model.SearchResult` values.

Filters and facet counts use a per-document tag table read once per index generation, so
counting is set arithmetic rather than one Whoosh grouping query per axis. Facet counts are
*disjunctive*: the count of a value on axis X is the number of records that match the query
and the filters of every other axis and carry that value. That is the number a user gets by
ticking the value when nothing on X is ticked yet, and it stays meaningful while several values
of X are ticked (they are OR-ed).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.qparser import MultifieldParser
from whoosh.searching import Searcher

from .analysis import FACET_FIELDS, TEXT_PARTS, language_analyzer, stopwords, text_field
from .errors import IndexUnavailable, Problem, QueryError, did_you_mean, unknown_values
from .indexer import MANIFEST, SPELLING, live_generation, read_tag_table
from .model import FacetValue, Filters, Hit, Kind, SearchResult, Snippet
from .query import SynonymTable, bare_words, prepare
from .textutil import fold, shorten

SORTS = ("relevance", "title", "effort")
KIND_LABELS = {
    "method": {"en": "Method", "de": "Methode", "cs": "Metoda", "pl": "Metoda", "sl": "Metoda",
               "it": "Metodo", "nl": "Methode"},
    "pilot": {"en": "Pilot action", "de": "Pilotaktion", "cs": "Pilotní akce", "pl": "Działanie pilotażowe",
              "sl": "Pilotna akcija", "it": "Azione pilota", "nl": "Pilotactie"},
    "region": {"en": "Region profile", "de": "Regionsprofil", "cs": "Profil regionu", "pl": "Profil regionu",
               "sl": "Profil regije", "it": "Profilo regionale", "nl": "Regioprofiel"},
}


@dataclass
class _Opened:
    """An open index generation with what every search on it needs."""

    gen: Path
    index: Any
    searcher: Searcher
    manifest: dict[str, Any]
    languages: list[str]
    tag_table: dict[str, dict[str, set[int]]]  # axis -> value -> docnums
    all_docs: frozenset[int]
    synonyms: SynonymTable
    stop: frozenset[str]
    spelling: dict[str, int] | None = None


@lru_cache(maxsize=4)
def _open_generation(gen: Path, stamp: tuple[int, int]) -> _Opened:
    """Open a generation once per process; ``stamp`` (the manifest's inode and time) makes a
    re-created generation of the same name a cache miss."""
    ix = whoosh_index.open_dir(str(gen))
    manifest = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    searcher = ix.searcher()
    table, live = read_tag_table(gen)
    languages = list(manifest.get("languages", ["en"]))
    stop = frozenset().union(*(stopwords(lang) for lang in languages))
    return _Opened(gen, ix, searcher, manifest, languages, table, live,
                   SynonymTable(manifest.get("synonyms", [])), stop)


def _stamp(gen: Path) -> tuple[int, int]:
    st = (gen / MANIFEST).stat()
    return st.st_ino, st.st_mtime_ns


def open_index(index_dir: Path) -> _Opened:
    gen = live_generation(index_dir)
    if gen is None:
        raise IndexUnavailable(f"no search index in {index_dir}",
                               [Problem(str(index_dir), 0, 0, "", "no search index here",
                                        "run 'toolbox index' first")])
    try:
        return _open_generation(gen, _stamp(gen))
    except (OSError, ValueError) as exc:
        # A concurrent build may have removed this generation right after we read CURRENT.
        again = live_generation(index_dir)
        if again is not None and again != gen:
            return _open_generation(again, _stamp(again))
        raise IndexUnavailable(f"cannot open the search index in {index_dir}: {exc}") from exc


def known_values(opened: _Opened, axis: str) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = opened.manifest.get("labels", {}).get(axis, {})
    if axis == "kind":
        return KIND_LABELS
    return labels


def _label(opened: _Opened, axis: str, value: str, lang: str) -> str:
    labels = known_values(opened, axis).get(value, {})
    return labels.get(lang) or labels.get("en") or value


def check_filters(opened: _Opened, filters: Filters) -> None:
    problems = []
    for axis, values in filters.as_dict().items():
        known = set(known_values(opened, axis)) | set(opened.tag_table.get(axis, {}))
        problems += unknown_values(axis, values, known)
    if problems:
        raise QueryError(problems[0].message, problems)


def _parse(opened: _Opened, text: str, lang: str) -> wq.Query:
    fields = [text_field(part, lg) for lg in opened.languages for part in TEXT_PARTS]
    fields.append("tags")
    boosts = {text_field(part, lang): 1.5 for part in TEXT_PARTS}
    parser = MultifieldParser(fields, opened.index.schema, fieldboosts=boosts)
    try:
        return parser.parse(text)
    except Exception as exc:  # Whoosh raises assorted types on odd syntax
        raise QueryError(f"cannot understand the query: {exc}",
                         [Problem("", 0, 0, "query", f"cannot understand the query {text!r}",
                                  "use plain words, or quote a phrase with \"…\"")]) from exc


def _matching(opened: _Opened, q: wq.Query | None) -> set[int]:
    if q is None:
        return set(opened.all_docs)
    return set(opened.searcher.docs_for_query(q))


def _axis_docs(opened: _Opened, axis: str, values: Iterable[str]) -> set[int]:
    table = opened.tag_table.get(axis, {})
    out: set[int] = set()
    for value in values:
        out |= table.get(value, set())
    return out


_WORD = re.compile(r"\w+(?:\.?\w+)*")
SNIPPET_CHARS = 220


@lru_cache(maxsize=200_000)
def _analysed(word: str, lang: str) -> tuple[str, ...]:
    """The terms the index made of ``word`` in ``lang`` (cached: texts repeat their words)."""
    return tuple(t.text for t in language_analyzer(lang)(word))


def _snippet(q: wq.Query | None, texts: dict[str, dict[str, str]], lang: str) -> Snippet:
    """The window of the summary and body around the first matched words, with their spans.

    A word matches when the language's analyser turns it into a query term, so "Karten" is
    marked for the query "Karte". Cheaper than Whoosh's highlighter, which re-analyses and
    scores whole fragments for every hit.
    """
    entry = texts.get(lang) or texts.get("en") or {}
    use_lang = lang if lang in texts else "en"
    source = " ".join(x for x in (entry.get("summary", ""), entry.get("body", "")) if x).replace("\n", " ")
    if q is not None and source:
        wanted = {text_field(p, use_lang) for p in TEXT_PARTS}
        terms = {t.decode() if isinstance(t, bytes) else t for f, t in q.iter_all_terms() if f in wanted}
        if terms:
            spans = [(m.start(), m.end()) for m in _WORD.finditer(source)
                     if terms.intersection(_analysed(m.group(0), use_lang))]
            if spans:
                first = spans[0][0]
                start = 0 if first < 60 else source.rfind(" ", 0, first - 40) + 1
                end = min(len(source), start + SNIPPET_CHARS)
                if end < len(source):
                    end = max(source.rfind(" ", start, end), spans[0][1])
                text = source[start:end].strip()
                offset = start + (len(source[start:end]) - len(source[start:end].lstrip()))
                prefix = "…" if start > 0 else ""
                suffix = "…" if end < len(source) else ""
                shift = len(prefix) - offset
                marks = tuple((a + shift, b + shift) for a, b in spans if a >= offset and b <= offset + len(text))
                return Snippet(prefix + text + suffix, marks)
    return Snippet(shorten(entry.get("summary", "") or source, SNIPPET_CHARS))


def _spelling(opened: _Opened) -> dict[str, int]:
    """The generation's word list with frequencies, read on the first "did you mean" only."""
    if opened.spelling is None:
        try:
            opened.spelling = json.loads((opened.gen / SPELLING).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            opened.spelling = {}
    return opened.spelling


def _levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance of ``a`` and ``b``, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def correct_word(words: dict[str, int], word: str, maxdist: int = 2, prefix: int = 1) -> str | None:
    """The most frequent known word within ``maxdist`` edits sharing the first ``prefix``
    letters — the choice Whoosh's field corrector makes (it ranks by frequency alone, ties
    going to the alphabetically last word)."""
    best: tuple[float, str] | None = None
    start = word[:prefix]
    for candidate, freq in words.items():
        if candidate == word or not candidate.startswith(start):
            continue
        if _levenshtein(candidate, word, maxdist) <= maxdist:
            item = (0 - (maxdist + (1.0 / (freq or 1) * 0.5)), candidate)
            if best is None or item > best:
                best = item
    return best[1] if best else None


def _suggest(opened: _Opened, query: str, lang: str) -> str | None:
    """A corrected query when some plain word matches nothing; never applied automatically."""
    words = bare_words(query)
    if not words:
        return None
    changed = False
    out = query
    for word in words:
        if fold(word) in opened.stop:
            continue
        if _matching(opened, _parse(opened, word, lang)):
            continue
        option = correct_word(_spelling(opened), fold(word))
        if option:
            out = out.replace(word, option, 1)
            changed = True
    return out if changed else None


def search(index_dir: Path, query: str, filters: Filters, *, lang: str = "en", limit: int | None = 10,
           sort: str = "relevance") -> SearchResult:
    opened = open_index(index_dir)
    if sort not in SORTS:
        raise QueryError(f"unknown sort '{sort}'", [Problem("", 0, 0, "sort", f"unknown sort '{sort}'",
                                                            did_you_mean(sort, SORTS))])
    if lang not in opened.languages:
        raise QueryError(f"unknown language '{lang}'",
                         [Problem("", 0, 0, "lang", f"unknown language '{lang}'",
                                  did_you_mean(lang, opened.languages))])
    if limit is not None and limit < 0:
        raise QueryError("limit must be 0 or more")
    check_filters(opened, filters)

    prepared = prepare(query.strip(), opened.synonyms, opened.stop) if query.strip() else ""
    q = _parse(opened, prepared, lang) if prepared else None
    # nothing to rank by without query text: 'relevance' then lists alphabetically
    order = "title" if q is None and sort == "relevance" else sort
    ranked: list[tuple[float, int]] = []
    if q is None:
        base = set(opened.all_docs)
    elif q is wq.NullQuery:
        base = set()
    else:
        # one pass scores every match: the base set for the facets and the order of the hits
        scored = opened.searcher.search(q, limit=None)
        ranked = sorted(((float(score), docnum) for score, docnum in scored.top_n), key=lambda x: (-x[0], x[1]))
        base = {docnum for _, docnum in ranked}

    selected = filters.as_dict()
    axis_sets = {axis: _axis_docs(opened, axis, values) for axis, values in selected.items()}
    matched = set(base)
    for docs in axis_sets.values():
        matched &= docs

    facets: dict[str, tuple[FacetValue, ...]] = {}
    for axis in FACET_FIELDS:
        pool = set(base)
        for other, docs in axis_sets.items():
            if other != axis:
                pool &= docs
        counts = Counter({value: len(docs & pool) for value, docs in opened.tag_table[axis].items()})
        chosen = set(selected.get(axis, ()))
        values = [FacetValue(v, _label(opened, axis, v, lang), n, v in chosen)
                  for v, n in counts.items() if n or v in chosen]
        values += [FacetValue(v, _label(opened, axis, v, lang), 0, True) for v in chosen if v not in counts]
        values.sort(key=lambda f: (-f.count, fold(f.label)))
        facets[axis] = tuple(values)

    hits: list[Hit] = []
    if matched and limit != 0:
        searcher = opened.searcher
        if order == "relevance":
            chosen_docs = [(score, d) for score, d in ranked if d in matched][:limit]
        else:
            sortedby: Any = f"sort_{lang}" if order == "title" else ["effort_rank", f"sort_{lang}"]
            results = searcher.search(q if q is not None else wq.Every(), filter=matched, limit=limit,
                                      sortedby=sortedby)
            chosen_docs = [(0.0, hit.docnum) for hit in results]
        for score, docnum in chosen_docs:
            stored = searcher.stored_fields(docnum)
            display = stored["display"]
            texts = display["texts"]
            entry = texts.get(lang)
            fallback = not (entry and entry.get("title"))
            shown = texts.get("en", {}) if fallback else entry
            hits.append(Hit(
                id=stored["id"],
                kind=_kind(stored["kind"]),
                title=shown.get("title", stored["id"]),
                summary=shown.get("summary", ""),
                lang="en" if fallback else lang,
                fallback=fallback and lang != "en",
                score=round(score, 4) if order == "relevance" and q is not None else 0.0,
                snippet=_snippet(q, texts, "en" if fallback else lang),
                tags={k: tuple(v) for k, v in display["tags"].items()},
            ))

    suggestion = _suggest(opened, query, lang) if q is not None and not base else None
    return SearchResult(query=query, lang=lang, total=len(matched), hits=tuple(hits), facets=facets,
                        filters=selected, suggestion=suggestion, sort=sort)


def _kind(value: str) -> Kind:
    if value == "pilot":
        return "pilot"
    if value == "region":
        return "region"
    return "method"
