"""A deterministic synthetic corpus for benchmarks: N valid records shaped like the real ones.

Methods, pilots and regions in roughly the shipped proportions (30 / 55 / 15 %), English and
German texts of realistic length, tags drawn from the shipped vocabulary, and links that
validate (every pilot uses methods and regions that exist, every method lists the pilots that
use it). The same ``n`` and ``seed`` always give the same files.

Words follow Zipf's law, as in real text: a few words occur in most records, most words in a
handful. They are made-up words, one pool per language, chosen so that no two of them share a
stem or a folded form under any analyser of the index and none is a stop word, synonym or tag
label. A query for one of them therefore matches exactly the records that contain it, in the
toolbox and in an engine without stemming alike, which is what lets the benchmark compare hit
sets and facet counts between the two.
"""

from __future__ import annotations

import itertools
import random
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import yaml

from .paths import shipped_project

#: Distinct words per language, drawn with weight 1 / (rank + ZIPF_OFFSET) (Zipf–Mandelbrot): the
#: most frequent word is about 1.4 % of the words, as common content words are in real text.
POOL_SIZE = 12_000
ZIPF_OFFSET = 10
_EN_SYLLABLES = (
    ("b", "br", "c", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "k", "l", "m", "n", "p", "pl", "r", "s",
     "st", "t", "tr", "v", "w"),
    ("a", "e", "i", "o", "u", "ai", "oa", "ee"),
    ("", "n", "r", "l", "m", "t", "nd", "rk", "lt", "mb"),
)
_DE_SYLLABLES = (
    ("b", "br", "d", "f", "g", "gl", "h", "k", "kr", "l", "m", "n", "pf", "r", "sch", "sp", "st", "t", "w",
     "z"),
    ("a", "e", "i", "o", "u", "ä", "ö", "ü", "ei", "au", "ie"),
    ("", "n", "r", "l", "ch", "ng", "tz", "rn", "lt", "nk"),
)
FILLER_EN = "the and of for with a in to by on at from as that which this their its".split()
FILLER_DE = "der die das und mit für von zu im am auf aus bei den dem des eine einer".split()


def _candidates(syllables: tuple[tuple[str, ...], ...], rng: random.Random) -> Iterator[str]:
    parts = ["".join(p) for p in itertools.product(*syllables)]
    while True:
        yield "".join(rng.choices(parts, k=rng.choice((2, 2, 3))))


@cache
def word_pools() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """English-like and German-like words, most frequent first (see the module docstring)."""
    # Imported here: analysis loads Whoosh, which only the benchmark needs, not the corpus reader.
    from .analysis import language_analyzer, plain_analyzer, stopwords
    from .vocabulary import load_vocabulary

    vocab_path = shipped_project() / "methods" / "vocabulary.yaml"
    vocabulary, _ = load_vocabulary(vocab_path, "vocabulary.yaml")
    assert vocabulary is not None
    languages = list(vocabulary.languages)
    analyzers = [plain_analyzer(), *(language_analyzer(lang) for lang in languages)]
    reserved: set[str] = set().union(*(stopwords(lang) for lang in languages))
    for axis in vocabulary.axes.values():
        for term in axis.terms.values():
            for text in [*term.label.values.values(), *term.synonyms]:
                reserved |= {t.text for t in plain_analyzer()(text)}
    for group in vocabulary.synonyms:
        for phrase in group:
            reserved |= {t.text for t in plain_analyzer()(phrase)}
    seen: list[set[str]] = [set() for _ in analyzers]
    apart = _Apart(languages)
    rng = random.Random(20261130)
    pools: list[tuple[str, ...]] = []
    for syllables, capital in ((_EN_SYLLABLES, False), (_DE_SYLLABLES, True)):
        pool: list[str] = []
        for word in _candidates(syllables, rng):
            forms = [[t.text for t in analyzer(word)] for analyzer in analyzers]
            if any(len(f) != 1 for f in forms) or forms[0][0] in reserved:
                continue
            if any(f[0] in s for f, s in zip(forms, seen, strict=True)):
                continue
            terms = {f[0] for f in forms}
            if not apart.admits(forms[0][0], terms):
                continue
            for f, s in zip(forms, seen, strict=True):
                s.add(f[0])
            apart.add(forms[0][0], terms)
            pool.append(word.capitalize() if capital else word)
            if len(pool) == POOL_SIZE:
                break
        pools.append(tuple(pool))
    return pools[0], pools[1]


class _Apart:
    """Keeps the made-up words apart under compound matching (``querybuild``): in a language that
    builds compounds a query word also finds the index words it starts or ends, and the known
    words it splits into. No pool word may start or end another one's term, nor be made of a
    known word and a rest, so that a query still matches exactly the records holding its word."""

    def __init__(self, languages: list[str]) -> None:
        from .morphology import COMPOUNDING
        from .querybuild import MIN_CONTAINED, MIN_PART

        self.languages = languages
        self.compounding = [lang for lang in languages if lang in COMPOUNDING]
        self.min_contained, self.min_part = MIN_CONTAINED, MIN_PART
        self.terms: set[str] = set()  # every term of every pool word
        self.prefixes: set[str] = set()  # heads and tails of those terms, as long as a contained word
        self.suffixes: set[str] = set()

    def _parts(self, folded: str) -> set[str]:
        """What a split of ``folded`` looks up: its heads and tails, and their stems."""
        from .morphology import forms

        out: set[str] = set()
        for cut in range(self.min_part, len(folded) - self.min_part + 1):
            for part in (folded[:cut], folded[cut:]):
                out.add(part)
                out.update(t for lang in self.languages for t in forms(part, lang, index=False))
        return out

    def admits(self, folded: str, terms: set[str]) -> bool:
        if self.compounding and (self._parts(folded) & self.terms):
            return False  # it splits into a known word and a rest
        for term in terms:
            if term in self.prefixes or term in self.suffixes:
                return False  # an earlier word starts or ends with it, or splits into it
            short = self.min_contained
            longest = len(term) - self.min_part + 1  # querybuild looks for words at least this much longer
            if any(term[:n] in self.terms or term[-n:] in self.terms for n in range(short, longest + 1)):
                return False  # it starts or ends with an earlier word
        return True

    def add(self, folded: str, terms: set[str]) -> None:
        self.terms |= terms
        self.prefixes |= self._parts(folded)
        for term in terms:
            for n in range(self.min_contained, len(term)):
                self.prefixes.add(term[:n])
                self.suffixes.add(term[-n:])


