"""Facet counts and filters equal a brute-force count over the loaded records."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolbox import Toolbox
from toolbox.documents import tags_of

AXES = ("audience", "sector", "region", "effort", "kind")
QUERIES = ["", "hackathon", "Industriekultur", "Verwaltung", "design", "schools", "museum", "Chemnitz",
           "network", "creative"]


def brute_force(tb: Toolbox, query: str, filters: dict[str, list[str]]) -> tuple[set[str], dict[str, Counter[str]]]:
    catalogue = tb.catalogue
    tags = {rid: tags_of(catalogue, rec) for rid, rec in catalogue.records.items()}
    # which records the text query matches is the engine's business; facets and filters are ours
    base = {h.id for h in tb.search(query, limit=None, update=False).hits} if query else set(tags)

    def passes(rid: str, skip: str | None) -> bool:
        return all(set(values) & set(tags[rid][axis]) for axis, values in filters.items() if axis != skip)

    matched = {rid for rid in base if passes(rid, None)}
    facets = {axis: Counter(v for rid in base if passes(rid, axis) for v in tags[rid][axis]) for axis in AXES}
    return matched, facets


@st.composite
def filter_sets(draw: st.DrawFn, values: dict[str, list[str]]) -> dict[str, list[str]]:
    chosen = {}
    for axis in AXES:
        if values[axis] and draw(st.booleans()):
            chosen[axis] = draw(st.lists(st.sampled_from(values[axis]), min_size=1, max_size=3, unique=True))
    return chosen


def _values(tb: Toolbox) -> dict[str, list[str]]:
    catalogue = tb.catalogue
    out: dict[str, set[str]] = {axis: set() for axis in AXES}
    for rec in catalogue.records.values():
        for axis, vals in tags_of(catalogue, rec).items():
            out[axis] |= set(vals)
    return {axis: sorted(v) for axis, v in out.items()}


def test_facets_match_brute_force_on_shipped_content(shipped: Toolbox) -> None:
    values = _values(shipped)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(query=st.sampled_from(QUERIES), filters=filter_sets(values))
    def check(query: str, filters: dict[str, list[str]]) -> None:
        result = shipped.search(query, limit=None, update=False, **filters)
        matched, facets = brute_force(shipped, query, filters)
        assert {h.id for h in result.hits} == matched
        assert result.total == len(matched)
        for axis in AXES:
            got = {f.value: f.count for f in result.facets[axis] if f.count}
            assert got == dict(facets[axis]), axis
            selected = {f.value for f in result.facets[axis] if f.selected}
            assert selected == set(filters.get(axis, []))

    check()
