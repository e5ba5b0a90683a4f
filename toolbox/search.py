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
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import StopFilter
from whoosh.collectors import UnlimitedCollector
from whoosh.qparser import MultifieldParser
from whoosh.searching import Searcher

from .analysis import FACET_FIELDS, FOLD_MAP, TEXT_PARTS, language_analyzer, text_field
from .docsets import from_numbers, to_numbers
from .errors import IndexUnavailable, Problem, QueryError, did_you_mean, unknown_values
from .indexer import MANIFEST, live_generation, read_phrases, read_spelling, read_synonyms, read_tag_table
from .model import FacetValue, Filters, Hit, Kind, SearchResult, Snippet
from .query import (
    FEWER_WORDS,
    OPERATORS,
    SynonymTable,
    bare_words,
    count_terms,
    query_too_long,
    without_question_marks,
)
from .querybuild import Builder, Built
from .spelling import WordLists, correct
from .textutil import fold, shorten

SORTS = ("relevance", "title", "effort")


@dataclass
class _Opened:
    """An open index generation with what every search on it needs."""

    gen: Path
    index: Any
    searcher: Searcher
    manifest: dict[str, Any]
    languages: list[str]
    tag_table: dict[str, dict[str, int]]  # axis -> value -> bit set of docnums (see docsets)
    all_docs: int  # bit set of the live documents
    synonyms: SynonymTable
    stop: frozenset[str]  # stop words of every language (folded): never a correction, never "unmatched"
    stop_by_lang: dict[str, frozenset[str]] = field(default_factory=dict)
    spelling: WordLists | None = None  # read on the first typo correction
    # (axis, lang) -> value -> (label, folded label): facet values are labelled and sorted on
    # every search, and there are 1,500 regions in a large corpus
    labels: dict[tuple[str, str], dict[str, tuple[str, str]]] = field(default_factory=dict)
    parsers: dict[str, MultifieldParser] = field(default_factory=dict)  # by display language
    builders: dict[str, Builder] = field(default_factory=dict)  # by display language
    kinds: dict[int, float] | None = None  # docnum -> kind weight of pilots and regions (methods are the rest)
    phrases: dict[tuple[str, str], tuple[str, ...]] | None = None  # see indexer.PHRASES

    @property
    def source(self) -> str:
        """The language records are written in: what stands in for a missing translation."""
        return str(self.manifest.get("source_language", "en"))
    # Whoosh reads segment files with seek-then-read on shared file objects, so one search at a
    # time per generation (Python runs one thread at a time anyway; servers scale by processes)
    lock: threading.Lock = field(default_factory=threading.Lock)
    results: OrderedDict[Any, SearchResult] = field(default_factory=OrderedDict)  # see search(cache=True)
    ids: frozenset[str] | None = None  # see record_ids()


#: Results kept per generation when searching with ``cache=True``.
RESULT_CACHE = 512
#: Generations kept open per process: the live one, and the one before for a moment after a switch.
OPEN_GENERATIONS = 4
_open: OrderedDict[tuple[Path, tuple[int, int]], _Opened] = OrderedDict()
_open_lock = threading.Lock()


def _open_generation(gen: Path, stamp: tuple[int, int]) -> _Opened:
    """Open a generation once per process; ``stamp`` (the manifest's inode and time) makes a
    re-created generation of the same name a cache miss. The least recently used generation
    beyond :data:`OPEN_GENERATIONS` is closed, so its files do not stay open."""
    key = (gen, stamp)
    with _open_lock:
        opened = _open.get(key)
        if opened is not None:
            _open.move_to_end(key)
            return opened
        ix = whoosh_index.open_dir(str(gen))
        try:
            manifest = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
            searcher = ix.searcher()
            table, live = read_tag_table(gen)
        except BaseException:
            ix.close()
            raise
        languages = list(manifest.get("languages", ["en"]))
        stop_by_lang = _stop_words(ix.schema, languages)
        stop = frozenset().union(*stop_by_lang.values())
        opened = _open[key] = _Opened(gen, ix, searcher, manifest, languages, table, live,
                                      SynonymTable(manifest.get("synonyms", []), languages, read_synonyms(gen)),
                                      stop, stop_by_lang)
        while len(_open) > OPEN_GENERATIONS:
            _, old = _open.popitem(last=False)
            with old.lock:
                old.searcher.close()
                old.index.close()
        return opened


