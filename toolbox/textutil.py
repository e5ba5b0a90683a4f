"""Small text helpers shared by the indexer, search and renderers (no third-party imports)."""

from __future__ import annotations

import re
import unicodedata

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"(^|\s)[#>]+\s|[*_`]+|^\s*[-+]\s+|^\s*\d+\.\s+", re.M)
_SPACE = re.compile(r"\s+")
_MAYBE_MARKUP = re.compile(r"[#>*_`+-]|\d\.")


def plain(markdown: str) -> str:
    """Markdown to one line of plain text, good enough for indexing and snippets."""
    text = _LINK.sub(r"\1", markdown) if "[" in markdown else markdown
    # Most texts have no markup at all; one quick scan spares them the slow multi-line pattern.
    if _MAYBE_MARKUP.search(text):
        text = _MARKUP.sub(r"\1", text)
    return _SPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Škofja Łódź' -> 'skofja lodz' (ł and ß handled too)."""
    text = text.lower().replace("ß", "ss").replace("ł", "l").replace("đ", "d").replace("ø", "o")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def shorten(text: str, width: int) -> str:
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


#: English names for messages ("German text is missing"); others come from Babel.
_ENGLISH_NAMES = {"en": "English", "de": "German", "cs": "Czech", "pl": "Polish", "sl": "Slovenian",
                  "it": "Italian", "nl": "Dutch", "hr": "Croatian", "hu": "Hungarian", "sk": "Slovak",
                  "fr": "French", "es": "Spanish"}


def language_name(code: str, lang: str = "en") -> str:
    """The name of language ``code`` in language ``lang``: "German", "němčina", "Deutsch"
    (CLDR, through Babel; English names of the usual languages without loading it)."""
    if lang == "en" and code in _ENGLISH_NAMES:
        return _ENGLISH_NAMES[code]
    try:
        from babel import Locale

        return str(Locale.parse(code).get_display_name(lang) or code)
    except Exception:  # babel.UnknownLocaleError and the like: an unknown code is named by itself
        return code


def english_name(code: str) -> str:
    """``de`` -> ``German``: the language's name in the messages of the toolbox."""
    return language_name(code, "en")