@cache
def _cumulative() -> list[float]:
    total, out = 0.0, []
    for rank in range(POOL_SIZE):
        total += 1.0 / (rank + ZIPF_OFFSET)
        out.append(total)
    return out


def _text(rng: random.Random, n_words: int, lang: str) -> str:
    en, de = word_pools()
    words, filler = (en, FILLER_EN) if lang == "en" else (de, FILLER_DE)
    drawn = rng.choices(words, cum_weights=_cumulative(), k=n_words)
    parts, start = [], 0
    while start < n_words:
        k = rng.randint(8, 18)
        sentence = [w if rng.random() < 0.55 else rng.choice(filler) for w in drawn[start:start + k]]
        parts.append(" ".join(sentence).capitalize() + ".")
        start += k
    return " ".join(parts)


def _both(rng: random.Random, n_words: int) -> dict[str, str]:
    return {"en": _text(rng, n_words, "en"), "de": _text(rng, n_words, "de")}


def generate(target: Path, n: int, seed: int = 1) -> Path:
    """Write a project of ``n`` records into ``target`` (which must not exist); return it."""
    rng = random.Random(seed)
    vocab_src = shipped_project() / "methods" / "vocabulary.yaml"
    vocab = yaml.load(vocab_src.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    audience = list(vocab["audience"]["values"])
    sector = list(vocab["sector"]["values"])
    industries = list(vocab["industry"]["values"])
    methods_dir = target / "methods"
    (methods_dir / "pilots").mkdir(parents=True)
    (methods_dir / "regions").mkdir()
    shutil.copy(vocab_src, methods_dir / "vocabulary.yaml")

    n_regions = max(1, round(n * 0.15))
    n_methods = max(1, round(n * 0.30))
    n_pilots = max(0, n - n_regions - n_methods)
    regions = [f"region-{i:05d}" for i in range(n_regions)]
    methods = [f"method-{i:05d}" for i in range(n_methods)]
    pilots = [f"pilot-{i:05d}" for i in range(n_pilots)]
    uses: dict[str, list[str]] = {m: [] for m in methods}
    pilot_data = []
    for pid in pilots:
        used = rng.sample(methods, k=min(len(methods), rng.randint(1, 3)))
        for m in used:
            uses[m].append(pid)
        pilot_data.append((pid, used, rng.sample(regions, k=min(len(regions), rng.randint(1, 2)))))

    def common(title_words: int) -> dict[str, object]:
        return {
            "title": _both(rng, title_words),
            "summary": _both(rng, rng.randint(25, 40)),
            "audience": rng.sample(audience, k=rng.randint(1, 3)),
            "sector": rng.sample(sector, k=rng.randint(1, 2)),
        }

    source = [{"title": "Synthetic benchmark record", "url": "https://example.org/synthetic"}]
    for mid in methods:
        data = common(rng.randint(3, 7))
        data["effort"] = {"level": rng.choice(["low", "medium", "high"]),
                          "budget_eur": {"min": 1000, "max": rng.choice([5000, 20000, 60000])}}
        data["purpose"] = _both(rng, rng.randint(60, 120))
        data["steps"] = [_both(rng, rng.randint(20, 40)) for _ in range(rng.randint(4, 7))]
        data["pitfalls"] = _both(rng, rng.randint(30, 60))
        if uses[mid]:
            data["pilots"] = uses[mid]
        data["sources"] = source
        _write(methods_dir / f"{mid}.yaml", data)
    for pid, used, where in pilot_data:
        data = common(rng.randint(4, 9))
        data.update(region=where, methods=used, project=rng.choice(["inducci", "inducult2"]),
                    description=_both(rng, rng.randint(120, 250)), lessons=_both(rng, rng.randint(30, 60)),
                    sources=source)
        _write(methods_dir / "pilots" / f"{pid}.yaml", data)
    for rid in regions:
        data = {"title": _both(rng, 2), "summary": _both(rng, rng.randint(20, 35)),
                "country": rng.choice(["DE", "AT", "CZ", "PL", "SI", "IT", "BE", "HR"]),
                "population": {"value": rng.randint(20_000, 2_000_000), "year": 2024},
                "industries": rng.sample(industries, k=rng.randint(1, 4)),
                "settlement": rng.choice(["city", "polycentric", "rural-industrial", "large-region"]),
                "description": _both(rng, rng.randint(80, 160)), "sources": source}
        _write(methods_dir / "regions" / f"{rid}.yaml", data)
    return target


def _write(path: Path, data: dict[str, object]) -> None:
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")