def _stop_words(schema: Any, languages: list[str]) -> dict[str, frozenset[str]]:
    """Each language's folded stop words, read from the analysers stored with the index (the
    lists the records were indexed with, without loading the stop-word packages)."""
    out: dict[str, frozenset[str]] = {}
    for lang in languages:
        name = text_field("title", lang)
        stops: frozenset[str] = frozenset()
        if name in schema.names():
            for item in getattr(schema[name].analyzer, "items", ()):
                if isinstance(item, StopFilter):
                    # the lists hold every word as written and folded: the folded ones are plain ASCII
                    # for the Latin-script languages, and only those need folding to check
                    stops = frozenset(w for w in item.stops if w.isascii() or w == fold(w))
        out[lang] = stops
    return out


def close_all() -> None:
    """Close every open generation (tests, and servers that shut down cleanly)."""
    with _open_lock:
        while _open:
            _, old = _open.popitem()
            with old.lock:
                old.searcher.close()
                old.index.close()


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


def known_values(opened: _Opened, axis: str) -> Mapping[str, Mapping[str, str]]:
    labels: dict[str, dict[str, str]] = opened.manifest.get("labels", {}).get(axis, {})
    if axis == "kind":
        return {kind: _KindLabels(kind) for kind in ("method", "pilot", "region")}
    return labels


