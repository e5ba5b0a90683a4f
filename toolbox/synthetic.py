"""A deterministic synthetic corpus for benchmarks: N valid records shaped like the real ones.

Methods, pilots and regions in roughly the shipped proportions (30 / 55 / 15 %), English and
German texts of realistic length drawn from a closed word list, tags drawn from the shipped
vocabulary, and links that validate (every pilot uses methods and regions that exist, every
method lists the pilots that use it). The same ``n`` and ``seed`` always give the same files.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

from .paths import shipped_project

# Words that no stemmer folds into one another and that no vocabulary label or synonym uses,
# so that a one-word query matches the same records in every engine (see the benchmark).
EN_WORDS = (
    "anvil basalt beacon bramble cobalt copper crane dynamo ember falcon foundry furnace garnet "
    "girder granite harbour hopper kettle lantern lathe ledger mallet marble meadow mortar "
    "nickel orchard pewter piston quarry quartz rivet saddle scaffold shuttle smelter spindle "
    "spool tannery timber tinsmith trellis turbine valley velvet vessel walnut wharf willow "
    "winch workbench zinc alder birch cedar chestnut cypress hazel juniper larch linden maple "
    "poplar rowan spruce sycamore yew amber cinder drift estuary fjord glacier heath inlet "
    "lagoon moor peat ridge shoal spring tundra upland"
).split()
DE_WORDS = (
    "Amboss Basaltstein Leuchtfeuer Brombeere Kobaltblau Kupferdraht Hebekran Dynamomaschine "
    "Glutnest Falkenhorst Gießerei Hochofen Granatstein Stahlträger Granitblock Hafenbecken "
    "Schütttrichter Wasserkessel Laterne Drehbank Kassenbuch Holzhammer Marmorplatte Wiese "
    "Mörtelkelle Nickelblech Obstgarten Zinngießer Kolbenring Steinbruch Quarzsand Nietzange "
    "Sattlerei Baugerüst Webschiffchen Schmelzhütte Spindelbank Garnspule Gerberei Bauholz "
    "Blechschmied Rankgitter Dampfturbine Talsohle Samtstoff Frachtkahn Walnussbaum Kaimauer "
    "Weidenkorb Seilwinde Hobelbank Zinkblech Erlenholz Birkenwald Zedernholz Kastanie "
    "Zypresse Haselstrauch Wacholder Lärchenholz Lindenbaum Ahornblatt Pappelallee Eberesche "
    "Fichtenwald Bergahorn Eibenholz Bernstein Schlacke Treibsand Flussmündung Fjordküste "
    "Gletscher Heideland Meeresbucht Lagune Hochmoor Torfstich Bergrücken Sandbank Quelle "
    "Tundra Hochland"
).split()
FILLER_EN = "the and of for with a in to by on at from as that which this their its".split()
FILLER_DE = "der die das und mit für von zu im am auf aus bei den dem des eine einer".split()


def _sentence(rng: random.Random, words: list[str], filler: list[str], n: int) -> str:
    out = [rng.choice(words) if rng.random() < 0.55 else rng.choice(filler) for _ in range(n)]
    return " ".join(out).capitalize() + "."


def _text(rng: random.Random, n_words: int, lang: str) -> str:
    words, filler = (EN_WORDS, FILLER_EN) if lang == "en" else (DE_WORDS, FILLER_DE)
    parts, left = [], n_words
    while left > 0:
        k = min(left, rng.randint(8, 18))
        parts.append(_sentence(rng, words, filler, k))
        left -= k
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
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
