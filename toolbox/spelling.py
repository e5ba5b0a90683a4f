"""Typo correction for words that match nothing (no Whoosh here).

The index keeps every word of the records with its frequency, per language (``spelling.pickle``,
keys ``"de\\x00leerstand"``; the tag labels and synonyms of the vocabulary under ``"\\x00…"``).
A word is corrected only into a word of the query's language or of the vocabulary, never into a
stop word: "prázdná" typed in Czech is not "corrected" into the Slovenian "prazno".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Key prefix of the vocabulary's words (tag labels and synonyms) in the word list.
VOCABULARY = ""
SEPARATOR = "\x00"


@dataclass(frozen=True)
class WordLists:
    """The saved word list, read once: per language, folded word -> frequency (spellings added
    up), and folded word -> its commonest spelling, so a correction is shown as the records write
    it ("prazdnych" → "prázdných")."""

    pools: dict[str, dict[str, int]]
    spellings: dict[str, dict[str, tuple[int, str]]]

    @classmethod
    def from_saved(cls, words: Mapping[str, int]) -> WordLists:
        from .textutil import fold

        pools: dict[str, dict[str, int]] = {}
        spellings: dict[str, dict[str, tuple[int, str]]] = {}
        for key, n in words.items():
            lang, _, word = key.partition(SEPARATOR)
            folded = word if word.isascii() else fold(word)  # lower-case already
            pool = pools.setdefault(lang, {})
            pool[folded] = pool.get(folded, 0) + n
            best = spellings.setdefault(lang, {})
            if folded not in best or n > best[folded][0]:
                best[folded] = (n, word)
        return cls(pools, spellings)

    def for_language(self, lang: str) -> list[dict[str, int]]:
        """The word lists a word typed in ``lang`` is corrected from: the language's and the vocabulary's."""
        return [self.pools.get(lang, {}), self.pools.get(VOCABULARY, {})]

    def written(self, lang: str, folded: str) -> str:
        """``folded`` as the texts of ``lang`` or the vocabulary write it most often."""
        options = [o for pool in (lang, VOCABULARY) if (o := self.spellings.get(pool, {}).get(folded))]
        return max(options)[1] if options else folded


def by_language(words: Mapping[str, int]) -> dict[str, dict[str, int]]:
    """The saved word list split into ``language -> folded word -> frequency``."""
    return WordLists.from_saved(words).pools


def max_edits(word: str) -> int:
    """Edits allowed for a word of this length: one for short words, where two would make
    almost any word of four letters into another, two from seven letters on."""
    return 1 if len(word) < 7 else 2


def correct(word: str, pools: Iterable[Mapping[str, int]], stop: frozenset[str]) -> str | None:
    """The closest known word to the folded ``word`` (fewest edits, then the most frequent, then
    alphabetical), sharing its first letter; ``None`` if none is close enough."""
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import extract

    limit = max_edits(word)
    best: tuple[int, int, str] | None = None
    for pool in pools:
        choices = [w for w in pool if w[:1] == word[:1] and abs(len(w) - len(word)) <= limit
                   and w != word and w not in stop and not w.isdigit()]
        if not choices:
            continue
        for candidate, distance, _ in extract(word, choices, scorer=Levenshtein.distance, score_cutoff=limit,
                                              limit=None):
            item = (int(distance), -pool[candidate], candidate)
            if best is None or item < best:
                best = item
    return best[2] if best else None