class _KindLabels(Mapping[str, str]):
    """A kind's label per language, read from the catalogue of a language only when asked for
    (a search in English reads none)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __getitem__(self, lang: str) -> str:
        from .labels import LANGS, kind_label

        if lang not in LANGS:
            raise KeyError(lang)
        return kind_label(self.kind, lang)

    def __iter__(self) -> Iterator[str]:
        from .labels import LANGS

        return iter(LANGS)

    def __len__(self) -> int:
        from .labels import LANGS

        return len(LANGS)


def record_ids(opened: _Opened) -> frozenset[str]:
    """Every record id in the generation (read from the index once, on first use)."""
    if opened.ids is None:
        with opened.lock:
            opened.ids = frozenset(opened.searcher.reader().field_terms("id"))
    return opened.ids


def facet_label(opened: _Opened, axis: str, value: str, lang: str) -> str:
    """The label of a tag value in ``lang`` (English, else the value itself, standing in)."""
    return _label(opened, axis, value, lang)


def _label(opened: _Opened, axis: str, value: str, lang: str) -> str:
    labels = known_values(opened, axis).get(value, {})
    return labels.get(lang) or labels.get(opened.source) or next(iter(labels.values()), "") or value


#: Most words and phrases a prepared query may hold (synonyms expanded). Whoosh parses each one
#: for every text field, about 1.5 ms a term: 200 terms take 0.3 s. A query naming every synonym
#: group of the shipped vocabulary once has 90.
MAX_QUERY_TERMS = 200
#: Longest option value quoted whole in a message.
_SHOWN_CHARS = 60


def _shown(value: str) -> str:
    """An option value as a message quotes it: one line, and cut when it is long (filter values
    and languages come from URLs and command lines, and are echoed back)."""
    if len(value) > _SHOWN_CHARS:
        value = f"{value[:_SHOWN_CHARS]}… ({len(value):,} characters)"
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in value)


def check_filters(opened: _Opened, filters: Filters) -> None:
    problems = []
    for axis, values in filters.as_dict().items():
        known = set(known_values(opened, axis)) | set(opened.tag_table.get(axis, {}))
        problems += unknown_values(axis, [_shown(v) for v in values if v not in known], known)
    if problems:
        raise QueryError(problems[0].message, problems)


def _unsearchable_fields(opened: _Opened, text: str) -> list[str]:
    """Fields named in ``text`` (``display:…``) that exist but hold nothing to search."""
    schema = opened.index.schema
    names = dict.fromkeys(re.findall(r"(\w+):", text))
    return [n for n in names if n in schema.names() and schema[n].format is None]


#: Field weights: the reader's language first; English (the source, and the language of names and
#: borrowed terms) plain; every other language's text lower, so that a word that happens to match
#: in a third language's translation weighs less than the same word in the reader's own. With every
#: record in eight languages, 0.6 against 1.0 lifts Italian nDCG@5 from 0.811 to 0.838 and moves
#: the whole judged set by +0.001 (benchmark --relevance).
OWN_LANGUAGE_BOOST = 1.5
OTHER_LANGUAGE_BOOST = 0.6


def _fields(opened: _Opened, lang: str) -> tuple[list[str], dict[str, float]]:
    """The fields plain words are looked for in, and their boosts for display language ``lang``."""
    # Plain words are looked for in every text field that holds any text: a field no record
    # fills (Polish bodies, say) matches nothing and adds nothing to a score, but each one
    # costs a term lookup per word on every search.
    reader = opened.searcher.reader()
    fields = [f for lg in opened.languages for part in TEXT_PARTS if reader.field_length(f := text_field(part, lg))]
    fields.append("tags")
    boosts = {f: OTHER_LANGUAGE_BOOST for f in fields if not f.endswith(("_en", "tags"))}
    boosts.update({text_field(part, lang): OWN_LANGUAGE_BOOST for part in TEXT_PARTS})
    return fields, boosts


def _parser(opened: _Opened, lang: str) -> MultifieldParser:
    parser = opened.parsers.get(lang)
    if parser is None:
        fields, boosts = _fields(opened, lang)
        parser = opened.parsers[lang] = MultifieldParser(fields, opened.index.schema, fieldboosts=boosts)
    return parser


def _syntax_error(opened: _Opened, text: str, lang: str, shown: str | None) -> QueryError:
    # Whoosh's own message names its classes ("STORED(format=None, …) field has no format"):
    # it stays in __cause__, the user is told what to change
    message = f"cannot understand the query '{_shown(text if shown is None else shown)}'"
    unsearchable = _unsearchable_fields(opened, text)
    hint = (f"'{unsearchable[0]}:' names a field that cannot be searched; use plain words, or fields such as "
            f"title_{lang}: or kind:" if unsearchable else "use plain words, or quote a phrase with \"…\"")
    return QueryError.about("query", message, hint)


def _parse(opened: _Opened, text: str, lang: str, shown: str | None = None) -> wq.Query:
    """Parse query ``text`` as Whoosh does (words ANDed); a QueryError quotes ``shown``."""
    try:
        q = _parser(opened, lang).parse(text)
    except Exception as exc:  # Whoosh raises assorted types on odd syntax
        raise _syntax_error(opened, text, lang, shown) from exc
    _use_array_matchers(q)
    return q


def _use_array_matchers(q: wq.Query) -> None:
    """Match every OR in ``q`` with Whoosh's array matcher, which reads document numbers and
    scores of a run of documents in bulk.

    Whoosh picks by itself otherwise, and switches to a tree of union matchers above 5,000
    documents; at 10,000 records that scores every match of a common word a third slower.
    Whoosh's cheaper top-N path with that tree is not an option: it replaces matchers on the
    way by ones that ignore weak clauses, which changes the scores of the documents that match
    them (found by tests/test_performance.py). Forcing one matcher also keeps scores from
    depending on the size of the index.
    """
    stack = [q]
    while stack:
        node = stack.pop()
        if isinstance(node, wq.Or):
            node.matcher_type = wq.Or.ARRAY_MATCHER
        stack.extend(node.children())


def _matching(opened: _Opened, q: wq.Query | None) -> int:
    """The bit set of the documents ``q`` matches, without scoring them."""
    if q is None:
        return opened.all_docs
    return from_numbers(opened.searcher.docs_for_query(q), opened.all_docs.bit_length())


def _axis_docs(opened: _Opened, axis: str, values: Iterable[str]) -> int:
    table = opened.tag_table.get(axis, {})
    out = 0
    for value in values:
        out |= table.get(value, 0)
    return out


def _facet_labels(opened: _Opened, axis: str, lang: str) -> dict[str, tuple[str, str]]:
    key = (axis, lang)
    if key not in opened.labels:
        values = set(opened.tag_table.get(axis, {})) | set(known_values(opened, axis))
        opened.labels[key] = {v: (label, fold(label)) for v in values
                              for label in (_label(opened, axis, v, lang),)}
    return opened.labels[key]


_WORD = re.compile(r"\w+(?:\.?\w+)*")
SNIPPET_CHARS = 220


@lru_cache(maxsize=200_000)
def _analysed(word: str, lang: str) -> tuple[str, ...]:
    """The terms the index made of ``word`` in ``lang`` (cached: texts repeat their words)."""
    return tuple(t.text for t in language_analyzer(lang)(word))


@lru_cache(maxsize=4096)
def _initial(char: str) -> str:
    """The first letter of the index term a word starting with ``char`` gets (see ``_snippet``)."""
    return char.lower().translate(FOLD_MAP)[:1]


def _snippet(q: wq.Query | None, texts: dict[str, dict[str, str]], lang: str, source: str = "en") -> Snippet:
    """The window of the summary and body around the first matched words, with their spans.

    A word matches when the language's analyser turns it into a query term, so "Karten" is
    marked for the query "Karte". Cheaper than Whoosh's highlighter, which re-analyses and
    scores whole fragments for every hit.
    """
    entry = texts.get(lang) or texts.get(source) or {}
    use_lang = lang if lang in texts else source
    source = " ".join(x for x in (entry.get("summary", ""), entry.get("body", "")) if x).replace("\n", " ")
    if q is not None and source:
        wanted = {text_field(p, use_lang) for p in TEXT_PARTS}
        terms = {t.decode() if isinstance(t, bytes) else t for f, t in q.iter_all_terms() if f in wanted}
        if terms:
            spans: list[tuple[int, int]] = []
            start = 0
            initials = {t[:1] for t in terms}
            for m in _WORD.finditer(source):
                if spans and m.start() >= start + SNIPPET_CHARS:
                    break  # past the window: long texts need not be analysed to the end
                word = m.group(0)
                # A stemmer keeps a word's first letter, so a word whose folded initial starts
                # no query term cannot match; this spares analysing most words of a cold process.
                if _initial(word[0]) not in initials and _initial(word[0]):
                    continue
                if terms.intersection(_analysed(word, use_lang)):
                    if not spans:
                        first = m.start()
                        start = 0 if first < 60 else source.rfind(" ", 0, first - 40) + 1
                    spans.append((m.start(), m.end()))
            if spans:
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


def _spelling(opened: _Opened) -> WordLists:
    """The generation's word lists, read on the first correction only."""
    if opened.spelling is None:
        opened.spelling = WordLists.from_saved(read_spelling(opened.gen))
    return opened.spelling


