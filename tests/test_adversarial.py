"""Every mistake YAML allows, in one project: each is reported with its file, line and a hint,
nothing crashes, and the good records still load, index and search.

The project is the minimal scenario plus hostile files made at test time (some cannot live in
git: a 1 MB file, links to places outside the project, bytes that are not UTF-8).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SCENARIOS
from toolbox import Toolbox
from toolbox.cli import main

GOOD = "title:\n  en: {title}\nsummary:\n  en: {title}, a record that is fine.\n"
METHOD = GOOD + ("audience: [schools]\nsector: [design]\neffort:\n  level: low\npurpose:\n  en: To be found.\n"
                 "steps:\n  - en: One.\n  - en: Two.\n")


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    project = tmp_path / "hostile"
    shutil.copytree(SCENARIOS / "minimal", project)
    m = project / "methods"
    secret = tmp_path / "secret.yaml"  # outside the project
    secret.write_text("title:\n  en: The content of a file outside the project\n", encoding="utf-8")
    _write(m / "syntax-error.yaml", "title:\n  en: [unclosed\nsummary: x\n")
    _write(m / "tab-indented.yaml", "title:\n\ten: Tabbed\n")
    _write(m / "bom-record.yaml", "\ufeff" + METHOD.format(title="Byte order mark survivor"))
    _write(m / "latin1.yaml", b"title:\n  en: Caf" + b"\xe9 Europa\n")
    _write(m / "too-large.yaml", "title:\n  en: " + "x" * 1_000_001 + "\n")
    _write(m / "too-deep.yaml", "title: " + "[" * 60 + "]" * 60 + "\n")
    _write(m / "alias-bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                                  + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
                                            for p, c in zip("abcde", "bcdef", strict=True)))
    _write(m / "python-object.yaml", "title: !!python/object/apply:os.system ['echo pwned']\n")
    _write(m / "wrong-types.yaml", "title: 42\nsummary: [a, list]\naudience: schools\nsector: {design: 1}\n"
                                   "effort: low\npurpose: true\nsteps: one step\nrelated: 7\n")
    _write(m / "unknown-tags.yaml", METHOD.format(title="Unknown tags").replace("[schools]", "[schols, wizards]")
           .replace("[design]", "[desing]"))
    _write(m / "pilots" / "mapping-study.yaml", METHOD.format(title="Same id as a method"))
    _write(m / "cycle-one.yaml", METHOD.format(title="Cycle one") + "related: [cycle-two, cycle-one]\n")
    _write(m / "cycle-two.yaml", METHOD.format(title="Cycle two") + "related: [cycle-one]\n")
    _write(m / "empty.yaml", "")
    _write(m / "only-comment.yaml", "# nothing here yet\n")
    os.symlink(secret, m / "outside-link.yaml")
    os.symlink(tmp_path / "gone.yaml", m / "dangling-link.yaml")
    os.symlink(m / "school-workshop.yaml", m / "regions" / "inside-link.yaml")
    return project


def test_validate_reports_every_case_with_position_and_hint(hostile: Path, monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.chdir(hostile)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 1
    root = hostile.parent
    assert result.stdout.splitlines() == [
        'methods/alias-bomb.yaml:1:32: more than 50,000 YAML nodes (aliases included)',
        '    hint: remove anchors/aliases or split the file',
        'methods/cycle-one.yaml:14:22: warning: related[1]: a record links to itself',
        '    hint: remove this entry',
        f'methods/dangling-link.yaml:1:1: file is a link to {root}/gone.yaml, which does not exist',
        '    hint: remove the link or restore the file it points to',
        'methods/empty.yaml:1:1: file is empty',
        '    hint: fill in the record or delete the file',
        'methods/latin1.yaml:2:10: not valid UTF-8 (byte 0xe9)',
        '    hint: save the file as UTF-8 in your editor',
        'methods/only-comment.yaml:1:1: file holds only comments, no record',
        '    hint: fill in the record below the comments, or delete the file',
        f'methods/outside-link.yaml:1:1: file is a link to {root}/secret.yaml, outside the project; it was not read',
        '    hint: copy the record into the project, or link to a file inside it',
        "methods/pilots/mapping-study.yaml:1:1: duplicate id 'mapping-study': methods/mapping-study.yaml has the same file name",
        '    hint: ids are unique across methods, pilots and regions; rename one file',
        "methods/python-object.yaml:1:8: YAML tag not allowed: '!!python/object/apply:os.system'",
        "    hint: records hold plain data only; remove the '!' tag",
        "methods/regions/inside-link.yaml:1:1: missing required field 'country'",
        "    hint: add 'country:' — iso 3166-1 alpha-2 country code",
        "methods/regions/inside-link.yaml:1:1: missing required field 'description'",
        "    hint: add 'description:' — profile text",
        "methods/regions/inside-link.yaml:1:1: missing required field 'sources'",
        "    hint: add 'sources:' — sources of every factual statement",
        "methods/regions/inside-link.yaml:9:1: effort: unknown field 'effort'",
        '    hint: expected one of: area_km2, audience, country, description, industries, nuts, population, projects, sector, settlement, sources, summary, title, translations',
        "methods/regions/inside-link.yaml:11:1: purpose: unknown field 'purpose'",
        '    hint: expected one of: area_km2, audience, country, description, industries, nuts, population, projects, sector, settlement, sources, summary, title, translations',
        "methods/regions/inside-link.yaml:14:1: steps: unknown field 'steps'",
        '    hint: expected one of: area_km2, audience, country, description, industries, nuts, population, projects, sector, settlement, sources, summary, title, translations',
        "methods/syntax-error.yaml:3:8: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 2)",
        '    hint: check indentation and quoting around this position',
        'methods/tab-indented.yaml:2:1: YAML syntax error: found character that cannot start any token (while scanning for the next token at line 2)',
        '    hint: YAML does not allow tabs for indentation; use spaces',
        'methods/too-deep.yaml:1:48: nesting deeper than 40 levels',
        '    hint: records are a few levels deep; look for runaway brackets or indentation',
        'methods/too-large.yaml:1:1: file is 1,000,015 bytes, more than the limit of 1,000,000',
        '    hint: split the record or move long material to a linked document',
        "methods/unknown-tags.yaml:5:12: audience[0]: unknown audience value 'schols'",
        "    hint: did you mean 'schools'?",
        "methods/unknown-tags.yaml:5:20: audience[1]: unknown audience value 'wizards'",
        '    hint: expected one of: creatives, public-administration, schools',
        "methods/unknown-tags.yaml:6:10: sector[0]: unknown sector value 'desing'",
        "    hint: did you mean 'design'?",
        'methods/wrong-types.yaml:1:8: title: expected one text per language, got a whole number',
        "    hint: write 'en: …' and 'de: …' on indented lines",
        'methods/wrong-types.yaml:2:10: summary: expected one text per language, got a list',
        "    hint: write 'en: …' and 'de: …' on indented lines",
        'methods/wrong-types.yaml:3:11: audience: expected a list, got a text',
        '    hint: write it as a list: [schools]',
        'methods/wrong-types.yaml:4:9: sector: expected a list, got a mapping',
        "    hint: start each item on its own line with '- '",
        'methods/wrong-types.yaml:5:9: effort: expected a mapping of fields, got a text',
        "    hint: write one 'name: value' per line, indented under this key",
        'methods/wrong-types.yaml:6:10: purpose: expected one text per language, got true/false',
        "    hint: write 'en: …' and 'de: …' on indented lines",
        'methods/wrong-types.yaml:7:8: steps: expected a list, got a text',
        "    hint: start each item on its own line with '- '",
        'methods/wrong-types.yaml:8:10: related: expected a list, got a whole number',
        "    hint: start each item on its own line with '- '",
        '',
        '21 files checked: 8 valid records, 29 errors, 1 warning',
    ]


def test_good_records_still_load_index_and_search(hostile: Path) -> None:
    tb = Toolbox.open(hostile)
    assert sorted(tb.catalogue.records) == ["bom-record", "cycle-one", "cycle-two", "demo-pilot", "mapping-study",
                                            "open-factory-day", "school-workshop", "testland"]
    report = tb.build_index()
    assert report.total == 8
    assert [h.id for h in tb.search("survivor", update=False).hits] == ["bom-record"]
    assert [h.id for h in tb.search("cycle", update=False).hits] == ["cycle-one", "cycle-two"]
    # the linked file was never read: no record holds its words (every word counts, so the phrase is
    # searched exactly, as typed)
    result = tb.search('"file outside the project"', update=False, correct=False)
    assert (result.total, result.unmatched) == (0, ('"file outside the project"',))


def test_nothing_crashes_and_nothing_leaks_from_outside(hostile: Path) -> None:
    for args in (["validate"], ["validate", "--json"], ["index"], ["search", "cycle"], ["stats"]):
        proc = subprocess.run([sys.executable, "-m", "toolbox", "--project", str(hostile), *args],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode in (0, 1), (args, proc.stderr)
        assert "Traceback" not in proc.stderr + proc.stdout, args
        assert "The content of a file outside the project" not in proc.stderr + proc.stdout, args
