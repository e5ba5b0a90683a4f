"""Whoosh analysers and the index schema. Imported only by ``indexer`` and ``search``.

Each language gets its own text fields (``title_de``, ``summary_de``, ``body_de`` …) analysed
with: a tokenizer, lower-casing, accent folding, the language's stop words (folded) and the
Snowball stemmer where Whoosh has one. Folding comes *before* stemming so that a query typed
without accents ("skofja", "biala") produces exactly the same terms as the accented text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from whoosh import columns, fields
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import has_stemmer, has_stopwords
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

from .textutil import fold

#: Bump when analysis changes: the manifest records it and a change forces a full rebuild.
ANALYSIS_VERSION = 5
TEXT_PARTS = ("title", "summary", "body")
FACET_FIELDS = ("audience", "sector", "region", "effort", "kind")
TOKEN_PATTERN = r"\w+(?:\.?\w+)*"

_WORD = re.compile(TOKEN_PATTERN)
FOLD_MAP = dict(accent_map)
FOLD_MAP.update({ord("ß"): "ss", ord("ł"): "l", ord("Ł"): "l", ord("đ"): "d", ord("ø"): "o"})


@cache
def stopwords(lang: str) -> frozenset[str]:
    if not has_stopwords(lang):
        return frozenset()
    return frozenset(fold(w) for w in stoplists[lang])


@cache
def language_analyzer(lang: str) -> Analyzer:
    chain = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(FOLD_MAP)
    if has_stopwords(lang):
        chain = chain | StopFilter(stoplist=stopwords(lang), minsize=1)
    if has_stemmer(lang):
        chain = chain | StemFilter(lang=lang, cachesize=50000)
    return chain


@cache
def plain_analyzer() -> Analyzer:
    """Folding without stemming: tag labels, synonyms and the spelling dictionary."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(FOLD_MAP)


def spelling_terms(texts: dict[str, dict[str, str]], tags_text: str) -> list[str]:
    """Folded words of a document, each as often as it occurs, for "did you mean" (see
    ``search``); a list, so that ``Counter.update`` counts it in C.

    Kept in a word list beside the index instead of a Whoosh field: the field indexed every
    text a second time and doubled the postings a build writes. The words are those the plain
    analyser gives, found with one regular expression over the folded text, which is ten times
    faster than running the analyser (a test checks both agree on the shipped records).
    """
    joined = "\n".join([*(value for entry in texts.values() for value in entry.values()), tags_text])
    return _WORD.findall(joined.lower().translate(FOLD_MAP))


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
