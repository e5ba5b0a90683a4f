"""The shipped content: valid, complete in en and de, linked, and searchable as users search."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import REPO
from toolbox import Method, Pilot, Region, Toolbox
from toolbox.cli import main
from toolbox.reports import text_fields


def test_shipped_content_validates_strictly() -> None:
    result = CliRunner().invoke(main, ["validate", str(REPO), "--strict"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1].endswith("0 errors, 0 warnings")


def test_starter_set_size(shipped: Toolbox) -> None:
    kinds = [r.kind for r in shipped.records.values()]
    assert kinds.count("method") >= 8 and kinds.count("pilot") >= 3 and kinds.count("region") >= 3


def test_every_text_is_complete_in_english_and_german(shipped: Toolbox) -> None:
    missing = [f"{r.id}: {name}" for r in shipped.records.values() for name, text in text_fields(r)
               if not text.has("de")]
    assert missing == []


def test_links(shipped: Toolbox) -> None:
    catalogue = shipped.catalogue
    for rec in catalogue.records.values():
        if isinstance(rec, Pilot):
            assert rec.methods and rec.region
            for mid in rec.methods:
                method = catalogue.records[mid]
                assert isinstance(method, Method) and rec.id in method.pilots
        if isinstance(rec, Region):
            assert catalogue.pilots_in_region(rec.id), f"no pilot in region {rec.id}"
        assert rec.kind == "method" or rec.sources, f"{rec.id} has no sources"


@pytest.mark.parametrize(
    ("query", "lang", "expected_first"),
    [
        ("Workshops für Verwaltungen", "de", "administration-training"),
        ("Schulungen für Verwaltungen", "de", "administration-training"),
        ("Industriekultur", "de", "industrial-culture-days-zwickau"),
        ("skofja loka", "en", "help-desk-skofja-loka"),
        ("Škofja Loka", "en", "help-desk-skofja-loka"),
        ("biala", "en", "hackathon-bielsko-biala-linz"),
        ("hackathon", "en", "industrial-hackathon"),
        ("Hackathons", "de", "hackathon-bielsko-biala-linz"),
    ],
)
def test_users_find_the_right_records(shipped: Toolbox, query: str, lang: str, expected_first: str) -> None:
    result = shipped.search(query, lang=lang, update=False)
    assert result.hits and result.hits[0].id == expected_first, [h.id for h in result.hits]


def test_synonyms_on_shipped_content(shipped: Toolbox) -> None:
    kkw = {h.id for h in shipped.search("KKW", limit=None, update=False).hits}
    cci = {h.id for h in shipped.search("CCI", limit=None, update=False).hits}
    creative = {h.id for h in shipped.search("creative industries", limit=None, update=False).hits}
    assert kkw == cci == creative
    assert len(kkw) >= 10


def test_accents_and_regions(shipped: Toolbox) -> None:
    folded = [h.id for h in shipped.search("bielsko biala", update=False).hits]
    accented = [h.id for h in shipped.search("Bielsko-Biała", update=False).hits]
    assert folded[:2] == accented[:2]
    assert "bielsko-biala" in folded
