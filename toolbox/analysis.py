"""Whoosh analysers and the index schema. Imported only by ``indexer`` and ``search``.

Each language gets its own text fields (``title_de``, ``summary_de``, ``body_de`` …) analysed
with: a tokenizer, lower-casing, the language's stop words (as written and folded), then
:class:`StemFold`: accent folding and the language's Snowball stemmer (``morphology``). A query
typed without accents ("skofja", "biala", "prazdna") produces the same terms as the accented
text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from whoosh import columns, fields
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.support.charset import accent_map

from .morphology import forms, stop_list
from .textutil import fold

#: Bump when analysis changes: the manifest records it and a change forces a full rebuild.
ANALYSIS_VERSION = 6
TEXT_PARTS = ("title", "summary", "body")
FACET_FIELDS = ("audience", "sector", "region", "effort", "kind")
TOKEN_PATTERN = r"\w+(?:\.?\w+)*"

_WORD = re.compile(TOKEN_PATTERN)
FOLD_MAP = dict(accent_map)
FOLD_MAP.update({ord("ß"): "ss", ord("ł"): "l", ord("Ł"): "l", ord("đ"): "d", ord("ø"): "o"})


@cache
def stopwords(lang: str) -> frozenset[str]:
    """The folded stop words of ``lang`` (see ``morphology.stop_list``)."""
    return frozenset(w for w in stop_list(lang) if w == fold(w))


#: word -> terms, per (language, mode): texts repeat their words, and stemming is the
#: costliest step of indexing. Bounded, and shared by every analyser of a language.
_FORMS: dict[tuple[str, bool], dict[str, tuple[str, ...]]] = {}
_FORMS_LIMIT = 200_000


class StemFold(Filter):  # type: ignore[misc]
    """Folding and stemming of one language, in the order its stemmer needs (``morphology.forms``).

    In the index a word may give two terms at one position (the folded stem and the stem of the
    folded word, for stemmers written for text with diacritics); a query word gives one. Only
    the language is pickled with the schema: the stemmer and the cache are made on first use.
    """

    is_morph = True

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, tokens: Any) -> Any:
        lang = self.lang
        for token in tokens:
            index = token.mode != "query"
            cache = _FORMS.get((lang, index))
            if cache is None:
                cache = _FORMS.setdefault((lang, index), {})
            text = token.text
            terms = cache.get(text)
            if terms is None:
                if len(cache) > _FORMS_LIMIT:
                    cache.clear()
                terms = cache[text] = forms(text, lang, index=index)
            token.text = terms[0]
            yield token
            for other in terms[1:]:
                token.text = other
                yield token


@cache
def language_analyzer(lang: str) -> Analyzer:
    chain = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()
    stops = stop_list(lang)
    if stops:
        chain = chain | StopFilter(stoplist=stops, minsize=1)
    return chain | StemFold(lang)


@cache
def plain_analyzer() -> Analyzer:
    """Folding without stemming: tag labels, synonyms and the spelling dictionary."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(FOLD_MAP)


def spelling_terms(texts: dict[str, dict[str, str]], tags_text: str) -> list[str]:
    """Lower-case words of a document (accents kept), each as often as it occurs, keyed by language
    (``"de\\x00leerstand"``; tag labels and synonyms under ``"\\x00…"``), for typo correction in
    the query's language (see ``spelling``); a list, so that ``Counter.update`` counts it in C.

    Kept in a word list beside the index instead of a Whoosh field: the field indexed every
    text a second time and doubled the postings a build writes. The words are those the plain
    analyser gives, found with one regular expression over the folded text, which is ten times
    faster than running the analyser (a test checks both agree on the shipped records).
    """
    out: list[str] = []
    for lang, entry in texts.items():
        joined = "\n".join(entry.values()).lower()
        prefix = lang + "\x00"
        out += [prefix + w for w in _WORD.findall(joined)]
    out += ["\x00" + w for w in _WORD.findall(tags_text.lower())]
    return out


def phrase_terms(groups: Iterable[Iterable[str]], languages: Iterable[str]) -> dict[tuple[str, str], tuple[str, ...]]:
    """(language, phrase) -> the terms a query makes of each synonym phrase in that language's fields
    (language "" for the tags field), computed with the index so that a search need not run
    dozens of phrases through every analyser."""
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    analyzers = [("", plain_analyzer()), *((lang, language_analyzer(lang)) for lang in languages)]
    for group in groups:
        for phrase in group:
            for lang, analyzer in analyzers:
                out[(lang, phrase)] = tuple(t.text for t in analyzer(phrase, mode="query"))
    return out


def text_field(part: str, lang: str) -> str:
    return f"{part}_{lang}"


def build_schema(languages: Iterable[str]) -> fields.Schema:
    spec: dict[str, fields.FieldType] = {
        "id": fields.ID(stored=True, unique=True),
        "kind": fields.KEYWORD(stored=True, scorable=False, commas=True),
        "audience": fields.KEYWORD(stored=True, scorable=False, commas=True),
        "sector": fields.KEYWORD(stored=True, scorable=False, commas=True),
        "region": fields.KEYWORD(stored=True, scorable=False, commas=True),
        "effort": fields.KEYWORD(stored=True, scorable=False, commas=True),
        "effort_rank": fields.NUMERIC(sortable=True),
        "display": fields.STORED(),
        "tags": fields.TEXT(analyzer=plain_analyzer(), field_boost=0.6),
    }
    for lang in languages:
        # a column only: the sort keys (folded titles) are never searched, and indexing them
        # added a unique term per record and language for the build to write
        spec[f"sort_{lang}"] = fields.COLUMN(columns.VarBytesColumn())
        spec[text_field("title", lang)] = fields.TEXT(analyzer=language_analyzer(lang), field_boost=3.0)
        spec[text_field("summary", lang)] = fields.TEXT(analyzer=language_analyzer(lang), field_boost=1.5)
        spec[text_field("body", lang)] = fields.TEXT(analyzer=language_analyzer(lang))
    return fields.Schema(**spec)