#: Words of one query that may be corrected. Each scans a word list (a few ms at 10,000
#: records); beyond a few words a correction helps nobody.
MAX_CORRECTED_WORDS = 8


def _is_empty(opened: _Opened, q: wq.Query) -> bool:
    return next(iter(opened.searcher.docs_for_query(q)), None) is None


def _corrected(opened: _Opened, words: Iterable[tuple[str, wq.Query | None]], lang: str) -> dict[str, str]:
    """word -> correction, for the words that match nothing (their query finds no record, or is
    ``None``: known to find none) and are close to a word of ``lang`` or of the vocabulary, never
    a stop word; at most :data:`MAX_CORRECTED_WORDS` words are tried."""
    lists: WordLists | None = None  # read on the first word to correct: most queries have none
    out: dict[str, str] = {}
    tried: set[str] = set()
    for word, query in words:
        if word in tried or len(tried) >= MAX_CORRECTED_WORDS:
            continue
        folded = fold(word)
        if folded in opened.stop or (query is not None and not _is_empty(opened, query)):
            continue
        tried.add(word)
        lists = lists or _spelling(opened)
        option = correct(folded, lists.for_language(lang), opened.stop)
        if option:
            out[word] = _like(word, lists.written(lang, option))
    return out


def _corrections(opened: _Opened, built: Built, lang: str) -> dict[str, str]:
    """Corrections for the plain words of ``built``, each judged by the word as typed, not as
    part of longer words: "Fokusgrupen" is in "Fokusgruppentreffen" only by its first letters,
    and is a typo all the same."""
    return _corrected(opened, ((c.word, c.exact or c.query) for c in built.clauses if c.word is not None), lang)


