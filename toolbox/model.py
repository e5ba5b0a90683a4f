"""Plain values passed between stages: records, vocabulary terms and search results.

These are frozen dataclasses with no behaviour beyond small accessors, so renderers (terminal,
JSON, Jinja2 templates, the web app) can take them without knowing about YAML or Whoosh.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["method", "pilot", "region"]
KINDS: tuple[Kind, ...] = ("method", "pilot", "region")
DEFAULT_LANG = "en"


@dataclass(frozen=True)
class Localized:
    """A text resolved for one language; ``fallback`` is true when another language (the
    record's source language, English in the shipped toolbox) stood in."""

    text: str
    lang: str
    fallback: bool


@dataclass(frozen=True)
class Text:
    """One string per language code. ``source`` is the language the project writes in (its
    project file's ``source_language``, English by default): always present in a valid
    record, and what stands in for a missing translation."""

    values: Mapping[str, str]
    source: str = DEFAULT_LANG

    def get(self, lang: str = DEFAULT_LANG) -> str:
        return self.resolve(lang).text

    def resolve(self, lang: str = DEFAULT_LANG) -> Localized:
        value = self.values.get(lang, "")
        if value.strip():
            return Localized(value, lang, False)
        stand_in = self.source
        if not self.values.get(stand_in, "").strip():
            # a text built without its source (a label, a test's Text({...})): the first one there
            stand_in = next((k for k, v in self.values.items() if v.strip()), stand_in)
        return Localized(self.values.get(stand_in, ""), stand_in, lang != stand_in)

    def has(self, lang: str) -> bool:
        return bool(self.values.get(lang, "").strip())

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.values.items() if v.strip())


EMPTY_TEXT = Text({})


def any_fallback(texts: Iterable[Text], lang: str) -> bool:
    """Whether another language stands in for ``lang`` in any of ``texts`` (a section such as
    the steps is then marked once)."""
    return any(t.languages and t.resolve(lang).fallback for t in texts)


@dataclass(frozen=True)
class Range:
    """A closed numeric range; a single figure has ``min == max``."""

    min: float
    max: float

    def __str__(self) -> str:
        lo, hi = _num(self.min), _num(self.max)
        return lo if lo == hi else f"{lo}–{hi}"


