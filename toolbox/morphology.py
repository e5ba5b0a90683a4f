"""Word forms per language, without Whoosh: which stemmer a language gets, its stop words, and
which languages build compounds. ``analysis`` turns these into Whoosh analysers; ``query``
uses them to match synonyms by stem.

Every language of a vocabulary gets real morphology when Snowball has an algorithm for it
(PyStemmer, the C build of the Snowball stemmers): English, German, Italian and Dutch as
before, and now Czech, Polish and Croatian (Snowball's Serbian stemmer, written for Serbian
Latin and Cyrillic text, which Croatian Latin text shares its endings with). Slovenian has no
Snowball stemmer; the Serbian one was measured on it (docs/search.md: nDCG@5 0.871 against 0.819
with folding alone on the Slovenian judged queries) and is used for it too.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from .textutil import fold

#: ISO 639-1 code → Snowball algorithm (PyStemmer's names). A language missing here is folded
#: but not stemmed.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch_porter", "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french",
    "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "fa": "persian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sr": "serbian", "hr": "serbian", "bs": "serbian", "sl": "serbian", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
#: Languages whose stemmers are written for text with its diacritics (their endings carry
#: them: Czech "-ých", Polish "-ów"), so a word is stemmed first and folded after; see
#: ``analysis.StemFold``. The others are folded first, as their stemmers cope with that.
STEM_BEFORE_FOLDING = frozenset({"cs", "pl", "sr", "hr", "bs", "sl", "sk", "lt", "ro", "hu", "tr"})
#: Languages that write compounds as one word; their words are also matched as parts of longer
#: words (see ``compounds``).
COMPOUNDING = frozenset({"de", "nl", "sv", "da", "no", "nb", "fi"})

#: Words of a stop list that are content words in this domain and must stay searchable
#: ("mijn" is Dutch for mine as well as my; "prazen" is Slovenian for empty).
NOT_STOP_WORDS = {
    "nl": {"mijn", "mijne"},
    "cs": {"design", "email", "strana", "clanek", "clanku", "clanky", "článek", "článku", "články",
           "zpravy", "zprávy", "den", "rok", "mesto", "město"},
    "sl": {"prazen", "prazna", "prazne", "prazni", "prazno", "odprt", "odprta", "odprti", "zaprta",
           "zaprti", "zaprto", "velik", "velika", "veliki", "visok", "visoka", "visoke", "visoki", "majhen",
           "majhna", "majhni", "kratek", "kratka", "kratke", "kratki", "dolg", "dolga", "dolgi", "lahka",
           "lahke", "lahki", "težak", "težka", "težki", "srednja", "srednji", "polna", "polni", "polno",
           "primer", "stran", "stvar", "mesec", "datum", "dan", "dober", "dobra", "dobri", "pravi", "prava",
           "prave", "pravo", "pripravljen", "pripravljena", "pripravljeni"},
}

_lock = threading.Lock()
_stemmers: dict[str, Any] = {}


def has_stemmer(lang: str) -> bool:
    return lang in SNOWBALL


def stem_word(word: str, lang: str) -> str:
    """``word`` stemmed with the language's Snowball algorithm (unchanged without one)."""
    algorithm = SNOWBALL.get(lang)
    if algorithm is None:
        return word
    stemmer = _stemmers.get(algorithm)
    if stemmer is None:
        import Stemmer  # PyStemmer: loaded on the first word to stem

        with _lock:
            stemmer = _stemmers.setdefault(algorithm, Stemmer.Stemmer(algorithm, 0))
    return str(stemmer.stemWord(word))


@cache
def stop_list(lang: str) -> frozenset[str]:
    """The stop words of ``lang``, as written and folded: Whoosh's lists (the Snowball project's)
    where it has one, else the stopwords-iso collection; minus :data:`NOT_STOP_WORDS`. Empty for
    a language neither knows."""
    from whoosh.lang.stopwords import stoplists  # pure data; the index build imports Whoosh anyway

    words: frozenset[str] | set[str]
    if lang in stoplists:
        words = set(stoplists[lang])
    else:
        import stopwordsiso

        words = set(stopwordsiso.stopwords(lang)) if stopwordsiso.has_lang(lang) else set()
    keep = NOT_STOP_WORDS.get(lang, set())
    keep = keep | {fold(w) for w in keep}
    words = {w for w in words if w not in keep and fold(w) not in keep}
    return frozenset(words | {fold(w) for w in words})


def forms(word: str, lang: str, *, index: bool) -> tuple[str, ...]:
    """The index terms of one lower-case ``word`` in ``lang``.

    Stemmers written for text with diacritics stem first and fold after. A query typed
    without diacritics would then stem differently ("prazdnych" keeps an ending that
    "prázdných" loses), so the index holds both the folded stem and the stem of the folded word,
    and a query word without diacritics is looked up by the latter.
    """
    if lang not in STEM_BEFORE_FOLDING:
        return (stem_word(fold(word), lang),)
    folded = fold(word)
    if folded == word:
        return (stem_word(folded, lang),)
    first = fold(stem_word(word, lang))
    if not index:
        return (first,)
    second = stem_word(folded, lang)
    return (first,) if second == first else (first, second)