def _like(word: str, option: str) -> str:
    """``option`` capitalised as ``word`` is: "Zwicau" → "Zwickau"."""
    return option[:1].upper() + option[1:] if word[:1].isupper() else option


def _replace_words(text: str, corrections: dict[str, str]) -> str:
    for word, option in corrections.items():
        # the word where it stands alone or between hyphens, not inside a longer word ('ab' in 'xab ab')
        text = re.sub(rf'(?<![^\s()"+\-‐‑–/]){re.escape(word)}(?![^\s()"\-‐‑–/])', option.replace("\\", "\\\\"),
                      text)
    return text


def _unmatched_words(opened: _Opened, query: str, lang: str) -> tuple[str, ...]:
    """The plain words of a query with operators that no record holds (stop words aside)."""
    words = [w for w in dict.fromkeys(bare_words(query)) if w not in OPERATORS and fold(w) not in opened.stop]
    return tuple(w for w in words[:MAX_CORRECTED_WORDS] if _is_empty(opened, _parse(opened, w, lang)))


def search(index_dir: Path, query: str, filters: Filters, *, lang: str | None = None, limit: int | None = 10,
           sort: str = "relevance", cache: bool = False, correct: bool = True) -> SearchResult:
    """Search the live generation. With ``cache``, results are kept per generation (the
    :data:`RESULT_CACHE` most recent), for long-lived processes such as the web app, where
    paging and ticking facets repeat a query; a new generation starts with an empty cache."""
    opened = open_index(index_dir)
    lang = lang or opened.source  # by default, the language the records are written in
    if sort not in SORTS:
        raise QueryError.about("sort", f"unknown sort '{_shown(sort)}'", did_you_mean(_shown(sort), SORTS))
    if lang not in opened.languages:
        raise QueryError.about("lang", f"unknown language '{_shown(lang)}'",
                               did_you_mean(_shown(lang), opened.languages))
    if limit is not None and limit < 0:
        raise QueryError("limit must be 0 or more")
    if not query.isascii() and any("\ud800" <= c <= "\udfff" for c in query):
        # Python's stand-ins for bytes of a command-line argument that were not UTF-8; Whoosh
        # cannot encode them (UnicodeEncodeError) and neither can a strict UTF-8 terminal
        raise QueryError.about("query", f"the query '{_shown(query)}' is not valid UTF-8 text",
                               "set the terminal (or the program calling this) to UTF-8")
    too_long = query_too_long(query)
    if too_long:
        raise QueryError.about("query", too_long, FEWER_WORDS)
    check_filters(opened, filters)
    key = (query, tuple(sorted((a, tuple(v)) for a, v in filters.as_dict().items())), lang, limit, sort, correct)
    with opened.lock:
        if cache and key in opened.results:
            opened.results.move_to_end(key)
            return opened.results[key]
        result = _search(opened, query, filters, lang, limit, sort, correct)
        if cache:
            opened.results[key] = result
            if len(opened.results) > RESULT_CACHE:
                opened.results.popitem(last=False)
        return result


#: Most index words the wildcards, ranges and fuzzy terms of one query may stand for, over all
#: fields. Matching costs about 0.15 ms a word: '*a*' stood for 32,623 words at 5,000 records
#: and took 4.7 s, '[a TO z]' 54,004 words and 7.6 s; 'nan*' 119 words, 49 ms.
MAX_EXPANDED_TERMS = 2000


