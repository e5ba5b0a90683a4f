"""The interface's gettext catalogues: complete, in step with the code, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from conftest import REPO
from toolbox.catalogs import LOCALE_DIR, catalog_languages, translate
from toolbox.labels import labels_for, web_labels

PLACEHOLDER = re.compile(r"{[^}]*}")
LANGUAGES = ["de", "cs", "pl", "sl", "it", "nl", "hr"]


EXTRACT = ("pybabel extract -F babel.cfg -k N_:1c,2 -k NP_:1c,2,3 --no-default-keywords "
           "-o toolbox/locale/toolbox.pot toolbox")


def _key(message: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    return message if isinstance(message, str) else tuple(message)


def _messages_in_code() -> set[tuple[str, str | tuple[str, ...]]]:
    """(context, English) of every string the code marks with N_ or NP_ (a counted message's
    English is its (singular, plural) pair), as pybabel extract finds them."""
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            str(REPO / "toolbox"), method_map=[("**.py", "python")],
            keywords={"N_": ((1, "c"), 2), "NP_": ((1, "c"), 2, 3)}):
        found.add((context, _key(message)))
    return found


def test_the_template_is_in_step_with_the_code() -> None:
    with (LOCALE_DIR / "toolbox.pot").open("rb") as f:
        template = {(m.context, _key(m.id)) for m in read_po(f) if m.id}
    assert template == _messages_in_code(), "run: " + EXTRACT


def test_every_language_has_a_catalogue() -> None:
    assert set(LANGUAGES) <= set(catalog_languages())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete_and_keeps_placeholders(lang: str) -> None:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "toolbox.po").open("rb") as f:
        catalog = read_po(f)
    code = _messages_in_code()
    messages = {(m.context, _key(m.id)): m for m in catalog if m.id}
    assert set(messages) == code, "run: pybabel update -i toolbox/locale/toolbox.pot -d toolbox/locale -D toolbox"
    untranslated = sorted(f"{c}: {i}" for (c, i), m in messages.items()
                          if not all(_forms(m.string)) or m.fuzzy)
    assert untranslated == [], untranslated
    # every form of a counted message has as many forms as the language's plural rule, each
    # keeping the English placeholders
    counted = [m for m in messages.values() if isinstance(m.id, (tuple, list))]
    assert all(len(m.string) == catalog.num_plurals for m in counted), catalog.num_plurals
    broken = sorted(f"{m.context}: {form}" for m in messages.values() for form in _forms(m.string)
                    if sorted(PLACEHOLDER.findall(_forms(m.id)[-1])) != sorted(PLACEHOLDER.findall(form)))
    assert broken == [], broken


def _forms(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_labels_come_from_the_catalogues() -> None:
    assert labels_for("de")["steps"] == "Schritte" == translate("de", "steps", "Steps")
    assert web_labels("de")["search"] == "Suchen"
    assert labels_for("en")["steps"] == "Steps"
    assert web_labels("xx")["search"] == "Search"  # no catalogue: English


def test_a_checkout_reads_the_po_files_when_no_mo_is_compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import toolbox.catalogs as catalogs

    shutil.copytree(LOCALE_DIR, tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(catalogs, "LOCALE_DIR", tmp_path / "locale")
    catalogs.translations.cache_clear()
    try:
        assert catalogs.translate("de", "web.search", "Search") == "Suchen"
    finally:
        catalogs.translations.cache_clear()
