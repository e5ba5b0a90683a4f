"""Regions like mine: rank region profiles by similarity and list their pilot actions.

Similarity combines three things a region can compare itself on, each in [0, 1]:

- traditional industries, weight 0.7: how much of *my* industrial profile the other region
  shares. My industries are weighted by their place in my list (1, 1/2, 1/3 …: records list the
  defining industry first); an industry the other region also has counts fully, one of the same
  vocabulary ``group`` (coal mining ~ energy) counts half;
- size: 1 − |log10(population ratio)| / 2, so a tenfold difference scores 0.5 and a hundredfold 0,
  weight 0.2;
- settlement type: 1 when equal, weight 0.1.

A part that one side does not give (no population, say) is left out and the weights of the
others are rescaled, so profiles with less data still rank sensibly. Every score comes with the
reasons a person can check.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import Problem, UsageError, did_you_mean, unknown_values
from .model import Pilot, Region
from .project import Catalogue

WEIGHTS = {"industries": 0.7, "size": 0.2, "settlement": 0.1}


@dataclass(frozen=True)
class RegionProfile:
    """What is known of the region to compare: any part may be missing."""

    population: int | None = None
    industries: tuple[str, ...] = ()
    settlement: str = ""

    @classmethod
    def of(cls, region: Region) -> RegionProfile:
        return cls(region.population.value if region.population else None, region.industries, region.settlement)


@dataclass(frozen=True)
class Similarity:
    region: Region
    score: float
    shared_industries: tuple[str, ...]
    related_industries: tuple[tuple[str, str], ...]  # (mine, theirs) of one group
    size_ratio: float | None
    same_settlement: bool
    reasons: tuple[str, ...]
    pilots: tuple[Pilot, ...]


def parse_population(text: str) -> int:
    """'85000', '85,000', '50000-150000' (a band: its geometric middle) or '350k'."""
    error = UsageError(f"cannot read population '{text}'",
                       [Problem("", 0, 0, "population", f"cannot read population '{text}'",
                                "write a number such as 85000, 350k or a band such as 50000-150000")])
    cleaned = text.replace(",", "").replace("_", "").replace(" ", "").lower()
    values = []
    for part in cleaned.split("-"):
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", part)
        if not match:
            raise error
        values.append(float(match.group(1)) * {"": 1, "k": 1e3, "m": 1e6}[match.group(2)])
    if len(values) > 2 or min(values) <= 0:
        raise error
    return round(math.sqrt(values[0] * values[-1]))


def _size_score(a: int | None, b: int | None) -> tuple[float | None, float | None]:
    if not a or not b:
        return None, None
    ratio = max(a, b) / min(a, b)
    return max(0.0, 1 - math.log10(ratio) / 2), ratio


def similar_regions(catalogue: Catalogue, *, region_id: str | None = None, profile: RegionProfile | None = None,
                    lang: str = "en", limit: int | None = 5) -> list[Similarity]:
    """The other regions, most similar first. Give a region id, a profile, or both (the profile
    then overrides what it sets)."""
    regions = {r.id: r for r in catalogue.of_kind("region") if isinstance(r, Region)}
    base = RegionProfile()
    if region_id is not None:
        if region_id not in regions:
            raise UsageError(f"no region with id '{region_id}'",
                             [Problem("", 0, 0, "region", f"no region with id '{region_id}'",
                                      did_you_mean(region_id, regions))])
        base = RegionProfile.of(regions[region_id])
    if profile is not None:
        base = RegionProfile(profile.population or base.population, profile.industries or base.industries,
                             profile.settlement or base.settlement)
    _check_profile(catalogue, base)
    if not (base.population or base.industries or base.settlement):
        raise UsageError("nothing to compare: give a region id, or --population, --industries or --settlement")

    vocab = catalogue.vocabulary

    def label(axis: str, value: str) -> str:
        return vocab.axes[axis].label_of(value, lang) if vocab and axis in vocab.axes else value

    industry_terms = vocab.axes["industry"].terms if vocab and "industry" in vocab.axes else {}
    # an industry's group, or the industry itself when it has none
    group_of = {value: term.group or value for value, term in industry_terms.items()}
    mine = list(dict.fromkeys(base.industries))
    weights = [1 / (i + 1) for i in range(len(mine))]
    mine_groups = [group_of.get(i, i) for i in mine]
    total = sum(weights)

    # Scores first, reasons only for the regions returned: an export asks this for every region,
    # so the work per other region is kept to set and dict lookups.
    scored = []
    for rid, region in regions.items():
        if rid == region_id:
            continue
        other = RegionProfile.of(region)
        # weighted sum of the parts both sides give, over the sum of their weights
        score, weight = 0.0, 0.0
        shared: list[str] = []
        related: list[tuple[str, str]] = []
        if mine and other.industries:
            kin_of: dict[str, str] = {}
            for o in other.industries:
                kin_of.setdefault(group_of.get(o, o), o)  # the first of each group, as listed
            got = 0.0
            for place, industry, grp in zip(weights, mine, mine_groups, strict=True):
                if industry in other.industries:
                    got += place
                    shared.append(industry)
                elif grp in kin_of:
                    got += place / 2
                    related.append((industry, kin_of[grp]))
            score += WEIGHTS["industries"] * (got / total)
            weight += WEIGHTS["industries"]
        size, ratio = _size_score(base.population, other.population)
        if size is not None and ratio is not None:
            score += WEIGHTS["size"] * size
            weight += WEIGHTS["size"]
        same = bool(base.settlement and base.settlement == other.settlement)
        if base.settlement and other.settlement:
            score += WEIGHTS["settlement"] * (1.0 if same else 0.0)
            weight += WEIGHTS["settlement"]
        scored.append((round(score / weight if weight else 0.0, 3), rid, region, tuple(shared), tuple(related),
                       size, ratio, same))
    scored.sort(key=lambda s: (-s[0], s[1]))

    from .catalogs import format_number
    from .labels import cli_labels

    C = cli_labels(lang)
    results = []
    for score, rid, region, shared_t, related_t, size, ratio, same in scored[:limit] if limit else scored:
        reasons: list[str] = []
        if shared_t:
            reasons.append(C["shared_industries"].format(industries=", ".join(label("industry", i) for i in shared_t)))
        if related_t:
            reasons.append(C["related_industries"].format(pairs=", ".join(
                f"{label('industry', a)} ~ {label('industry', b)}" for a, b in related_t)))
        if size is not None and ratio is not None:
            pop = format_number(region.population.value, lang) if region.population else ""
            if ratio < 1.5:
                reasons.append(C["similar_size"].format(population=pop))
            elif size >= 0.5:
                reasons.append(C["size_within"].format(ratio=format_number(ratio, lang, decimals=1), population=pop))
        if same:
            reasons.append(C["same_settlement"].format(settlement=label("settlement", region.settlement)))
        results.append(Similarity(region, score, shared_t, related_t, ratio, same, tuple(reasons),
                                  tuple(catalogue.pilots_in_region(rid))))
    return results


def _check_profile(catalogue: Catalogue, profile: RegionProfile) -> None:
    vocab = catalogue.vocabulary
    if vocab is None:
        return
    problems = []
    for axis, values in (("industry", profile.industries), ("settlement", (profile.settlement,) if
                                                             profile.settlement else ())):
        known: Sequence[str] = list(vocab.axes[axis].terms) if axis in vocab.axes else []
        problems += unknown_values(axis, values, known)
    if problems:
        raise UsageError(problems[0].message, problems)
