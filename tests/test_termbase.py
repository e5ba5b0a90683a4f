"""The termbase (methods/terms.yaml) and the checks on source addresses, through `toolbox validate`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from toolbox.cli import main
from toolbox.validate import url_refusal

TERMS = """\
terms:
  open-factory:
    en: {preferred: open factory day, also: [open day], rejected: [factory open day]}
    de: {preferred: Tag der offenen Fabrik, rejected: [Fabriköffnungstag, gelebte Industriekultur]}
    it: {preferred: giornata delle fabbriche aperte}
"""


def validate(project: Path, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["--project", str(project), "validate", *args])
    return result.exit_code, result.output.replace(f"{project}/", "").splitlines()


def test_a_rejected_term_in_a_text_is_a_warning_at_its_position(minimal: Path) -> None:
    (minimal / "methods" / "terms.yaml").write_text(TERMS, encoding="utf-8")
    code, lines = validate(minimal)
    assert code == 0
    assert lines[:2] == [
        "methods/open-factory-day.yaml:7:7: warning: summary.de: 'gelebte Industriekultur' is a term the termbase "
        "rejects in de (open-factory)",
        "    hint: write 'Tag der offenen Fabrik' (methods/terms.yaml)",
    ]
    assert lines[-1] == "5 files checked: 5 valid records, 0 errors, 1 warning"  # terms.yaml is no record
    assert validate(minimal, "--strict")[0] == 1


def test_a_rejected_term_inside_a_longer_word_is_not_reported(minimal: Path) -> None:
    (minimal / "methods" / "terms.yaml").write_text(TERMS.replace("gelebte Industriekultur", "Bühne"),
                                                     encoding="utf-8")
    code, lines = validate(minimal, "--strict")  # "Fabriken werden zu Bühnen" holds "Bühne", not as a word
    assert (code, lines[-1]) == (0, "5 files checked: 5 valid records, 0 errors, 0 warnings")


def test_a_broken_termbase_is_reported_with_positions(minimal: Path) -> None:
    (minimal / "methods" / "terms.yaml").write_text(
        "terms:\n"
        "  Open Factory:\n"
        "    en: {preferred: open day}\n"
        "  open-day:\n"
        "    fr: {preferred: journée portes ouvertes}\n"
        "    en: {preferred: open day, also: [open house], rejected: [Open Day], extra: 1}\n", encoding="utf-8")
    code, lines = validate(minimal)
    assert code == 1
    assert [line for line in lines if line.startswith("methods/terms.yaml")] == [
        "methods/terms.yaml:2:3: terms.Open Factory: 'Open Factory' is not a term id",
        "methods/terms.yaml:5:5: terms.open-day.fr: unknown language 'fr'",
        "methods/terms.yaml:6:62: terms.open-day.en.rejected[0]: 'Open Day' is both accepted and rejected",
        "methods/terms.yaml:6:73: terms.open-day.en.extra: unknown key 'extra'",
    ]


@pytest.mark.parametrize(("url", "message", "hint"), [
    ("https://toolbox.inducci.eu/key-learnings/?doing_wp_cron=1713056075.42",
     "carries a tracking or cache-busting parameter (doing_wp_cron)", "cite it as https://toolbox.inducci.eu/key-learnings/"),
    ("https://example.org/page?id=4&utm_source=news&utm_medium=mail&fbclid=x",
     "carries a tracking or cache-busting parameter (utm_source, utm_medium, fbclid)",
     "cite it as https://example.org/page?id=4"),
    ("https://arietiform.com/application/nph-tsq.cgi/en/20/https/de.wikipedia.org/wiki/Okres_Sokolov",
     "shows a page through a proxy or cache", "cite the page at its own address (the one inside this address)"),
    ("https://ak.bloat.cat/definition?url=https%3A%2F%2Funiversal_lexikon.de-academic.com%2F323245",
     "shows a page through a proxy or cache", "cite the page at its own address (the one inside this address)"),
    ("https://de-wikipedia-org.translate.goog/wiki/Sokolov?_x_tr_sl=de",
     "shows a page through a proxy or cache", "cite the page at its own address (the one inside this address)"),
    ("https://wikimili.com/en/Sokolov_District", "is a copy of a Wikipedia article on another site",
     "cite the article on wikipedia.org, where its history and authors can be checked"),
    ("https://encycloreader.org/r/wikipedia.php?q=Bielsko-Bia%C5%82a",
     "is a copy of a Wikipedia article on another site",
     "cite the article on wikipedia.org, where its history and authors can be checked"),
    ("http://66.228.43.111/en/image/leoben-austria?pano_detail=true", "names its site by a numeric address",
     "cite the page under the site's domain name, so readers can see whose page it is"),
])
def test_proxy_and_tracking_addresses_are_refused(url: str, message: str, hint: str) -> None:
    refused = url_refusal(url)
    assert refused == (f"'{url}' {message}", hint)


@pytest.mark.parametrize("url", [
    "https://leoben.at/?p=6304",  # a WordPress page id is the page
    "https://www.youtube.com/watch?v=abc",
    "https://web.archive.org/web/2021/https://www.inducult.eu/",  # an archive keeps the page: no proxy
    "https://www.interreg-central.eu/Content.Node/InduCCI.html",
])
def test_ordinary_addresses_pass(url: str) -> None:
    assert url_refusal(url) is None


def test_a_tracking_parameter_in_a_record_is_an_error_at_its_position(minimal: Path) -> None:
    record = minimal / "methods" / "pilots" / "demo-pilot.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("url: https://example.org/fixture", "url: https://example.org/fixture?fbclid=1"),
                      encoding="utf-8")
    code, lines = validate(minimal)
    assert code == 1
    assert lines[:2] == [
        "methods/pilots/demo-pilot.yaml:18:10: sources[0].url: 'https://example.org/fixture?fbclid=1' "
        "carries a tracking or cache-busting parameter (fbclid)",
        "    hint: cite it as https://example.org/fixture",
    ]