def _check_expansion(opened: _Opened, q: wq.Query, shown: str) -> None:
    """Refuse a query whose wildcards or ranges stand for too many words (counted only up to the
    limit, so the check itself stays cheap)."""
    n = 0
    for leaf in q.leaves():
        if not isinstance(leaf, wq.MultiTerm):
            continue
        n += sum(1 for _ in islice(leaf.expanded_terms(opened.searcher.reader()), MAX_EXPANDED_TERMS + 1 - n))
        if n > MAX_EXPANDED_TERMS:
            raise QueryError.about("query", f"the wildcards or ranges in '{_shown(shown)}' stand for more than "
                                   f"{MAX_EXPANDED_TERMS:,} words of the index",
                                   "write more letters before * or ?, or search for the words themselves")


#: Ranking (docs/search.md explains it; the relevance benchmark measured these values). A record's
#: score is Whoosh's BM25F sum over the clauses, times the share of the query's clauses it
#: matches to this power (records holding more of the words first) ...
COORDINATION = 2.0
#: ... times (1 + this × the share of clauses found in its title) ...
TITLE_BONUS = 1.0
#: ... times the weight of its kind: methods before pilot actions and region profiles at equal
#: relevance (both stay one filter click away). Above all these, a method whose title holds every
#: word of the query comes first: "Fokusgruppen" finds "Regionale Fokusgruppen" before the pilots
#: that ran focus groups.
KIND_WEIGHT = {"method": 1.0, "pilot": 0.85, "region": 0.75}


def _build(opened: _Opened, text: str, lang: str, shown: str) -> Built:
    """The clauses of query ``text``; a QueryError quotes ``shown`` (the user's query)."""
    builder = opened.builders.get(lang)
    if builder is None:
        fields, boosts = _fields(opened, lang)
        titles = [f for f in fields if f.startswith("title_")]
        stop = opened.stop_by_lang.get(lang, frozenset()) | opened.stop_by_lang.get(opened.source, frozenset())
        builder = opened.builders[lang] = Builder(opened.index.schema, opened.searcher.reader(), fields,
                                                  titles, boosts, opened.synonyms, stop, lambda: _phrases(opened))
    try:
        built = builder.build(text)
    except Exception as exc:  # Whoosh raises assorted types on odd syntax
        raise _syntax_error(opened, text, lang, shown) from exc
    if built.query is not None:
        _use_array_matchers(built.query)
        for clause in built.clauses:
            if clause.title is not None:
                _use_array_matchers(clause.title)
    return built


def _all_scores(searcher: Searcher, q: wq.Query) -> list[tuple[float, int]]:
    """(score, docnum) of every match, unsorted: the ranking sorts once, on its own values
    (Whoosh's ``search(limit=None)`` sorts them first with a Python key, 3 ms for 7,000 matches)."""
    collector = UnlimitedCollector()
    searcher.search_with_collector(q, collector)
    return list(collector.items)


def _phrases(opened: _Opened) -> dict[tuple[str, str], tuple[str, ...]]:
    if opened.phrases is None:
        opened.phrases = read_phrases(opened.gen)
    return opened.phrases


def _kind_weights(opened: _Opened) -> dict[int, float]:
    """docnum -> :data:`KIND_WEIGHT` of the pilots and regions (methods weigh 1 and are the rest)."""
    if opened.kinds is None:
        table = opened.tag_table.get("kind", {})
        opened.kinds = {d: KIND_WEIGHT[kind] for kind in ("pilot", "region") for d in to_numbers(table.get(kind, 0))}
    return opened.kinds


