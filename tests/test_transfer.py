"""Transfer features: translation status (i18n) and regions like mine (similar)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from toolbox import Toolbox, UsageError
from toolbox.cli import main
from toolbox.similar import parse_population
from toolbox.translations import BLOCK_COMMENT


def run(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--project", str(project), *args])
    return result.exit_code, result.stdout, result.stderr


# --------------------------------------------------------------------------- i18n


def test_editing_english_makes_the_german_translation_stale(minimal: Path) -> None:
    code, out, _ = run(minimal, "i18n", "--lang", "de", "--check")
    assert code == 1
    assert out.splitlines()[0] == "de  19/19 fields translated, 0 up to date, 0 stale, 19 unstamped, 0 missing"
    assert run(minimal, "i18n", "--stamp", "de")[1].startswith("stamped de in 5 records")
    code, out, _ = run(minimal, "i18n", "--lang", "de", "--check")
    assert code == 0
    assert out.splitlines() == ["de  19/19 fields translated, 19 up to date, 0 stale, 0 unstamped, 0 missing"]

    path = minimal / "methods/mapping-study.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Draw the maps.", "Draw the maps by hand."),
                    encoding="utf-8")
    code, out, _ = run(minimal, "i18n", "--lang", "de", "--check")
    assert code == 1
    assert out.splitlines() == [
        "de  19/19 fields translated, 18 up to date, 1 stale, 0 unstamped, 0 missing",
        "  stale     mapping-study                      steps[1]",
    ]
    data = json.loads(run(minimal, "i18n", "--lang", "de", "--json")[1])
    assert data["fields"] == [{"record_id": "mapping-study", "path": "methods/mapping-study.yaml", "lang": "de",
                               "field": "steps[1]", "status": "stale"}]
    # the translator updates German and stamps just that record
    path.write_text(path.read_text(encoding="utf-8").replace("Die Karten zeichnen.", "Die Karten von Hand zeichnen."),
                    encoding="utf-8")
    assert run(minimal, "i18n", "--stamp", "de", "mapping-study")[1].strip() == "stamped de in 1 record: mapping-study"
    assert run(minimal, "i18n", "--lang", "de", "--check")[0] == 0


def test_stamping_rewrites_only_its_block(minimal: Path) -> None:
    path = minimal / "methods/school-workshop.yaml"
    original = path.read_text(encoding="utf-8")
    # a block in the middle of the file, with a comment belonging to the next key
    block = "translations:\n  de:\n    title: '00000000'\n# the purpose\npurpose:"
    path.write_text(original.replace("purpose:", block), encoding="utf-8")
    run(minimal, "i18n", "--stamp", "de", "school-workshop")
    text = path.read_text(encoding="utf-8")
    assert text.count("translations:") == 1 and "00000000" not in text
    assert f"{BLOCK_COMMENT}\ntranslations:\n  de:\n    title: " in text
    assert "# the purpose\npurpose:" in text
    assert text.startswith(original.split("purpose:")[0])
    # stamping again changes nothing
    assert run(minimal, "i18n", "--stamp", "de", "school-workshop")[1].strip() == "stamped de in 0 records"
    assert run(minimal, "validate", "--strict")[0] == 0


def test_bad_stamps_are_reported(minimal: Path) -> None:
    path = minimal / "methods/school-workshop.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "translations:\n  de:\n    title: xyz\n    purpos: '12345678'\n"
                    "  fr:\n    title: 12345678\n", encoding="utf-8")
    code, out, _ = run(minimal, "validate")
    assert code == 1
    lines = [line for line in out.splitlines() if "school-workshop" in line]
    assert lines == [
        f"{minimal}/methods/school-workshop.yaml:19:12: translations.de.title: expected an 8-character hash, "
        "got 'xyz'",
        f"{minimal}/methods/school-workshop.yaml:21:3: translations.fr: unknown language 'fr'",
    ]


def test_unknown_language_for_i18n(minimal: Path) -> None:
    code, _, err = run(minimal, "i18n", "--lang", "ge")
    assert code == 2 and "hint: did you mean 'de'?" in err


# --------------------------------------------------------------------------- similar


MINING_ENERGY = {"coal-mining", "ore-mining", "energy"}


def test_similar_sokolov_ranks_mining_and_energy_regions_first(shipped: Toolbox) -> None:
    results = shipped.similar("sokolov-east", limit=None)
    ranked = [s.region.id for s in results]
    mining = {s.region.id for s in results if MINING_ENERGY & set(s.region.industries)}
    assert set(ranked[: len(mining)]) == mining, ranked
    assert ranked[0] == "karlovy-vary"
    assert results[0].reasons[0].startswith("shared industries: Coal and lignite mining, Energy")
    leoben = next(s for s in results if s.region.id == "leoben")
    assert ("coal-mining", "ore-mining") in leoben.related_industries


def test_similar_cli_says_why(shipped: Toolbox) -> None:
    result = CliRunner().invoke(main, ["--project", str(shipped.project), "similar", "sokolov-east", "-n", "2"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Regions like Sokolov-East Microregion"
    assert lines[2].startswith(" 1. Karlovy Vary region (KSMAS KK)  (karlovy-vary, score ")
    assert lines[3].startswith("      - shared industries: ")
    assert any(line.startswith("      pilot action: ") for line in lines)


def test_similar_profile_and_errors(shipped: Toolbox) -> None:
    results = shipped.similar(industries=["steel"], settlement="polycentric", limit=2)
    assert all("steel" in s.shared_industries for s in results)
    with pytest.raises(UsageError) as info:
        shipped.similar("sokolov")
    assert info.value.problems[0].hint == "did you mean 'sokolov-east'?"
    with pytest.raises(UsageError):
        shipped.similar()
    assert parse_population("350k") == 350_000
    assert parse_population("50,000-200,000") == 100_000
    with pytest.raises(UsageError):
        parse_population("many")


def test_stamp_for_a_field_that_does_not_exist_is_a_warning(minimal: Path) -> None:
    path = minimal / "methods/school-workshop.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "translations:\n  de:\n    purpos: '12345678'\n",
                    encoding="utf-8")
    code, out, _ = run(minimal, "validate")
    assert code == 0
    assert out.splitlines()[0] == (f"{minimal}/methods/school-workshop.yaml:19:5: warning: translations.de.purpos: "
                                   "'purpos' is not a text field of this record")


def test_stamping_a_broken_record_says_so(minimal: Path) -> None:
    path = minimal / "methods/school-workshop.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("level: high", "level: huge"), encoding="utf-8")
    code, _, err = run(minimal, "i18n", "--stamp", "de", "school-workshop")
    assert code == 2
    assert err.strip() == "Error: record 'school-workshop' has errors; fix them first (toolbox validate)"


def test_similar_regions_scores_and_reasons_on_the_shipped_content() -> None:
    """Pinned so that a change in the scoring shows up here: shared industries count by their
    place in my list, one of the same group half; size by the log of the population ratio."""
    tb = Toolbox.open(REPO)
    got = [(s.region.id, s.score, s.shared_industries, s.related_industries, s.reasons)
           for s in tb.similar("bielsko-biala", limit=None)]
    assert got[:3] == [
        ("zwickau-district", 0.868, ("textiles", "automotive", "electrical"), (),
         ("shared industries: Textiles, Automotive, Electrical engineering and electronics",
          "size within a factor of 2.1 (350,000 inhabitants)")),
        ("saxony", 0.795, ("textiles", "automotive"), (("electrical", "automotive"),),
         ("shared industries: Textiles, Automotive",
          "related industries: Electrical engineering and electronics ~ Automotive")),
        ("opolskie", 0.759, ("textiles", "automotive"), (("electrical", "automotive"),),
         ("shared industries: Textiles, Automotive",
          "related industries: Electrical engineering and electronics ~ Automotive",
          "size within a factor of 6.0 (1,000,000 inhabitants)")),
    ]
    # a limit cuts the same ranking; reasons are worked out only for what is returned
    assert [(s.region.id, s.score, s.reasons) for s in tb.similar("bielsko-biala", limit=3)] == [
        (g[0], g[1], g[4]) for g in got[:3]]
    assert [s.region.id for s in tb.similar("bielsko-biala", lang="de", limit=1)] == ["zwickau-district"]
