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
