"""Check one parsed YAML mapping against a schema spec and build plain values from it.

Every problem is collected with the position of the offending key or value; nothing raises.
References between records are only collected here (with positions) and checked once all
records are loaded (see ``project.py``).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from difflib import get_close_matches
from typing import TYPE_CHECKING, Any

from .errors import Problem, ProblemList, Severity, article, did_you_mean
from .model import (
    EMPTY_TEXT,
    Effort,
    Method,
    Period,
    Pilot,
    Population,
    Range,
    Record,
    Region,
    Source,
    Text,
    Vocabulary,
)
from .schema import (
    DATE_PATTERN,
    KIND_SPECS,
    LANG_PATTERN,
    STAMP_PATTERN,
    Bool,
    Choice,
    Date,
    Field,
    Int,
    ListOf,
    NameOrText,
    Number,
    Obj,
    RangeOf,
    Ref,
    Spec,
    Stamps,
    Str,
    Tag,
    TextMap,
)
from .textutil import english_name
from .yamlsource import PathKey, YamlDocument, dotted, one_line

if TYPE_CHECKING:
    from .termbase import Termbase

_TYPE_NAMES = {
    str: "a text",
    int: "a whole number",
    float: "a number",
    bool: "true/false",
    list: "a list",
    dict: "a mapping",
    type(None): "nothing (empty value)",
    _dt.date: "a date",
    _dt.datetime: "a date and time",
}


def _real_date(value: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD naming a day that exists."""
    if not re.match(DATE_PATTERN, value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        _dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def date_bounds(value: str) -> tuple[_dt.date, _dt.date]:
    """The first and the last day a checked YYYY, YYYY-MM or YYYY-MM-DD may mean."""
    import calendar

    parts = [int(p) for p in value.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return _dt.date(year, 1, 1), _dt.date(year, 12, 31)
    month = parts[1]
    if len(parts) == 2:
        return _dt.date(year, month, 1), _dt.date(year, month, calendar.monthrange(year, month)[1])
    day = _dt.date(year, month, parts[2])
    return day, day


#: Addresses written in to be replaced: an ellipsis ('…' as the skeleton of 'toolbox new' has it,
#: or '...'), <angle brackets>, TODO/FIXME, or the bare example domains of RFC 2606.
PLACEHOLDER_URL = re.compile(r"…|\.\.\.|[<>]|TODO|FIXME")
EXAMPLE_SITE = re.compile(r"^https?://(www\.)?example\.(com|org|net)(:\d+)?/?([?#].*)?$", re.IGNORECASE)


def is_placeholder_url(url: str) -> bool:
    """``url`` stands in for an address still to be filled in."""
    return bool(PLACEHOLDER_URL.search(url) or EXAMPLE_SITE.match(url))


def _non_finite(value: float) -> str:
    """How the file wrote a number that is not finite."""
    return ".nan (not a number)" if math.isnan(value) else "an infinite number (.inf, or beyond 1e308)"


def type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class Reference:
    """A link from one record to another, kept with its position for later checking."""

    source_id: str
    field: str
    target: str
    kind: str
    path: str
    line: int
    column: int


#: Problems listed for one record or recipe file; the others are counted in one closing problem.
#: Nobody reads thousands of them, and finding "did you mean" hints for 45,000 unknown keys (a
#: file of 400 KB) took 30 s.
MAX_PROBLEMS_PER_FILE = 200


class Checker:
    """Walks data along a spec; collects problems and references; returns cleaned data.

    With a ``limit``, problems beyond it are only counted (see :meth:`listed_problems`)."""

    def __init__(self, doc: YamlDocument, vocabulary: Vocabulary | None, languages: set[str],
                 record_id: str = "", limit: int | None = None) -> None:
        self.doc = doc
        self.vocabulary = vocabulary
        self.languages = languages
        self.record_id = record_id
        # the language every text must have, and those validate --strict wants too: from the
        # project file (methods/project.yaml) through the vocabulary
        self.source = vocabulary.source_language if vocabulary else "en"
        self.required: tuple[str, ...] = vocabulary.required_languages if vocabulary else ()
        self._problems = ProblemList(limit)
        self.references: list[Reference] = []

    # -- reporting -------------------------------------------------------------------

    @property
    def problems(self) -> list[Problem]:
        """The problems listed so far (without the closing count of :meth:`listed_problems`)."""
        return self._problems.listed

    @property
    def full(self) -> bool:
        """No more problems are listed: callers skip working out hints."""
        return self._problems.full(self.doc.path)

    def report(self, path: PathKey, message: str, hint: str = "", *, key: bool = False,
               severity: Severity = "error") -> None:
        line, column = self.doc.key_pos(path) if key else self.doc.pos(path)
        if self.full:
            self._problems.count(self.doc.path, line, column, severity)
            return
        # messages quote keys and values from the file, which may hold line breaks
        self._problems.add(Problem(self.doc.path, line, column, dotted(path), one_line(message), one_line(hint),
                                   severity))

    def listed_problems(self) -> list[Problem]:
        """The problems, closed by one that counts those beyond the limit."""
        return self._problems.all()

    # -- walking ---------------------------------------------------------------------

    def check_object(self, spec: Obj, value: Any, path: PathKey, extra_ok: bool = False) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.report(path, f"expected a mapping of fields, got {type_name(value)}",
                        "write one 'name: value' per line, indented under this key")
            return None
        known = {f.name: f for f in spec.fields}
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                continue  # reported by the YAML reader
            f = known.get(key)
            if f is None:
                if not extra_ok:
                    self.report((*path, key), f"unknown field '{key}'",
                                "" if self.full else did_you_mean(key, known, list_all=True), key=True)
                continue
            if item is None:
                if f.required:
                    self.report((*path, key), f"'{key}' is empty", f"fill in {f.doc.lower() or 'a value'}")
                continue
            cleaned = self.check(f.spec, item, (*path, key), f)
            if cleaned is not None:
                out[key] = cleaned
        unknown = [key for key in value if isinstance(key, str) and key not in known]
        misspelt = {m for key in unknown[:MAX_PROBLEMS_PER_FILE]
                    for m in get_close_matches(key, list(known), n=1, cutoff=0.6)}
        for f in spec.fields:
            if f.required and f.name not in value and f.name not in misspelt:
                where = path
                self.report(where, f"missing required field '{f.name}'",
                            f"add '{f.name}:' — {f.doc.lower()}" if f.doc else f"add '{f.name}:'",
                            key=bool(path))
        return out

    def check(self, spec: Spec, value: Any, path: PathKey, f: Field | None = None) -> Any:
        if isinstance(spec, TextMap):
            return self.check_text(value, path)
        if isinstance(spec, NameOrText):
            return self.check_text(value, path) if isinstance(value, dict) else self.check_str(Str(), value, path)
        if isinstance(spec, Obj):
            return self.check_object(spec, value, path)
        if isinstance(spec, ListOf):
            return self.check_list(spec, value, path)
        if isinstance(spec, Str):
            return self.check_str(spec, value, path)
        if isinstance(spec, Bool):
            if not isinstance(value, bool):
                self.report(path, f"expected true or false, got {type_name(value)}")
                return None
            return value
        if isinstance(spec, Choice):
            if not isinstance(value, str) or value not in spec.choices:
                self.report(path, f"expected one of {', '.join(spec.choices)}, got {value!r}",
                            did_you_mean(str(value), spec.choices))
                return None
            return value
        if isinstance(spec, Int):
            if isinstance(value, bool) or not isinstance(value, int):
                hint = "write digits only, without separators" if isinstance(value, str | float) else ""
                self.report(path, f"expected a whole number, got {type_name(value)}", hint)
                return None
            if spec.minimum is not None and value < spec.minimum:
                self.report(path, f"must be at least {spec.minimum}, got {value}")
                return None
            return value
        if isinstance(spec, Number):
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.report(path, f"expected a number, got {type_name(value)}", "write digits, e.g. 2137.5")
                return None
            if not math.isfinite(value):
                # YAML reads .nan and .inf (and 1e400) as floats; JSON output cannot hold them
                self.report(path, f"expected a number, got {_non_finite(value)}", "write digits, e.g. 2137.5")
                return None
            if spec.minimum is not None and value < spec.minimum:
                self.report(path, f"must be at least {spec.minimum}, got {value}")
                return None
            return value
        if isinstance(spec, Tag):
            return self.check_tag(spec, value, path)
        if isinstance(spec, Ref):
            if not isinstance(value, str) or not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", value):
                self.report(path, f"expected the id of a {spec.kind} record, got {value!r}",
                            "ids are file names without .yaml: lower-case letters, digits and hyphens")
                return None
            line, column = self.doc.pos(path)
            self.references.append(
                Reference(self.record_id, dotted(path), value, spec.kind, self.doc.path, line, column)
            )
            return value
        if isinstance(spec, RangeOf):
            return self.check_range(spec, value, path)
        if isinstance(spec, Stamps):
            return self.check_stamps(value, path)
        if isinstance(spec, Date):
            if isinstance(value, _dt.datetime):
                value = value.date()
            if isinstance(value, _dt.date):
                return value.isoformat()
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str) or not _real_date(value):
                self.report(path, f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}",
                            "for example 2020-09 or 2021-03-26")
                return None
            return value
        raise TypeError(spec)  # pragma: no cover - the spec is ours

    def check_list(self, spec: ListOf, value: Any, path: PathKey) -> list[Any] | None:
        if not isinstance(value, list):
            if isinstance(value, str) and isinstance(spec.item, Tag | Ref | Str):
                self.report(path, f"expected a list, got {type_name(value)}", f"write it as a list: [{value}]")
            else:
                self.report(path, f"expected a list, got {type_name(value)}",
                            "start each item on its own line with '- '")
            return None
        if len(value) < spec.min_items:
            self.report(path, "must list at least one item" if spec.min_items == 1
                        else f"must list at least {spec.min_items} items")
        out = []
        seen: set[Any] = set()
        for i, item in enumerate(value):
            cleaned = self.check(spec.item, item, (*path, i))
            if cleaned is None:
                continue
            if isinstance(cleaned, str):
                if cleaned in seen:
                    self.report((*path, i), f"'{cleaned}' is listed twice", "remove the repeat",
                                severity="warning")
                    continue
                seen.add(cleaned)
            out.append(cleaned)
        return out

    def check_str(self, spec: Str, value: Any, path: PathKey) -> str | None:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.report(path, f"expected a text, got {type_name(value)}")
            return None
        text = str(value).strip()
        if not text:
            self.report(path, "is empty")
            return None
        if spec.url and is_placeholder_url(text):
            self.report(path, f"'{text}' is a placeholder, not the source's address",
                        "paste the address of the page or document this record is based on, or remove the source")
            return None
        if spec.pattern and not re.match(spec.pattern, text):
            hint = "write the whole address, starting with https://" if spec.url else ""
            self.report(path, f"{text!r} is not {spec.pattern_hint or 'in the expected form'}", hint)
            return None
        if spec.url:
            refused = url_refusal(text)
            if refused:
                self.report(path, refused[0], refused[1])
                return None
        return text

    def check_period(self, period: Any) -> None:
        """An end before the start, compared as the days each partial date may mean: 2019 and
        2019-05 overlap, 2019-04 ends before 2019-05-02 begins."""
        if not isinstance(period, dict) or not period.get("start") or not period.get("end"):
            return
        start, end = period["start"], period["end"]
        if date_bounds(end)[1] < date_bounds(start)[0]:
            self.report(("period", "end"), f"period ends ({end}) before it starts ({start})",
                        "swap start and end, or correct the year", key=True)

    def check_tag(self, spec: Tag, value: Any, path: PathKey) -> str | None:
        if not isinstance(value, str):
            self.report(path, f"expected {article(spec.axis)} {spec.axis} value, got {type_name(value)}",
                        "write the value id from the vocabulary, e.g. medium" if spec.axis == "effort" else "")
            return None
        if self.vocabulary is None:
            return value
        axis = self.vocabulary.axes.get(spec.axis)
        if axis is None:
            self.report(path, f"the vocabulary has no '{spec.axis}' list", "add it to methods/vocabulary.yaml")
            return None
        if value not in axis.terms:
            self.report(path, f"unknown {spec.axis} value '{value}'",
                        "" if self.full else did_you_mean(value, axis.terms))
            return None
        return value

    def check_range(self, spec: RangeOf, value: Any, path: PathKey) -> Range | None:
        what = "a whole number" if spec.integer else "a number"

        def ok(v: Any) -> bool:
            if isinstance(v, bool) or not isinstance(v, int | float) or (spec.integer and isinstance(v, float)):
                return False
            return v >= 0 and math.isfinite(v)

        if ok(value):
            return Range(value, value)
        if isinstance(value, dict):
            lo: Any = value.get("min")
            hi: Any = value.get("max")
            extra = set(value) - {"min", "max"}
            for key in sorted(extra, key=str):
                self.report((*path, key), f"unknown field '{key}'", "a range has only 'min' and 'max'", key=True)
            if not ok(lo) or not ok(hi):
                self.report(path, f"a range needs 'min' and 'max', each {what} ≥ 0",
                            "for example {min: 5, max: 20}")
                return None
            if lo > hi:
                self.report(path, f"min ({lo}) is greater than max ({hi})", "swap the two values")
                return None
            return Range(lo, hi)
        got = _non_finite(value) if isinstance(value, float) and not math.isfinite(value) else type_name(value)
        self.report(path, f"expected {what} or {{min, max}}, got {got}",
                    "write digits without units or separators, e.g. 5000 or {min: 5000, max: 20000}")
        return None

    def check_stamps(self, value: Any, path: PathKey) -> dict[str, dict[str, str]] | None:
        hint = "let 'toolbox i18n --stamp LANG' write this block"
        if not isinstance(value, dict):
            self.report(path, f"expected a mapping of languages, got {type_name(value)}", hint)
            return None
        out: dict[str, dict[str, str]] = {}
        for lang, stamps in value.items():
            if not isinstance(lang, str):
                continue
            if self.languages and lang not in self.languages:
                self.report((*path, lang), f"unknown language '{lang}'", did_you_mean(lang, self.languages), key=True)
                continue
            if not isinstance(stamps, dict):
                self.report((*path, lang), f"expected a mapping of field to hash, got {type_name(stamps)}", hint)
                continue
            clean: dict[str, str] = {}
            for name, digest in stamps.items():
                if not isinstance(name, str):
                    continue
                if not isinstance(digest, str) or not re.match(STAMP_PATTERN, digest):
                    shown = f"the number {digest}" if isinstance(digest, int | float) else repr(digest)
                    self.report((*path, lang, name), f"expected an 8-character hash, got {shown}",
                                "quote it, e.g. \"01234567\"" if isinstance(digest, int | float) else hint)
                    continue
                clean[name] = digest
            out[lang] = clean
        return out

    def check_text(self, value: Any, path: PathKey) -> Text | None:
        if isinstance(value, str):
            self.report(path, "expected one text per language, got a single text",
                        f"write it as:  en: {value[:40]!r}" if len(value) < 60 else "indent it under 'en:'")
            return None
        if not isinstance(value, dict):
            self.report(path, f"expected one text per language, got {type_name(value)}",
                        "write 'en: …' and 'de: …' on indented lines")
            return None
        out: dict[str, str] = {}
        for lang, text in value.items():
            if not isinstance(lang, str):
                continue
            if not re.match(LANG_PATTERN, lang) or (self.languages and lang not in self.languages):
                self.report((*path, lang), f"unknown language '{lang}'",
                            did_you_mean(lang, self.languages or {"en"}), key=True)
                continue
            if text is None:
                text = ""
            if isinstance(text, int | float) and not isinstance(text, bool):
                text = str(text)
            if not isinstance(text, str):
                self.report((*path, lang), f"expected a text, got {type_name(text)}",
                            "quote the text, or use '|' for several lines")
                continue
            out[lang] = text.strip()
        source = self.source
        if source not in value:
            name = english_name(source)
            self.report(path, f"{name} text is missing", f"add '{source}: …'; {name} is required"
                        + ("" if source == "en" else " (the source language in methods/project.yaml)"), key=bool(path))
        elif not out.get(source):
            self.report((*path, source), f"{english_name(source)} text is empty",
                        f"write the {english_name(source)} text", key=True)
        for lang in self.required:
            if lang != source and not out.get(lang) and out.get(source):
                name = english_name(lang)
                self.report((*path, lang) if lang in value else path, f"{name} text is missing",
                            f"add '{lang}: …'; methods/project.yaml requires {name} (required_languages)",
                            key=lang in value or bool(path), severity="warning")
        return Text(out, source)


