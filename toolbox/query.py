"""A user's query string before Whoosh sees it (no Whoosh here): tokens, synonym lookup by
stem, limits.

Plain words are the common case; ``querybuild`` turns each word or synonym group into a clause.
Words or phrases that belong to a synonym group are found by their stems in every language of
the index ("Fokusgruppen" finds the group of "Fokusgruppe"). Quoted phrases, ``field:value``
terms, operators and brackets pass through unchanged, so Whoosh query syntax keeps working for
those who know it. Stop words are not dropped here: each field's analyser drops those of its
own language (a Dutch "mijn" is a word in an English or German field).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .textutil import fold

_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
#: Longest query text accepted. Whoosh's tokenizer is quadratic in the length of a word (a word
#: of 8,000 letters took 1.3 s, one of 100,000 letters 160 s); real queries are a few words, and
#: the web form sends at most 500 characters. Here rather than in ``search`` so that a recipe's
#: queries are checked when it is loaded, without Whoosh.
MAX_QUERY_CHARS = 1000
#: The hint of every refusal of a query for its size.
FEWER_WORDS = "a few words find what you need"


def query_too_long(query: str) -> str:
    """Why ``query`` is refused for its length, or "" if it is not."""
    if len(query) <= MAX_QUERY_CHARS:
        return ""
    return f"the query is {len(query):,} characters long, more than the limit of {MAX_QUERY_CHARS:,}"


@dataclass(frozen=True)
class Token:
    text: str
    bare: bool  # a plain word: not an operator, phrase, bracket or field:value


#: A question mark (or several) ending a word: the end of a question, not a wildcard. People
#: type sentences ("Wie öffnen wir leere Hallen für Kreative?"); "wom?n" keeps its wildcard.
_QUESTION = re.compile(r"(?<=\w)\?+(?=\s|$)")


def without_question_marks(query: str) -> str:
    return _QUESTION.sub("", query) if "?" in query else query


def tokenize(query: str) -> list[Token]:
    out = []
    for match in _TOKEN.finditer(without_question_marks(query)):
        text = match.group(0)
        bare = not (
            text in OPERATORS
            or text in "()"
            or text.startswith(('"', "+", "-"))
            or ":" in text
            or any(c in text for c in "*?[]{}^~")
        )
        out.append(Token(text, bare))
    return out


def bare_words(query: str) -> list[str]:
    return [t.text for t in tokenize(query) if t.bare]


def quote_phrase(phrase: str) -> str:
    phrase = phrase.replace('"', "")
    return f'"{phrase}"' if " " in phrase or "-" in phrase else phrase


_PHRASE_WORD = re.compile(r"\w+")


class SynonymTable:
    """Longest-match lookup of synonym phrases, compared folded ('KKW' = 'kkw') and by stem in
    each of ``languages`` ('Fokusgruppen' = 'Fokusgruppe', 'průmyslové kultury' = 'průmyslová
    kultura')."""

    def __init__(self, groups: Iterable[Sequence[str]], languages: Sequence[str] = (),
                 lookup: dict[tuple[str, ...], int] | None = None) -> None:
        """``lookup``: the table a previous instance built for the same groups and languages (the
        index keeps it, see ``indexer.SYNONYMS``)."""
        self.groups: list[tuple[str, ...]] = [tuple(g) for g in groups]
        self.languages = tuple(languages)
        if lookup is None:
            lookup = {}
            for i, group in enumerate(self.groups):
                for phrase in group:
                    for key in self._keys(phrase.split(), index=True):
                        lookup.setdefault(key, i)
        self.lookup = lookup
        # a language-tagged key has one element more than its words
        self.longest = max((len(k) - (k[0][:1] == "\x00") for k in self.lookup), default=0)

    def _keys(self, words: Sequence[str], *, index: bool) -> list[tuple[str, ...]]:
        """The folded words, then the stems in every language (language-tagged, so that one
        language's stem never meets another's)."""
        keys = [tuple(fold(w) for w in words)]
        if not self.languages:
            return keys
        from .morphology import forms

        lowered = [" ".join(_PHRASE_WORD.findall(w.lower())) for w in words]
        if not all(lowered):
            return keys
        for lang in self.languages:
            for pick in (0, 1) if index else (0,):
                stems = []
                for w in lowered:
                    terms = forms(w, lang, index=index) if " " not in w else (w,)
                    stems.append(terms[min(pick, len(terms) - 1)])
                # a stem of two letters or fewer says too little to stand for a word
                if all(len(s) > 2 for s in stems):
                    keys.append(("\x00" + lang, *stems))
        return keys

    def match(self, words: Sequence[str], start: int) -> tuple[int, int] | None:
        """(group index, number of words) of the longest synonym starting at ``start``."""
        for n in range(min(self.longest, len(words) - start), 0, -1):
            for key in self._keys(words[start:start + n], index=False):
                if key in self.lookup:
                    return self.lookup[key], n
        return None

    def expand(self, query: str) -> str:
        """``query`` with every synonym word or phrase replaced by an OR of its group, for Whoosh
        to parse (queries with operators)."""
        return prepare(query, self, frozenset())


def query_terms(text: str) -> list[str]:
    """The words and phrases of a query, without operators and brackets."""
    return [t.text for t in tokenize(text) if t.text not in OPERATORS and t.text not in "()"]


def count_terms(prepared: str) -> int:
    """Words and phrases in a prepared query (operators and brackets not counted)."""
    return len(query_terms(prepared))


def prepare(query: str, synonyms: SynonymTable, stopwords: frozenset[str]) -> str:
    """The query as Whoosh should parse it; see the module docstring."""
    tokens = tokenize(query)
    if not tokens:
        return ""
    droppable = [t.bare and fold(t.text) in stopwords for t in tokens]
    if all(d or not t.bare for d, t in zip(droppable, tokens, strict=True)) and any(t.bare for t in tokens):
        droppable = [False] * len(tokens)  # a query of nothing but stop words keeps them
    # In a query of plain words (all ANDed) a repeated word or synonym group adds nothing but
    # parsing time: "CCI CCI CCI …" expanded the 15-phrase group once per word. With operators a
    # repeat can matter ("a b a OR c"), so those queries are left as they are.
    plain = all(t.bare for t in tokens)
    seen_words: set[str] = set()
    seen_groups: set[int] = set()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.bare:
            out.append(token.text)
            i += 1
            continue
        run_end = i
        while run_end < len(tokens) and tokens[run_end].bare:
            run_end += 1
        words = [t.text for t in tokens[i:run_end]]
        j = 0
        while j < len(words):
            found = synonyms.match(words, j)
            if found:
                group, n = found
                if not (plain and group in seen_groups):
                    out.append("(" + " OR ".join(quote_phrase(p) for p in synonyms.groups[group]) + ")")
                    seen_groups.add(group)
                j += n
                continue
            if not droppable[i + j] and not (plain and words[j].lower() in seen_words):
                out.append(words[j])
                seen_words.add(words[j].lower())
            j += 1
        i = run_end
    return " ".join(out)
