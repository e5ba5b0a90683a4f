"""The shipped content: valid, complete in all eight languages, linked, and searchable as users search."""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

from click.testing import CliRunner

from conftest import REPO
from toolbox import Method, Pilot, Region, Toolbox
from toolbox.cli import main
from toolbox.labels import LANGS
from toolbox.reports import text_fields

LINK = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>\s]+)>|(?<![(<])\bhttps?://[^\s)>\]]+")
NUMBER = re.compile(r"\d+(?:[ .,\u00a0\u202f']\d{3}(?!\d))*")


def test_shipped_content_validates_strictly() -> None:
    """The shipped content's rules live in its project file (methods/project.yaml: every text
    and every vocabulary label in all eight languages) and are checked by validate --strict,
    the same check an editor runs; test_own_toolbox shows that a missing language fails it."""
    result = CliRunner().invoke(main, ["validate", str(REPO), "--strict"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1].endswith("0 errors, 0 warnings")


def test_corpus_size(shipped: Toolbox) -> None:
    kinds = [r.kind for r in shipped.records.values()]
    assert kinds.count("method") >= 30 and kinds.count("pilot") >= 15 and kinds.count("region") == 13


def test_every_partner_region_has_a_profile(shipped: Toolbox) -> None:
    regions = {r.id for r in shipped.records.values() if isinstance(r, Region)}
    assert regions == {"chemnitz", "saxony", "upper-austria", "sokolov-east", "bielsko-biala", "padova",
                       "gorenjska", "limburg", "zwickau-district", "leoben", "karlovy-vary", "sisak-moslavina",
                       "opolskie"}


def test_every_record_has_a_well_formed_source(shipped: Toolbox) -> None:
    for rec in shipped.records.values():
        assert rec.sources, f"{rec.id} has no source"
        for source in rec.sources:
            url = urlparse(source.url)
            assert url.scheme in ("http", "https") and "." in url.netloc and " " not in source.url, \
                (rec.id, source.url)
            assert source.title.strip(), rec.id


def test_no_private_persons_named_where_we_know_them() -> None:
    # names that appear in the research notes; records must name organisations instead. The whole
    # file is read, so every language's text is covered, inflected forms too ("Simića", "Debesa").
    names = ["Debes", "Lamoncha", "Steyer", "Franzobel", "Görmar", "Harfst", "Simić", "Wust"]
    for path in (REPO / "methods").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for name in names:
            assert name not in text, (path.name, name)


def _numbers(text: str) -> set[str]:
    """Every figure of ``text``, whole (4,500 4.500 4 500 are all "4500") and in its groups."""
    found = set()
    for token in NUMBER.findall(text):
        parts = re.split(r"[ .,\u00a0\u202f']", token)
        found |= {"".join(parts), *parts}
    return found


def _added(own: str, english: str) -> list[str]:
    """Figures of a translation that the English lacks. Allowed: a small number the English
    spells out ("ninth-graders" -> "9. tříd"), a decade or century the English writes as a year
    ("1980s" -> "80. let", "1990s" -> "20. stoletja")."""
    mine, theirs = _numbers(own), _numbers(english)
    years = [int(n) for n in theirs if len(n) == 4]
    added = []
    for token in NUMBER.findall(own):
        parts = re.split(r"[ .,\u00a0\u202f']", token)
        if "".join(parts) in theirs or all(p in theirs for p in parts):
            continue
        n = int("".join(parts))
        if n <= 12 or any(str(y).endswith(str(n)) and n % 10 == 0 for y in years) \
                or any(y // 100 + 1 == n for y in years):
            continue
        added.append(token)
    return sorted(set(added)) if mine else []


def test_translations_add_no_link_and_no_number(shipped: Toolbox) -> None:
    """A translation says what the English says: it links to the same pages and brings no figure,
    date or year of its own (a number may become a word, as Italian writes decades)."""
    added = []
    for rec in shipped.records.values():
        for name, text in text_fields(rec):
            english = text.get("en")
            links = {m.group(0) for m in LINK.finditer(english)}
            for lang in LANGS[1:]:
                own = text.get(lang)
                if {m.group(0) for m in LINK.finditer(own)} - links:
                    added.append(f"{rec.id}.{name} [{lang}]: a link the English lacks")
                extra = _added(own, english)
                if extra:
                    added.append(f"{rec.id}.{name} [{lang}]: numbers the English lacks: {sorted(extra)}")
    assert added == []


def test_links_resolve_both_ways(shipped: Toolbox) -> None:
    catalogue = shipped.catalogue
    for rec in catalogue.records.values():
        if isinstance(rec, Pilot):
            assert rec.methods and rec.region
            for mid in rec.methods:
                method = catalogue.records[mid]
                assert isinstance(method, Method) and rec.id in method.pilots
            assert all(isinstance(catalogue.records[r], Region) for r in rec.region)
        if isinstance(rec, Method):
            for pid in rec.pilots:
                pilot = catalogue.records[pid]
                assert isinstance(pilot, Pilot) and rec.id in pilot.methods
            assert all(isinstance(catalogue.records[m], Method) for m in rec.related)
        if isinstance(rec, Region):
            assert catalogue.pilots_in_region(rec.id), f"no pilot in region {rec.id}"


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


def test_every_language_is_complete_and_up_to_date() -> None:
    result = CliRunner().invoke(main, ["--project", str(REPO), "i18n", "--check"])
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    for lang in LANGS[1:]:
        line = next(line for line in lines if line.startswith(f"{lang} "))
        assert line.endswith(" up to date, 0 stale, 0 unstamped, 0 missing"), line


def test_stats_show_every_language_complete() -> None:
    data = json.loads(CliRunner().invoke(main, ["--project", str(REPO), "stats", "--json"]).stdout)
    assert {lang: data["translation"][lang]["percent"] for lang in LANGS} == {lang: 100.0 for lang in LANGS}
    assert data["problems"] == {"errors": 0, "warnings": 0}


def test_every_method_is_complete_enough_to_run(shipped: Toolbox) -> None:
    for rec in shipped.records.values():
        if not isinstance(rec, Method):
            continue
        for name in ("purpose", "when_to_use", "materials", "preconditions", "pitfalls", "results"):
            assert getattr(rec, name).has("en"), (rec.id, name)
        assert len(rec.steps) >= 4, rec.id
        effort = rec.effort
        assert effort and effort.duration.has("en") and effort.budget_eur, rec.id
        assert effort.staff_days or effort.participants, rec.id  # the people it takes
        assert rec.related, rec.id