# --------------------------------------------------------------------------- building records


def _text(data: dict[str, Any], key: str) -> Text:
    value = data.get(key)
    return value if isinstance(value, Text) else EMPTY_TEXT


def _effort(data: dict[str, Any] | None) -> Effort | None:
    if not data or "level" not in data:
        return None
    return Effort(
        level=data["level"],
        duration=_text(data, "duration"),
        lead_time=_text(data, "lead_time"),
        staff_days=data.get("staff_days"),
        budget_eur=data.get("budget_eur"),
        participants=data.get("participants"),
        note=_text(data, "note"),
    )


def _common(record_id: str, kind: str, path: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record_id,
        "kind": kind,
        "path": path,
        "title": _text(data, "title"),
        "summary": _text(data, "summary"),
        "audience": tuple(data.get("audience", ())),
        "sector": tuple(data.get("sector", ())),
        "sources": tuple(Source(s["title"], s["url"], s.get("note", "")) for s in data.get("sources", ())
                         if "title" in s and "url" in s),
        "effort": _effort(data.get("effort")),
        "translations": data.get("translations", {}),
    }


def build_record(kind: str, record_id: str, path: str, data: dict[str, Any]) -> Record:
    """Turn cleaned data (from a check without errors) into a frozen record."""
    common = _common(record_id, kind, path, data)
    if kind == "method":
        return Method(
            **common,
            purpose=_text(data, "purpose"),
            when_to_use=_text(data, "when_to_use"),
            steps=tuple(data.get("steps", ())),
            materials=_text(data, "materials"),
            preconditions=_text(data, "preconditions"),
            pitfalls=_text(data, "pitfalls"),
            results=_text(data, "results"),
            related=tuple(data.get("related", ())),
            pilots=tuple(data.get("pilots", ())),
        )
    if kind == "pilot":
        period = data.get("period")
        return Pilot(
            **common,
            region=tuple(data.get("region", ())),
            methods=tuple(data.get("methods", ())),
            description=_text(data, "description"),
            project=data.get("project", ""),
            organisations=tuple(data.get("organisations", ())),
            period=Period(period["start"], period.get("end", "")) if period and "start" in period else None,
            results=_text(data, "results"),
            lessons=_text(data, "lessons"),
            transfer=_text(data, "transfer"),
        )
    pop = data.get("population")
    return Region(
        **common,
        country=data.get("country", ""),
        description=_text(data, "description"),
        nuts=data.get("nuts", ""),
        population=Population(value=pop["value"], year=pop.get("year"), note=_text(pop, "note"))
        if pop and "value" in pop else None,
        area_km2=data.get("area_km2"),
        industries=tuple(data.get("industries", ())),
        settlement=data.get("settlement", ""),
        projects=tuple(data.get("projects", ())),
    )