def _rank(opened: _Opened, built: Built) -> tuple[list[tuple[float, int]], tuple[str, ...]]:
    """Every match scored (see :data:`COORDINATION`), best first, and the clauses that matched
    nothing.

    Each clause is scored on its own (Whoosh's BM25F), and a record's score is the sum, as
    Whoosh scores an OR; one pass per clause also tells which clauses each record matches. The
    shares of clauses a record matches, and finds in its title, weigh each clause by its rarity
    (log(1 + N / matches)): holding "help desk" says more than holding "creative".
    """
    searcher = opened.searcher
    docs_n = max(1, opened.all_docs.bit_count())
    passes: list[tuple[float, list[tuple[float, int]], set[int]]] = []  # weight, scored hits, title docs
    required: list[set[int]] = []
    unmatched: list[str] = []
    for clause in built.clauses:
        hits = _all_scores(searcher, clause.query)
        if clause.kind == "required":
            required.append({d for _, d in hits})
        if not hits:
            if clause.text:
                unmatched.append(clause.text)
            continue
        titles = set(searcher.docs_for_query(clause.title)) if clause.title is not None else set()
        passes.append((math.log(1 + docs_n / len(hits)), hits, titles))
    weights = _kind_weights(opened)
    total = sum(w for w, _, _ in passes)
    if len(passes) == 1 and not required and not built.excluded:
        # one clause, the common case: every match holds all of it (one loop: thousands of matches)
        _, hits, titles = passes[0]
        bonus = 1 + TITLE_BONUS
        first: list[tuple[float, int]] = [(-score * bonus, d) for score, d in hits
                                          if d in titles and d not in weights]
        rest: list[tuple[float, int]] = [(-score * (bonus if d in titles else 1.0) * weights.get(d, 1.0), d)
                                         for score, d in hits if d not in titles or d in weights]
        return _ordered(first, rest), tuple(unmatched)
    else:
        scores: dict[int, float] = {}
        cover: dict[int, float] = {}
        in_title: dict[int, float] = {}
        for weight, hits, titles in passes:
            for score, d in hits:
                scores[d] = scores.get(d, 0.0) + float(score)
                cover[d] = cover.get(d, 0.0) + weight
            for d in titles:
                in_title[d] = in_title.get(d, 0.0) + weight
        allowed = set.intersection(*required) if required else None
        scored = [(score, d, min(1.0, cover[d] / total), min(1.0, in_title.get(d, 0.0) / total))
                  for d, score in scores.items() if allowed is None or d in allowed]
    excluded: set[int] = set()
    for clause in built.excluded:
        excluded.update(searcher.docs_for_query(clause.query))
    first = []  # methods whose title holds every clause
    rest = []
    for score, d, share, title in scored:
        if d in excluded:
            continue
        weight = weights.get(d, 1.0)
        value = score * share ** COORDINATION * (1 + TITLE_BONUS * title) * weight
        (first if title >= 1.0 - 1e-9 and d not in weights else rest).append((-value, d))
    return _ordered(first, rest), tuple(unmatched)


