"""Turn a user's query into Whoosh queries: one clause per word or synonym group, none required.

A query of plain words is not one big AND (the old behaviour, where one unknown word emptied
the result) but a list of *clauses*, each scored on its own and counted by ``search`` for the
coordination factor (records holding more of the words rank first):

- a word: its terms in every text field (each field's analyser: stemming, stop words of that
  field's language only) and the tags field; in languages that build compounds, also the index
  words that contain it (``Braunkohle`` → ``Braunkohlerevier``) and, when it splits into two
  known words, both parts (``Leerstandsmanagement`` → ``Leerstand`` + ``Management``);
- a synonym group of the vocabulary, matched by stem (``Fokusgruppen`` is in the group of
  "focus group"): the best-scoring member counts, so a group of fifteen phrases weighs as much
  as one word;
- ``"a phrase"``, ``field:value``, wildcards: parsed by Whoosh as they are;
- ``+word`` is required, ``-word`` excluded.

A query with ``AND``, ``OR``, ``NOT``, brackets, ranges (``[a TO b]``), boosts (``^2``) or phrase
slop (``"a b"~2``) is parsed by Whoosh as written (words between operators are OR-ed), with
synonym groups expanded, and scored as one clause.
Imported only by ``search``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from whoosh import query as wq
from whoosh.qparser import MultifieldParser, OrGroup, PlusMinusPlugin

from .morphology import COMPOUNDING
from .query import OPERATORS, SynonymTable, tokenize, without_question_marks
from .textutil import fold

ClauseKind = Literal["optional", "required", "excluded"]

#: Weight of the index words that contain a query word (compounds), and of a compound's parts,
#: against the word itself.
CONTAINED_BOOST = 0.5
PARTS_BOOST = 0.7
#: Weight of the other members of a synonym group against the word the user typed.
SYNONYM_BOOST = 0.8
#: Most index words one query word may stand for as part of longer words, per field.
MAX_CONTAINED = 24
#: A word (stemmed) shorter than this is not looked for inside longer words: "kunst" in
#: "Kunstmarkt" helps, "art" in "Artikel" does not.
MIN_CONTAINED = 5
#: Parts of a split compound are at least this long ("mijn" + "bouw").
MIN_PART = 4
#: Longest word taken apart, and most words of one query taken apart: each split looks up every
#: cut of the word in every field (a word of 1,000 letters would take seconds).
MAX_SPLIT_LETTERS = 40
MAX_SPLIT_WORDS = 8
#: Linking elements between the parts of a compound (German Fugen, Dutch tussenklanken).
LINKS = {"de": ("s", "es", "n", "en", "e", "er"), "nl": ("s", "en", "e")}
_HYPHEN = re.compile(r"[-‐‑–/]+")


@dataclass(frozen=True)
class Clause:
    """One part of a query, scored and counted on its own."""

    text: str  # what the user typed for it
    query: wq.Query  # over every searchable field
    title: wq.Query | None  # the same over the title fields only (None: titles are not checked)
    kind: ClauseKind = "optional"
    word: str | None = None  # a plain word, which a typo correction may replace
    exact: wq.Query | None = None  # the word alone (not inside longer words): does it match as typed?


@dataclass(frozen=True)
class Built:
    query: wq.Query | None  # what is scored (None: nothing left to search)
    clauses: tuple[Clause, ...]  # the optional and required ones, counted for coordination
    excluded: tuple[Clause, ...]
    expert: bool = False  # parsed by Whoosh as written (operators, brackets, ranges …)


class Builder:
    """Builds queries for one index generation and display language (kept per generation)."""

    def __init__(self, schema: Any, reader: Any, fields: Sequence[str], title_fields: Sequence[str],
                 boosts: dict[str, float], synonyms: SynonymTable, stop: frozenset[str] = frozenset(),
                 phrases: Callable[[], dict[tuple[str, str], tuple[str, ...]]] | None = None) -> None:
        self.reader = reader
        self.schema = schema
        self.synonyms = synonyms
        self.parser = MultifieldParser(list(fields), schema, fieldboosts=boosts)
        self.expert = MultifieldParser(list(fields), schema, fieldboosts=boosts, group=OrGroup)
        self.expert.add_plugin(PlusMinusPlugin())
        self.compound_fields = [f for f in fields if f.rsplit("_", 1)[-1] in COMPOUNDING]
        self.compound_langs = sorted({f.rsplit("_", 1)[-1] for f in self.compound_fields})
        self._known_parts: dict[str, int] = {}
        self._analysed: dict[tuple[str, str], tuple[str, ...]] = {}
        self._groups: dict[int, list[tuple[str, wq.Query, wq.Query]]] = {}
        self.all_fields = list(fields)
        self.title_fields = list(title_fields)
        self.boosts = dict(boosts)
        self.fields = [f for f in fields if f != "tags"]
        self.splits_left = MAX_SPLIT_WORDS  # reset for every query by ``build``
        self.phrases = phrases  # the saved terms of the synonym phrases, read on the first group
        # Stop words of the language the user types in (and of English, which every record has):
        # left out of the query. Other languages' stop words are searched in the fields where
        # they are words ("mijn" is Dutch for mine, "hat" an English hat).
        self.stop = stop

    # -- the pieces ----------------------------------------------------------------------

    def parse(self, text: str) -> wq.Query:
        """Whoosh's reading of ``text`` (syntax: phrases, fields, wildcards), words ANDed."""
        return self.parser.parse(text)

    def _terms_of(self, field: str, text: str) -> tuple[str, ...]:
        key = (field, text)
        terms = self._analysed.get(key)
        if terms is None:
            if len(self._analysed) > 50_000:
                self._analysed.clear()
            terms = self._analysed[key] = tuple(t.text for t in self.schema[field].analyzer(text, mode="query"))
        return terms

    def over(self, fields: Sequence[str], text: str, *, phrase: bool = False) -> wq.Query:
        """``text`` looked for in each of ``fields`` through the field's analyser: what Whoosh's
        parser makes of plain words, built directly (the parser takes about 1.5 ms a word, and a
        synonym group has dozens of phrases). Several words are a phrase, or must all occur."""
        subs: list[wq.Query] = []
        reader = self.reader
        for field in fields:
            terms = self._terms_of(field, text)
            if not terms:
                continue  # a stop word of this field's language
            if not all((field, t) in reader for t in terms):
                # a word the field never holds cannot match: most of a synonym group's phrases in
                # most languages' fields, each of which would cost a matcher on every search
                continue
            boost = self.boosts.get(field, 1.0)
            if len(terms) == 1:
                subs.append(wq.Term(field, terms[0], boost=boost))
            elif phrase:
                subs.append(wq.Phrase(field, list(terms), boost=boost))
            else:
                subs.append(wq.And([wq.Term(field, t) for t in terms], boost=boost))
        if not subs:
            return wq.NullQuery
        return subs[0] if len(subs) == 1 else wq.Or(subs)

    def _containing(self, field: str, stem: str) -> list[str]:
        """Index words of ``field`` that start with ``stem`` (the longer compounds it heads:
        "braunkohl" → "braunkohlerevi"), read from the sorted term index, so nothing is loaded.
        Compounds it ends are not looked for: that needs every term of the field reversed and
        sorted, which cost more than a cold search may spend (tails are found by splitting
        the query word instead)."""
        found: list[str] = []
        for raw in self.reader.expand_prefix(field, stem):
            term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            if term != stem and len(term) >= len(stem) + MIN_PART - 1:
                found.append(term)
                if len(found) >= MAX_CONTAINED:
                    break
        return found

    def _stems(self, field: str, word: str) -> tuple[str, ...]:
        return self._terms_of(field, word)

    def _known(self, part: str) -> int:
        """In how many documents ``part`` occurs in the field where it is commonest (0: not a word
        of the index). Any language counts: "Management" in a German compound is English text."""
        known = self._known_parts.get(part)
        if known is None:
            if len(self._known_parts) > 20_000:
                self._known_parts.clear()
            known = 0
            for field in self.fields:
                for stem in self._stems(field, part):
                    known = max(known, self.reader.doc_frequency(field, stem))
            if not known and self.synonyms.match([part], 0):
                known = 1  # a word of the thesaurus ("mijn" in "mijngebouwen"), searched as its group
            self._known_parts[part] = known
        return known

    def split(self, word: str) -> tuple[str, ...]:
        """The known words that make up ``word`` in a compounding language: two parts, the split
        whose rarer part is commonest (the frequency-based splitting of Koehn and Knight, 2003);
        else its longest known head or tail ("leegstand" in "leegstandsbeheer"); else none."""
        folded = fold(word)
        if not 2 * MIN_PART <= len(folded) <= MAX_SPLIT_LETTERS or not folded.isalpha() or self.splits_left <= 0:
            return ()
        self.splits_left -= 1
        best: tuple[int, str, str] | None = None
        head_only: str = ""
        tail_only: str = ""
        for lang in self.compound_langs:
            for cut in range(MIN_PART, len(folded) - MIN_PART + 1):
                head, tail = folded[:cut], folded[cut:]
                heads = [head] + [head[: -len(link)] for link in LINKS.get(lang, ()) if head.endswith(link)
                                  and len(head) - len(link) >= MIN_PART]
                tail_n = self._known(tail)
                if tail_n and len(tail) > len(tail_only) and len(tail) >= MIN_CONTAINED:
                    tail_only = tail
                for candidate in heads:
                    head_n = self._known(candidate)
                    if not head_n:
                        continue
                    if len(candidate) > len(head_only) and len(candidate) >= MIN_CONTAINED:
                        head_only = candidate
                    if tail_n and (best is None or min(head_n, tail_n) > best[0]):
                        best = (min(head_n, tail_n), candidate, tail)
        if best:
            return best[1], best[2]
        longest = max(head_only, tail_only, key=len)
        return (longest,) if longest else ()

    def word(self, text: str, *, parts: bool = True) -> tuple[wq.Query, wq.Query | None, wq.Query]:
        """The clause of one plain word, its title-only form, and the word alone as typed (not
        inside longer words: whether it matches as typed decides a typo correction)."""
        base = self.over(self.all_fields, text)
        title = self.over(self.title_fields, text)
        if base is wq.NullQuery:
            analysed = [(f, terms) for f in self.all_fields if (terms := self._terms_of(f, text))]
            if not analysed:
                return base, None, base  # a stop word in every language
            # no record holds the word: a query that matches nothing, so that the word is
            # reported, corrected or found inside longer words below
            field, terms = analysed[0]
            base = wq.Term(field, terms[0])
        extra: list[wq.Query] = []
        for field in self.compound_fields:
            for stem in self._stems(field, text):
                if len(stem) >= MIN_CONTAINED:
                    extra += [wq.Term(field, t, boost=CONTAINED_BOOST) for t in self._containing(field, stem)]
        if parts and self.compound_fields and not self._is_word(base):
            # only a word the index does not hold is taken apart: "Leerstand" is no "leer" + "Stand"
            found = self.split(text)
            if found:
                queries = [self._part(p) for p in found]
                if len(queries) > 1:
                    # both parts together first; one part alone still counts ("Leerstand" without
                    # "Management"), at half the weight
                    extra.append(wq.And(queries, boost=PARTS_BOOST))
                extra.append(wq.Or(queries, boost=PARTS_BOOST / 2 if len(found) > 1 else PARTS_BOOST))
                title = wq.Or([title, wq.And([self.over(self.title_fields, p) for p in found])])
        return (wq.Or([base, *extra]) if extra else base), title, base

    def _is_word(self, query: wq.Query) -> bool:
        """Whether the word query ``query`` (from ``over``) names a term the index holds."""
        return any(self.reader.doc_frequency(leaf.fieldname, leaf.text) for leaf in query.leaves()
                   if isinstance(leaf, wq.Term))

    def _part(self, part: str) -> wq.Query:
        """One part of a compound: the word, or its synonym group when it has one."""
        found = self.synonyms.match([part], 0)
        if found:
            members = [m for _, m, _ in self._members(found[0])]
            return wq.DisjunctionMax([self.over(self.all_fields, part), *members])
        return self.over(self.all_fields, part)

    def group(self, typed: str, index: int) -> tuple[wq.Query, wq.Query]:
        """A synonym group as one clause: the best member counts."""
        members: list[wq.Query] = []
        titles: list[wq.Query] = []
        if " " in typed:  # a phrase of the group, as typed
            typed_query = self.over(self.all_fields, typed, phrase=True)
            typed_title: wq.Query | None = self.over(self.title_fields, typed, phrase=True)
        else:
            typed_query, typed_title, _ = self.word(typed, parts=False)  # the group says what it means
        if typed_query is not wq.NullQuery:
            members.append(typed_query)
        if typed_title is not None:
            titles.append(typed_title)
        typed_folded = fold(typed)
        for folded, member, title in self._members(index):
            if folded != typed_folded:
                members.append(member)
                titles.append(title)
        return wq.DisjunctionMax(members), wq.Or(titles)

    def _members(self, index: int) -> list[tuple[str, wq.Query, wq.Query]]:
        """The phrases of a synonym group as queries, made once per generation and language."""
        members = self._groups.get(index)
        if members is None:
            members = []
            saved = self.phrases() if self.phrases is not None else {}
            for phrase in self.synonyms.groups[index]:
                for field in self.all_fields:
                    terms = saved.get(("" if field == "tags" else field.rsplit("_", 1)[-1], phrase))
                    if terms is not None:
                        self._analysed[(field, phrase)] = terms
                member = self.over(self.all_fields, phrase, phrase=True)
                if member is wq.NullQuery:
                    continue
                member.boost = SYNONYM_BOOST * member.boost
                members.append((fold(phrase), member, self.over(self.title_fields, phrase, phrase=True)))
            self._groups[index] = members
        return members

    # -- whole queries ----------------------------------------------------------------------

    def build(self, text: str) -> Built:
        self.splits_left = MAX_SPLIT_WORDS
        tokens = tokenize(text)
        if any(t.text in OPERATORS or t.text in "()" or any(c in t.text for c in "[]{}^~") for t in tokens):
            # operators, brackets, ranges, boosts and phrase slop span or bind several tokens
            return self._expert(without_question_marks(text))
        clauses: list[Clause] = []
        groups: set[int] = set()
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.bare:
                run = i
                while run < len(tokens) and tokens[run].bare:
                    run += 1
                clauses += self._plain([t.text for t in tokens[i:run]], groups)
                i = run
                continue
            clauses.append(self._special(token.text))
            i += 1
        return self._assemble(clauses)

    def _plain(self, words: list[str], groups: set[int] | None = None) -> list[Clause]:
        """Clauses of a run of plain words: synonym phrases first (longest match, stop words
        inside them kept: "Kultur- und Kreativwirtschaft"), then words; a stop word of the typed
        language is left out unless the query has nothing else; several members of one group
        are one clause ("KKW Kreativwirtschaft CCI")."""
        groups = set() if groups is None else groups
        keep_stops = all(fold(w) in self.stop for w in words)
        out: list[Clause] = []
        j = 0
        while j < len(words):
            found = self.synonyms.match(words, j)
            if found:
                index, n = found
                typed = " ".join(words[j:j + n])
                j += n
                if index not in groups:
                    groups.add(index)
                    query, title = self.group(typed, index)
                    out.append(Clause(typed, query, title))
                continue
            word = words[j]
            j += 1
            if fold(word) in self.stop and not keep_stops:
                continue
            parts = [p for p in _HYPHEN.split(word) if p]
            if len(parts) > 1:
                # "Industrie-Hackathon": each part is a word of its own (and may be a synonym or a typo)
                out += self._plain(parts, groups)
                continue
            query, title, exact = self.word(word)
            if query is not wq.NullQuery:  # a stop word in every language
                out.append(Clause(word, query, title, word=word, exact=exact))
        return out

    def _special(self, text: str) -> Clause:
        kind: ClauseKind = "optional"
        body = text
        if text.startswith("+") and len(text) > 1:
            kind, body = "required", text[1:]
        elif text.startswith("-") and len(text) > 1:
            kind, body = "excluded", text[1:]
        plain = body.isalnum()
        exact: wq.Query | None = None
        if plain:
            query, title, exact = self.word(body)
        else:
            query, title = self.parse(body), None
        return Clause(text, query, title, kind, body if plain and kind == "optional" else None, exact)

    def _assemble(self, clauses: list[Clause]) -> Built:
        wanted = [c for c in clauses if c.kind != "excluded" and c.query is not wq.NullQuery]
        excluded = tuple(c for c in clauses if c.kind == "excluded" and c.query is not wq.NullQuery)
        required = [c.query for c in wanted if c.kind == "required"]
        optional = [c.query for c in wanted if c.kind == "optional"]
        query: wq.Query | None
        if required:
            query = wq.And(required) if len(required) > 1 else required[0]
            if optional:
                query = wq.AndMaybe(query, wq.Or(optional))
        elif optional:
            query = wq.Or(optional) if len(optional) > 1 else optional[0]
        else:
            query = None
        if query is not None and excluded:
            query = wq.AndNot(query, wq.Or([c.query for c in excluded]))
        return Built(query, tuple(wanted), excluded)

    def _expert(self, text: str) -> Built:
        prepared = self.synonyms.expand(text)
        q = self.expert.parse(prepared)
        if q is wq.NullQuery:
            return Built(None, (), (), True)
        parts = list(q.subqueries) if isinstance(q, wq.Or) else [q]
        negative = [p.query for p in parts if isinstance(p, wq.Not)]
        positive = [p for p in parts if not isinstance(p, wq.Not)]
        if not positive:
            return Built(None, (), (), True)
        query: wq.Query = wq.Or(positive) if len(positive) > 1 else positive[0]
        if negative:
            # Whoosh reads "a NOT b" in an OR group as "a, or anything without b"
            query = wq.AndNot(query, wq.Or(negative))
        # One clause, scored as Whoosh scores it: the query says itself what is required, and
        # Whoosh's parts (one per word and field) are no words to count. No text: a part is
        # nothing the user typed, and is never shown.
        return Built(query, (Clause("", query, None),), (), True)