def _num(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


@dataclass(frozen=True)
class Effort:
    """How much a method or pilot takes. ``level`` is a vocabulary value (low/medium/high)."""

    level: str
    duration: Text = EMPTY_TEXT
    lead_time: Text = EMPTY_TEXT
    staff_days: Range | None = None
    budget_eur: Range | None = None
    participants: Range | None = None
    note: Text = EMPTY_TEXT


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class Period:
    """Start and end as written in the record: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""

    start: str
    end: str = ""

    def __str__(self) -> str:
        if not self.end or self.end == self.start:
            return self.start
        return f"{self.start} – {self.end}"


@dataclass(frozen=True, kw_only=True)
class Record:
    """Fields every kind has. ``path`` is relative to the project folder."""

    id: str
    kind: Kind
    path: str
    title: Text
    summary: Text
    audience: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    effort: Effort | None = None
    #: lang -> field path -> hash of the English text the translation was made from
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def region_tags(self) -> tuple[str, ...]:
        return ()

    def text_fields(self) -> list[tuple[str, Text]]:
        """Every per-language text with its field path (``steps[2]``, ``effort.duration`` …)."""
        fields: list[tuple[str, Text]] = [("title", self.title), ("summary", self.summary)]
        if self.effort:
            fields += [(f"effort.{n}", getattr(self.effort, n)) for n in ("duration", "lead_time", "note")]
        return fields + self._own_text_fields()

    def _own_text_fields(self) -> list[tuple[str, Text]]:
        return []


@dataclass(frozen=True, kw_only=True)
class Method(Record):
    purpose: Text
    when_to_use: Text = EMPTY_TEXT
    steps: tuple[Text, ...] = ()
    materials: Text = EMPTY_TEXT
    preconditions: Text = EMPTY_TEXT
    pitfalls: Text = EMPTY_TEXT
    results: Text = EMPTY_TEXT
    related: tuple[str, ...] = ()
    pilots: tuple[str, ...] = ()

    def _own_text_fields(self) -> list[tuple[str, Text]]:
        names = ("purpose", "when_to_use", "materials", "preconditions", "pitfalls", "results")
        return [(n, getattr(self, n)) for n in names] + [(f"steps[{i}]", s) for i, s in enumerate(self.steps)]


@dataclass(frozen=True, kw_only=True)
class Pilot(Record):
    region: tuple[str, ...]
    methods: tuple[str, ...]
    description: Text
    project: str = ""
    #: a name (the same in every language) or a per-language text, as the record gives it
    organisations: tuple[str | Text, ...] = ()
    period: Period | None = None
    results: Text = EMPTY_TEXT
    lessons: Text = EMPTY_TEXT
    transfer: Text = EMPTY_TEXT

    @property
    def region_tags(self) -> tuple[str, ...]:
        return self.region

    def _own_text_fields(self) -> list[tuple[str, Text]]:
        texts = [(n, getattr(self, n)) for n in ("description", "results", "lessons", "transfer")]
        return texts + [(f"organisations[{i}]", o) for i, o in enumerate(self.organisations) if isinstance(o, Text)]

    def organisation_names(self, lang: str) -> list[tuple[str, bool]]:
        """Each organisation in ``lang`` with whether English stands in for it."""
        out = []
        for o in self.organisations:
            if isinstance(o, Text):
                resolved = o.resolve(lang)
                out.append((resolved.text, resolved.fallback))
            else:
                out.append((o, False))
        return out


@dataclass(frozen=True, kw_only=True)
class Population:
    value: int
    year: int | None = None
    note: Text = EMPTY_TEXT


@dataclass(frozen=True, kw_only=True)
class Region(Record):
    country: str
    description: Text
    nuts: str = ""
    population: Population | None = None
    area_km2: float | None = None
    industries: tuple[str, ...] = ()
    settlement: str = ""
    projects: tuple[str, ...] = ()

    @property
    def region_tags(self) -> tuple[str, ...]:
        return (self.id,)

    def _own_text_fields(self) -> list[tuple[str, Text]]:
        out = [("description", self.description)]
        if self.population:
            out.append(("population.note", self.population.note))
        return out


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Term:
    """A controlled value: its id, labels per language, synonyms for search."""

    id: str
    label: Text
    synonyms: tuple[str, ...] = ()
    description: Text = EMPTY_TEXT
    group: str = ""


@dataclass(frozen=True)
class Axis:
    """A tag axis (audience, sector, effort) or a plain list (industries, projects …)."""

    name: str
    label: Text
    terms: Mapping[str, Term]

    def label_of(self, value: str, lang: str = DEFAULT_LANG) -> str:
        term = self.terms.get(value)
        return term.label.get(lang) if term else value


FACET_AXES: tuple[str, ...] = ("audience", "sector", "region", "effort", "kind")


@dataclass(frozen=True)
class Vocabulary:
    languages: Mapping[str, str]  # code -> the language's own name
    axes: Mapping[str, Axis]
    synonyms: tuple[tuple[str, ...], ...] = ()
    # from the project file (methods/project.yaml): what records are written in, what must be there
    source_language: str = DEFAULT_LANG
    required_languages: tuple[str, ...] = ()

    def axis(self, name: str) -> Axis:
        return self.axes[name]


@dataclass(frozen=True)
class Licence:
    """The licence of the texts: a short name, where it is explained, how to credit them."""

    name: str = ""
    url: str = ""
    attribution: str = ""


@dataclass(frozen=True)
class Contact:
    organisation: str = ""
    email: str = ""
    web: str = ""


@dataclass(frozen=True)
class Settings:
    """What ``methods/project.yaml`` says; defaults where it says nothing (or is missing)."""

    name: Text = EMPTY_TEXT  # empty: the toolbox's own (translated) name stands in
    tagline: Text = EMPTY_TEXT
    publisher: str = ""
    contact: Contact = field(default_factory=Contact)
    licence: Licence = field(default_factory=Licence)
    licence_text: Text = EMPTY_TEXT  # the whole licence page, Markdown, instead of the composed one
    credits: Text = EMPTY_TEXT  # added to the composed page: texts adapted from others, with their licence
    languages: dict[str, str] = field(default_factory=dict)  # code -> its own name; empty: the vocabulary's
    # (a project without a project file lists its languages in the vocabulary, as before)
    required_languages: tuple[str, ...] = ()
    source_language: str = "en"
    path: str = ""  # relative to the project; "" when there is no project file

    @property
    def required(self) -> tuple[str, ...]:
        """The languages every text must have: the source language and the required ones."""
        return tuple(dict.fromkeys((self.source_language, *self.required_languages)))


def settings_to_json(settings: Settings) -> dict[str, object]:
    """The settings as JSON, for the index manifest (the web page reads them from there, so a
    search page needs no YAML)."""
    from dataclasses import asdict

    return asdict(settings)


def settings_from_json(d: Mapping[str, Any]) -> Settings:
    """The settings back from :func:`settings_to_json`."""

    def text(value: Any) -> Text:
        if isinstance(value, dict):
            return Text(dict(value.get("values", {})), str(value.get("source", DEFAULT_LANG)))
        return EMPTY_TEXT

    return Settings(
        name=text(d.get("name")), tagline=text(d.get("tagline")), publisher=str(d.get("publisher", "")),
        contact=Contact(**(d.get("contact") or {})), licence=Licence(**(d.get("licence") or {})),
        licence_text=text(d.get("licence_text")), credits=text(d.get("credits")),
        languages=dict(d.get("languages") or {}), required_languages=tuple(d.get("required_languages") or ()),
        source_language=str(d.get("source_language", DEFAULT_LANG)), path=str(d.get("path", "")))


# --------------------------------------------------------------------------- search results


@dataclass(frozen=True)
class Snippet:
    """Plain text with the character spans to highlight; renderers add their own markup."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Hit:
    id: str
    kind: Kind
    title: str
    summary: str
    lang: str
    fallback: bool
    score: float
    snippet: Snippet
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class SearchResult:
    query: str
    lang: str
    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetValue, ...]]
    filters: Mapping[str, tuple[str, ...]]
    suggestion: str | None = None  # a corrected query, offered but not searched (correction off)
    sort: str = "relevance"
    corrected: str | None = None  # the query searched instead of ``query`` (typos corrected)
    unmatched: tuple[str, ...] = ()  # words and phrases of the query that no record holds


@dataclass(frozen=True)
class Filters:
    """Tag filters: several values within one axis are OR, axes are AND."""

    audience: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    effort: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()

    @classmethod
    def of(cls, values: Mapping[str, Iterable[str] | str | None]) -> Filters:
        clean: dict[str, tuple[str, ...]] = {}
        for axis in ("audience", "sector", "region", "effort", "kind"):
            raw = values.get(axis)
            if not raw:
                continue
            items = [raw] if isinstance(raw, str) else list(raw)
            parts = [p.strip() for item in items for p in item.split(",") if p.strip()]
            clean[axis] = tuple(dict.fromkeys(parts))
        return cls(**clean)

    def as_dict(self) -> dict[str, tuple[str, ...]]:
        return {k: v for k, v in self.__dict__.items() if v}
