"""Ranking regression: what users type, and the record they must find in the first three hits.

If a content or engine change moves one of these out of the top three, look at why before
changing the expectation.
"""

from __future__ import annotations

import pytest

from toolbox import Toolbox

CASES: list[tuple[str, str, dict[str, list[str]], str]] = [
    # plain English
    ("vacant factory", "en", {}, "meanwhile-use"),
    ("training for administration staff", "en", {}, "administration-training"),
    ("hackathon with companies", "en", {}, "industrial-hackathon"),
    ("help desk for creative entrepreneurs", "en", {}, "cci-help-desk"),
    ("creative vouchers", "en", {}, "creative-vouchers"),
    ("open factory tours late shift", "en", {}, "industrial-culture-days"),
    ("mapping the creative industries", "en", {}, "cci-mapping-study"),
    ("co-working space", "en", {}, "creative-hub"),
    ("artists and research institutes", "en", {}, "art-science-lab"),
    ("school competition", "en", {}, "school-competition"),
    ("industrial tourism map", "en", {}, "industrial-tourism-map-opolskie"),
    ("mural on a mine tower", "en", {}, "mural-martin-hoop-zwickau"),
    ("study visit", "en", {}, "study-visit"),
    ("policy recommendation", "en", {}, "transnational-policy-recommendation"),
    ("festival of industrial culture", "en", {}, "industrial-culture-festival"),
    ("peer review", "en", {}, "peer-review"),
    ("Karlovy Vary schools", "en", {}, "school-company-cooperation-karlovy-vary"),
    # German, inflected and compound words
    ("Leerstand Zwischennutzung", "de", {}, "meanwhile-use"),
    ("Schulen", "de", {}, "school-company-partnership"),
    ("Schulung für Verwaltungen", "de", {}, "administration-training"),
    ("Workshops für Verwaltungen", "de", {}, "administration-training"),
    ("Werkschau", "de", {}, "werkschau-chemnitz-2021"),
    ("Wanderausstellung", "de", {}, "travelling-exhibition"),
    ("Stadtrundgang", "de", {}, "creative-walk"),
    ("Regionalstrategie", "de", {}, "regional-strategy-paper"),
    ("Kreativgutschein", "de", {}, "creative-vouchers"),
    ("Matchmaking Kreative Industrie", "de", {}, "cross-innovation-matchmaking"),
    ("Tage der Industriekultur", "de", {}, "industrial-culture-days-zwickau"),
    # other partner languages, accents optional
    ("skofja loka", "en", {}, "help-desk-skofja-loka"),
    ("biala", "en", {}, "hackathon-bielsko-biala-linz"),
    ("hackaton", "pl", {}, "industrial-hackathon"),
    ("kreativní centrum", "cs", {}, "creative-hub"),
    ("sportello imprese culturali", "it", {}, "help-desk-network-veneto"),
    # filters only
    ("", "en", {"effort": ["low"], "audience": ["public-administration"], "kind": ["method"]},
     "administration-training"),
    ("", "en", {"sector": ["cultural-tourism"], "kind": ["method"]}, "industrial-tourism-route"),
    ("", "de", {"audience": ["schools"], "effort": ["low"]}, "school-competition"),
    ("", "en", {"region": ["opolskie"], "kind": ["pilot"]}, "industrial-tourism-map-opolskie"),
]


@pytest.mark.parametrize(("query", "lang", "filters", "expected"), CASES,
                         ids=[f"{c[0] or 'filters'}-{c[1]}-{c[3]}" for c in CASES])
def test_expected_record_in_top_three(shipped: Toolbox, query: str, lang: str, filters: dict[str, list[str]],
                                      expected: str) -> None:
    result = shipped.search(query, lang=lang, limit=3, update=False, **filters)
    assert expected in [h.id for h in result.hits], [h.id for h in result.hits]


def test_enough_cases() -> None:
    assert len(CASES) >= 25
    assert sum(1 for c in CASES if c[1] == "de") >= 10