#: Query parameters that track a reader or defeat a cache: they say nothing about the page.
TRACKING_PARAMETERS = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|_ga|_gl|yclid"
                                 r"|igshid|doing_wp_cron|cachebuster|cache_bust|nocache|_)$", re.IGNORECASE)
#: Addresses that show another site's page through a proxy, a translator or a search cache.
PROXY = re.compile(r"/nph-[\w.-]*\.cgi/|/https?/[\w.-]+\.[a-z]{2,}/|^https?://[^/]*(translate\.goog|"
                   r"webcache\.googleusercontent\.com|r\.jina\.ai|12ft\.io)[/:]", re.IGNORECASE)

#: Sites that republish Wikipedia articles under their own address: cite the article itself.
WIKIPEDIA_MIRRORS = re.compile(r"^https?://([\w-]+\.)*(wikimili\.com|encycloreader\.org|wikiwand\.com|"
                               r"everybodywiki\.com|alchetron\.com|dbpedia\.org)[/:]", re.IGNORECASE)
#: A numeric host: the reader cannot tell whose site it is, and the address changes with hosting.
NUMERIC_HOST = re.compile(r"^https?://(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])(:\d+)?(/|$)", re.IGNORECASE)


def url_refusal(url: str) -> tuple[str, str] | None:
    """Why a source address is refused (message, hint), or ``None``."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    archive = re.match(r"^https?://(web\.)?archive\.org/", url, re.IGNORECASE)  # keeps the page: no proxy
    if not archive and (PROXY.search(url) or re.search(r"^https?://.+https?(://|%3A%2F%2F)", url, re.IGNORECASE)):
        return (f"'{url}' shows a page through a proxy or cache",
                "cite the page at its own address (the one inside this address)")
    if WIKIPEDIA_MIRRORS.search(url):
        return (f"'{url}' is a copy of a Wikipedia article on another site",
                "cite the article on wikipedia.org, where its history and authors can be checked")
    if NUMERIC_HOST.search(url):
        return (f"'{url}' names its site by a numeric address",
                "cite the page under the site's domain name, so readers can see whose page it is")
    parts = urlsplit(url)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        bad = [k for k, _ in pairs if TRACKING_PARAMETERS.match(k)]
        if bad:
            kept = urlencode([(k, v) for k, v in pairs if not TRACKING_PARAMETERS.match(k)])
            clean = urlunsplit((parts.scheme, parts.netloc, parts.path, kept, parts.fragment))
            return (f"'{url}' carries a tracking or cache-busting parameter ({', '.join(dict.fromkeys(bad))})",
                    f"cite it as {clean}")
    return None


def check_record(kind: str, record_id: str, doc: YamlDocument, vocabulary: Vocabulary | None,
                 termbase: Termbase | None = None) -> tuple[Record | None, list[Problem], list[Reference]]:
    languages = set(vocabulary.languages) if vocabulary else set()
    checker = Checker(doc, vocabulary, languages, record_id, MAX_PROBLEMS_PER_FILE)
    data = checker.check_object(KIND_SPECS[kind], doc.data, ())
    if data is not None:
        checker.check_period(data.get("period"))
    if termbase is not None and data is not None:
        from .termbase import check_text_maps

        check_text_maps(checker, termbase, doc.data, languages)
    problems = checker.listed_problems()
    if data is None or any(p.severity == "error" for p in problems):
        return None, problems, checker.references
    record = build_record(kind, record_id, doc.path, data)
    known = {name for name, _ in record.text_fields()}
    for lang, stamps in record.translations.items():
        for name in stamps:
            if name not in known:
                checker.report(("translations", lang, name), f"'{name}' is not a text field of this record",
                               "remove it; 'toolbox i18n --stamp' rewrites this block", key=True,
                               severity="warning")
    return record, checker.listed_problems(), checker.references