def _ordered(first: list[tuple[float, int]], rest: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """(score, docnum), best first, from (-score, docnum) of the first tier and of the rest; the
    scores shown stay in the order of the list, so the first tier is lifted above the rest."""
    first.sort()
    rest.sort()
    lift = -rest[0][0] if rest else 0.0
    return [(lift - v, d) for v, d in first] + [(-v, d) for v, d in rest]


def _search(opened: _Opened, query: str, filters: Filters, lang: str, limit: int | None, sort: str,
            correct_words: bool = True) -> SearchResult:
    text = without_question_marks(query).strip()
    if text == "*":
        # "everything", as an empty query says it: Whoosh would match every word of every field
        # (7.8 s at 5,000 records) to return the same records
        text = ""
    terms = count_terms(opened.synonyms.expand(text)) if text else 0
    if terms > MAX_QUERY_TERMS:
        raise QueryError.about("query", f"the query has {terms:,} search terms (synonyms included), more than the "
                               f"limit of {MAX_QUERY_TERMS}", FEWER_WORDS)
    built = _build(opened, text, lang, query) if text else None
    corrected: str | None = None
    suggestion: str | None = None
    if built is not None and built.clauses:
        fixes = _corrections(opened, built, lang)
        if fixes and correct_words:
            corrected = _replace_words(text, fixes)
            built = _build(opened, corrected, lang, query)
        elif fixes:
            suggestion = _replace_words(text, fixes)
    q = built.query if built is not None else None
    if q is not None:
        _check_expansion(opened, q, query)
    # nothing to rank by without query text: 'relevance' then lists alphabetically
    order = "title" if q is None and sort == "relevance" else sort
    searcher = opened.searcher
    ranked: list[tuple[float, int]] | None = None
    unmatched: tuple[str, ...] = ()
    if q is None:
        base = opened.all_docs if built is None else 0
    else:
        # one pass scores every match: the base set for the facets and the order of the hits
        ranked, unmatched = _rank(opened, built)  # type: ignore[arg-type]
        # a stop word matches nothing by design ("für" is dropped from German fields)
        unmatched = tuple(w for w in unmatched if fold(w) not in opened.stop)
        base = from_numbers((docnum for _, docnum in ranked), opened.all_docs.bit_length())
        if built.expert:  # type: ignore[union-attr]
            # Whoosh's parts are no words the user typed: the plain words are checked one by one,
            # and a correction is offered, never applied, to a query written with operators
            unmatched = _unmatched_words(opened, text, lang)
            found = _corrected(opened, ((w, None) for w in unmatched), lang) if suggestion is None else {}
            if found:
                suggestion = _replace_words(text, found)

    selected = filters.as_dict()
    axis_sets = {axis: _axis_docs(opened, axis, values) for axis, values in selected.items()}
    matched = base
    for docs in axis_sets.values():
        matched &= docs

    facets: dict[str, tuple[FacetValue, ...]] = {}
    for axis in FACET_FIELDS:
        pool = base
        for other, docs in axis_sets.items():
            if other != axis:
                pool &= docs
        chosen = set(selected.get(axis, ()))
        labels = _facet_labels(opened, axis, lang)
        counted = [(v, (docs & pool).bit_count()) for v, docs in opened.tag_table[axis].items()] if pool else []
        values = [FacetValue(v, labels[v][0], n, v in chosen) for v, n in counted if n or v in chosen]
        seen = {v for v, n in counted if n or v in chosen}
        values += [FacetValue(v, labels.get(v, (v, v))[0], 0, True) for v in sorted(chosen - seen)]
        values.sort(key=lambda f: (-f.count, labels[f.value][1] if f.value in labels else fold(f.label)))
        facets[axis] = tuple(values)

    hits: list[Hit] = []
    if matched and limit != 0:
        if order == "relevance" and ranked is not None:
            wanted = ranked if matched == base else ((score, d) for score, d in ranked if matched >> d & 1)
            chosen_docs = list(islice(wanted, limit))
        else:
            sortedby: Any = f"sort_{lang}" if order == "title" else ["effort_rank", f"sort_{lang}"]
            results = searcher.search(q if q is not None else wq.Every(), filter=set(to_numbers(matched)),
                                      limit=limit, sortedby=sortedby)
            chosen_docs = [(0.0, hit.docnum) for hit in results]
        for score, docnum in chosen_docs:
            stored = searcher.stored_fields(docnum)
            display = stored["display"]
            texts = display["texts"]
            entry = texts.get(lang)
            fallback = not (entry and entry.get("title"))
            source = opened.source
            shown = texts.get(source, {}) if fallback else entry
            hits.append(Hit(
                id=stored["id"],
                kind=_kind(stored["kind"]),
                title=shown.get("title", stored["id"]),
                summary=shown.get("summary", ""),
                lang=source if fallback else lang,
                fallback=fallback and lang != source,
                score=round(score, 4) if order == "relevance" and q is not None else 0.0,
                snippet=_snippet(q, texts, source if fallback else lang, source),
                tags={k: tuple(v) for k, v in display["tags"].items()},
            ))

    return SearchResult(query=query, lang=lang, total=matched.bit_count(), hits=tuple(hits), facets=facets,
                        filters=selected, suggestion=suggestion, sort=sort, corrected=corrected,
                        unmatched=unmatched)


def _kind(value: str) -> Kind:
    if value == "pilot":
        return "pilot"
    if value == "region":
        return "region"
    return "method"
