"""``toolbox validate`` end to end, on scenario projects with planted problems.

``tests/scenarios/broken`` plants every kind of problem the validator must report, one or a few
per file, next to a few valid records (so references can be checked). Each expected line below
was counted by hand against the scenario files (lines and columns are 1-based); the comment
above each group names what is planted where.

``tests/scenarios/warnings_only`` is valid except for one method↔pilot link written on one
side only.

The exact YAML syntax messages are libyaml's: the toolbox parses with ``CSafeLoader`` when
PyYAML has it (as every PyYAML wheel does).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from toolbox.cli import main
from toolbox.errors import Problem

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "tests" / "scenarios"
BROKEN = SCENARIOS / "broken"
WARNINGS_ONLY = SCENARIOS / "warnings_only"

needs_libyaml = pytest.mark.skipif(
    not getattr(yaml, "__with_libyaml__", False),
    reason="exact YAML syntax messages are those of libyaml (yaml.CSafeLoader)",
)

# (first line, hint or None) for every problem of tests/scenarios/broken, in the printed order
# (sorted by path, line, column, field, message). Paths are relative to the scenario folder,
# which is the working folder when the command runs.
BROKEN_EXPECTED: list[tuple[str, str | None]] = [
    # a file name that is not a valid id: the file is not read at all, so no line:col
    ("methods/Bad Name.yaml:1:1: file name 'Bad Name.yaml' is not a valid record id",
     "rename it to bad-name.yaml (lower-case letters, digits, hyphens)"),
    # a YAML file outside methods/, methods/pilots/, methods/regions/
    ("methods/drafts/old-idea.yaml:1:1: warning: file is ignored: not in a record folder",
     "records go in methods/, methods/pilots/ or methods/regions/"),
    # 'summary:' at line 3 and again at line 12, column 1
    ("methods/duplicate-key.yaml:12:1: summary: duplicate key (first given at line 3)",
     "remove one of the two; YAML keeps only the last"),
    # a file of 0 bytes
    ("methods/empty.yaml:1:1: file is empty",
     "fill in the record or delete the file"),
    # the file is a YAML list starting at line 1, column 1
    ("methods/list-file.yaml:1:1: the file holds a list, not a mapping of fields",
     "a record starts with 'title:' at the left margin"),
    # line 15 '  - idea-workshp': the item starts at column 5
    ("methods/market-day.yaml:15:5: related[0]: no method with id 'idea-workshp'",
     "did you mean 'idea-workshop'?"),
    # no 'summary:' (the key is misspelt 'sumary:' at line 3) and no 'steps:'; a missing field is
    # reported at the start of the record, 1:1
    ("methods/missing-fields.yaml:1:1: missing required field 'steps'",
     "add 'steps:' — steps a trainer can follow, in order"),
    # 'summary' is missing too, but the misspelt 'sumary' below already says so: reported once
    ("methods/missing-fields.yaml:3:1: sumary: unknown field 'sumary'",
     "did you mean 'summary'?"),
    # line 2 is '  en: Caf' + byte 0xe9 (Latin-1 'é'): 9 characters, then the bad byte at column 10
    ("methods/not-utf8.yaml:2:10: not valid UTF-8 (byte 0xe9)",
     "save the file as UTF-8 in your editor"),
    # pilot -> region and pilot -> method references, items at column 5 of lines 8, 10 and 11
    ("methods/pilots/bad-links.yaml:8:5: region[0]: no region with id 'chemnits'",
     "did you mean 'chemnitz'?"),
    ("methods/pilots/bad-links.yaml:10:5: methods[0]: no method with id 'idea-workshoop'",
     "did you mean 'idea-workshop'?"),
    ("methods/pilots/bad-links.yaml:11:5: methods[1]: 'chemnitz' is a region, not a method",
     "move it to 'region:'"),
    # '  start: 21.03.2021' (value at column 10) and '  end: 2021-13' (value at column 8: there is
    # no month 13)
    ("methods/pilots/bad-links.yaml:13:10: period.start: expected a date as YYYY, YYYY-MM or YYYY-MM-DD, "
     "got '21.03.2021'",
     "for example 2020-09 or 2021-03-26"),
    ("methods/pilots/bad-links.yaml:14:8: period.end: expected a date as YYYY, YYYY-MM or YYYY-MM-DD, "
     "got '2021-13'",
     "for example 2020-09 or 2021-03-26"),
    # '    url: www.example.org': value at column 10
    ("methods/pilots/bad-links.yaml:19:10: sources[0].url: 'www.example.org' is not a full http(s):// address",
     "write the whole address, starting with https://"),
    # same file name as methods/market-day.yaml; methods/ is read first, so this one is the duplicate
    ("methods/pilots/market-day.yaml:1:1: duplicate id 'market-day': methods/market-day.yaml has the same file name",
     "ids are unique across methods, pilots and regions; rename one file"),
    # methods/bom-method.yaml lists this pilot; its 'methods:' (line 9) does not list the method back
    ("methods/pilots/workshop-chemnitz.yaml:9:1: warning: methods: method 'bom-method' lists this pilot but "
     "it is not listed here",
     "add 'bom-method' to methods:"),
    # 'title: !!python/object:os.system': the tag starts at column 8
    ("methods/python-tag.yaml:1:8: YAML tag not allowed: '!!python/object:os.system'",
     "records hold plain data only; remove the '!' tag"),
    # '  value: about 250,000': value at column 10
    ("methods/regions/bad-population.yaml:7:10: population.value: expected a whole number, got a text",
     "write digits only, without separators"),
    # 'audience: [schools, creatives' is never closed on line 3; libyaml notices at the ':' of
    # 'sector:' (line 4, column 7)
    ("methods/syntax-bracket.yaml:4:7: YAML syntax error: did not find expected ',' or ']' "
     "(while parsing a flow sequence at line 3)",
     "check indentation and quoting around this position"),
    # ' de: …' is indented by one space under '  en: …'
    ("methods/syntax-indent.yaml:3:2: YAML syntax error: did not find expected key "
     "(while parsing a block mapping at line 1)",
     "check indentation and quoting around this position"),
    # line 2 is '\ten: …': a tab at column 1
    ("methods/tab-indent.yaml:2:1: YAML syntax error: found character that cannot start any token "
     "(while scanning for the next token at line 2)",
     "YAML does not allow tabs for indentation; use spaces"),
    # title.en is "" (key at 2:3), summary has only 'de:' (key at 4:1), purpose has 'ge:' (key at 11:3)
    ("methods/texts.yaml:2:3: title.en: English text is empty",
     "write the English text"),
    ("methods/texts.yaml:4:1: summary: English text is missing",
     "add 'en: …'; English is required"),
    ("methods/texts.yaml:11:3: purpose.ge: unknown language 'ge'",
     "did you mean 'de'?"),
    # list items at column 5 of lines 6 and 7; 'sector: [desgin]' item at column 10;
    # '  level: extreme' value at column 10
    ("methods/unknown-tags.yaml:6:5: audience[0]: unknown audience value 'public-adminstration'",
     "did you mean 'public-administration'?"),
    ("methods/unknown-tags.yaml:7:5: audience[1]: expected an audience value, got a whole number",
     None),
    ("methods/unknown-tags.yaml:8:10: sector[0]: unknown sector value 'desgin'",
     "did you mean 'design'?"),
    ("methods/unknown-tags.yaml:10:10: effort.level: unknown effort value 'extreme'",
     "expected one of: high, low, medium"),
    # '  en: Ideas: a workshop': the second ':' is at column 12
    ("methods/unquoted-colon.yaml:2:12: YAML syntax error: mapping values are not allowed in this context",
     "a value containing ': ' must be quoted, e.g. title: \"Ideas: a workshop\""),
    # 'summary: Just one …' (10), 'audience: schools' (11), 'sector: [design, 3]' (18),
    # '  staff_days: many' (15), '  participants: {min: 40, max: 12}' (17), '  de: true' (7)
    ("methods/wrong-types.yaml:3:10: summary: expected one text per language, got a single text",
     "write it as:  en: 'Just one text for every language'"),
    ("methods/wrong-types.yaml:4:11: audience: expected a list, got a text",
     "write it as a list: [schools]"),
    ("methods/wrong-types.yaml:5:18: sector[1]: expected a sector value, got a whole number",
     None),
    ("methods/wrong-types.yaml:8:15: effort.staff_days: expected a number or {min, max}, got a text",
     "write digits without units or separators, e.g. 5000 or {min: 5000, max: 20000}"),
    ("methods/wrong-types.yaml:9:17: effort.participants: min (40) is greater than max (12)",
     "swap the two values"),
    ("methods/wrong-types.yaml:12:7: purpose.de: expected a text, got true/false",
     "quote the text, or use '|' for several lines"),
]

# 16 files in methods/ (not 'Bad Name.yaml', not vocabulary.yaml, not drafts/), 3 pilots, 2 regions.
# Valid: idea-workshop, bom-method (UTF-8 with BOM), market-day (its broken link does not stop the
# record from loading), pilots/workshop-chemnitz, regions/chemnitz.
BROKEN_SUMMARY = "21 files checked: 5 valid records, 34 errors, 2 warnings"
BROKEN_VALID_FILES = (
    "methods/idea-workshop.yaml",
    "methods/bom-method.yaml",
    "methods/regions/chemnitz.yaml",
)

WARNINGS_ONLY_EXPECTED = [
    # festival-crimmitschau lists street-festival under methods:, but street-festival's 'pilots:'
    # (line 19) lists only festival-zwickau
    ("methods/street-festival.yaml:19:1: warning: pilots: pilot 'festival-crimmitschau' uses this method "
     "but is not listed here",
     "add 'festival-crimmitschau' to pilots:"),
]
WARNINGS_ONLY_SUMMARY = "4 files checked: 4 valid records, 0 errors, 1 warning"


# --------------------------------------------------------------------------- helpers


def _invoke(args: list[str]) -> Result:
    result = CliRunner().invoke(main, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"toolbox {' '.join(args)} raised {result.exception!r}\n{result.output}") \
            from result.exception
    return result


def _entries(output: str) -> list[tuple[str, str | None]]:
    """Problems of a validate run as (first line, hint) pairs, without the summary."""
    entries: list[tuple[str, str | None]] = []
    for line in output.splitlines():
        if line.startswith("    hint: "):
            assert entries and entries[-1][1] is None, f"stray hint line: {line!r}"
            entries[-1] = (entries[-1][0], line.removeprefix("    hint: "))
        elif line.strip() and not re.match(r"^\d+ files? checked: ", line):
            entries.append((line, None))
    return entries


def _summary(output: str) -> str:
    return output.rstrip("\n").splitlines()[-1]


@pytest.fixture(autouse=True)
def _no_project_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOOLBOX_PROJECT", raising=False)
    monkeypatch.delenv("TOOLBOX_INDEX", raising=False)


@pytest.fixture(scope="module")
def broken_run() -> Iterator[Result]:
    """``toolbox validate /abs/path/to/broken`` run from inside the scenario folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("TOOLBOX_PROJECT", raising=False)
        mp.chdir(BROKEN)
        yield _invoke(["validate", str(BROKEN)])


# --------------------------------------------------------------------------- the broken scenario


@needs_libyaml
def test_broken_scenario_prints_every_problem_in_order(broken_run: Result) -> None:
    assert [head for head, _ in _entries(broken_run.output)] == [head for head, _ in BROKEN_EXPECTED]


@needs_libyaml
@pytest.mark.parametrize(("head", "hint"), BROKEN_EXPECTED, ids=[h.split(": ", 1)[0] for h, _ in BROKEN_EXPECTED])
def test_broken_scenario_problem(broken_run: Result, head: str, hint: str | None) -> None:
    """Each planted problem on its own: exact first line and exact hint (None: no hint line)."""
    entries = dict(_entries(broken_run.output))
    assert head in entries, f"not reported: {head}\n--- output ---\n{broken_run.output}"
    assert entries[head] == hint


def test_broken_scenario_exit_code_and_summary(broken_run: Result) -> None:
    assert broken_run.exit_code == 1
    assert _summary(broken_run.output) == BROKEN_SUMMARY
    assert broken_run.output.endswith("\n\n" + BROKEN_SUMMARY + "\n")
    assert "Traceback" not in broken_run.output


def test_valid_files_of_broken_scenario_are_not_reported(broken_run: Result) -> None:
    """The valid records, the UTF-8 file with a byte-order mark among them, get no problem at all.

    In particular the reference ``related: [market-day]`` in idea-workshop.yaml is right: the
    record market-day is the method in methods/; the duplicate file name in methods/pilots/ is
    reported on its own and is not read.
    """
    for path in BROKEN_VALID_FILES:
        assert not [line for line in broken_run.output.splitlines() if line.startswith(path)], path


def test_every_printed_path_is_relative_to_the_working_folder(broken_run: Result) -> None:
    for head, _ in _entries(broken_run.output):
        assert head.startswith("methods/"), head
        assert re.match(r"^methods/[^:]+\.yaml(:\d+:\d+)?: ", head), head


@needs_libyaml
def test_project_option_gives_the_same_report(monkeypatch: pytest.MonkeyPatch, broken_run: Result) -> None:
    monkeypatch.chdir(BROKEN)
    result = _invoke(["--project", str(BROKEN), "validate"])
    assert result.exit_code == 1
    assert result.output == broken_run.output


def test_methods_folder_as_path_gives_the_same_report(monkeypatch: pytest.MonkeyPatch,
                                                       broken_run: Result) -> None:
    monkeypatch.chdir(BROKEN)
    result = _invoke(["validate", str(BROKEN / "methods")])
    assert result.exit_code == 1
    assert result.output == broken_run.output


def test_paths_are_shown_from_the_working_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = _invoke(["validate", "tests/scenarios/broken"])
    assert result.exit_code == 1
    heads = [head for head, _ in _entries(result.output)]
    assert len(heads) == len(BROKEN_EXPECTED)
    assert all(h.startswith("tests/scenarios/broken/methods/") for h in heads), heads
    assert "tests/scenarios/broken/methods/empty.yaml:1:1: file is empty" in heads


def test_subprocess_run_has_no_traceback_and_same_output(broken_run: Result) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TOOLBOX_PROJECT", "TOOLBOX_INDEX")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "toolbox", "validate", str(BROKEN)],
        cwd=BROKEN, env=env, capture_output=True, text=True, encoding="utf-8", timeout=60,
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr == ""
    assert proc.returncode == 1
    assert proc.stdout == broken_run.output
    assert "\x1b[" not in proc.stdout  # no colour codes when not writing to a terminal


# --------------------------------------------------------------------------- --json


@pytest.fixture(scope="module")
def broken_json() -> dict[str, object]:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("TOOLBOX_PROJECT", raising=False)
        mp.chdir(BROKEN)
        result = _invoke(["validate", "--json", str(BROKEN)])
    assert result.exit_code == 1
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_json_shape(broken_json: dict[str, object]) -> None:
    assert set(broken_json) == {"project", "records", "files", "errors", "warnings", "stale", "problems"}
    assert broken_json["project"] == str(BROKEN.resolve())
    assert (broken_json["files"], broken_json["records"], broken_json["errors"], broken_json["warnings"]) == (
        21, 5, 34, 2)
    problems = broken_json["problems"]
    assert isinstance(problems, list)
    for p in problems:
        assert set(p) == {"path", "line", "column", "field", "message", "hint", "severity"}
        assert isinstance(p["line"], int) and isinstance(p["column"], int)
        assert p["severity"] in ("error", "warning")
        assert isinstance(p["hint"], str) and isinstance(p["field"], str)
    assert sum(p["severity"] == "error" for p in problems) == broken_json["errors"]
    assert sum(p["severity"] == "warning" for p in problems) == broken_json["warnings"]


def test_json_problem_without_position(broken_json: dict[str, object]) -> None:
    problems = broken_json["problems"]
    assert isinstance(problems, list)
    assert problems[0] == {
        "path": "methods/Bad Name.yaml", "line": 1, "column": 1, "field": "",
        "message": "file name 'Bad Name.yaml' is not a valid record id",
        "hint": "rename it to bad-name.yaml (lower-case letters, digits, hyphens)", "severity": "error",
    }
    dup = next(p for p in problems if p["path"] == "methods/duplicate-key.yaml")
    assert dup == {
        "path": "methods/duplicate-key.yaml", "line": 12, "column": 1, "field": "summary",
        "message": "duplicate key (first given at line 3)",
        "hint": "remove one of the two; YAML keeps only the last", "severity": "error",
    }


@needs_libyaml
def test_json_holds_the_same_problems_as_the_text(broken_json: dict[str, object]) -> None:
    problems = broken_json["problems"]
    assert isinstance(problems, list)
    shown = []
    for p in problems:
        head, _, hint = Problem(**p).format().partition("\n    hint: ")
        shown.append((head, hint or None))
    assert shown == BROKEN_EXPECTED


def test_json_problems_match_text_output(broken_json: dict[str, object], broken_run: Result) -> None:
    """Whatever the library reports, --json and the text say the same (independent of bugs above)."""
    problems = broken_json["problems"]
    assert isinstance(problems, list)
    from_json = []
    for p in problems:
        head, _, hint = Problem(**p).format().partition("\n    hint: ")
        from_json.append((head, hint or None))
    assert from_json == _entries(broken_run.output)


# --------------------------------------------------------------------------- warnings only


def test_warnings_only_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(WARNINGS_ONLY)
    result = _invoke(["validate", str(WARNINGS_ONLY)])
    assert result.exit_code == 0, result.output
    assert _entries(result.output) == WARNINGS_ONLY_EXPECTED
    assert _summary(result.output) == WARNINGS_ONLY_SUMMARY


def test_warnings_only_strict_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(WARNINGS_ONLY)
    result = _invoke(["validate", "--strict", str(WARNINGS_ONLY)])
    assert result.exit_code == 1, result.output
    assert _entries(result.output) == WARNINGS_ONLY_EXPECTED
    assert _summary(result.output) == WARNINGS_ONLY_SUMMARY


def test_warnings_only_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(WARNINGS_ONLY)
    result = _invoke(["validate", "--json", str(WARNINGS_ONLY)])
    assert result.exit_code == 0
    payload = json.loads(result.output)
    assert (payload["files"], payload["records"], payload["errors"], payload["warnings"]) == (4, 4, 0, 1)
    assert payload["problems"] == [{
        "path": "methods/street-festival.yaml", "line": 19, "column": 1, "field": "pilots",
        "message": "pilot 'festival-crimmitschau' uses this method but is not listed here",
        "hint": "add 'festival-crimmitschau' to pilots:", "severity": "warning",
    }]
    strict = _invoke(["validate", "--json", "--strict", str(WARNINGS_ONLY)])
    assert strict.exit_code == 1
    assert json.loads(strict.output) == payload


# --------------------------------------------------------------------------- usage errors


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = _invoke(["validate", str(tmp_path / "no-such-folder")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_file_instead_of_folder_is_a_usage_error() -> None:
    result = _invoke(["validate", str(BROKEN / "methods" / "idea-workshop.yaml")])
    assert result.exit_code == 2
    assert "is a file" in result.output


def test_unknown_option_is_a_usage_error() -> None:
    result = _invoke(["validate", "--bogus"])
    assert result.exit_code == 2
    assert "No such option" in result.output and "--bogus" in result.output


# --------------------------------------------------------------------------- shipped content


def test_shipped_content_validates_without_crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs on the real content; whether it is clean is another test's business."""
    monkeypatch.chdir(REPO)
    result = _invoke(["validate", str(REPO)])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert re.fullmatch(r"\d+ files? checked: \d+ valid records?, \d+ errors?, \d+ warnings?",
                        _summary(result.output)), result.output
    for head, _ in _entries(result.output):
        assert re.match(r"^methods/[^:]+\.yaml(:\d+:\d+)?: ", head), head
    as_json = _invoke(["validate", "--json", str(REPO)])
    assert as_json.exit_code == result.exit_code
    assert json.loads(as_json.output)["project"] == str(REPO)


# --------------------------------------------------------------------------- problems found elsewhere


def _project(root: Path, files: dict[str, str]) -> Path:
    """A small project under ``root`` with the scenario vocabulary and ``files`` (path -> text)."""
    (root / "methods").mkdir(parents=True)
    shutil.copy(BROKEN / "methods" / "vocabulary.yaml", root / "methods" / "vocabulary.yaml")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


PILOT_WITH_DATE = """\
title:
  en: A pilot
summary:
  en: Its start date does not exist.
audience: [schools]
sector: [design]
region: [chemnitz]
methods: [idea-workshop]
period:
  start: 2021-02-30
description:
  en: Something was done.
sources:
  - title: Report
    url: https://example.org/report
"""


def test_impossible_date_is_reported_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """YAML reads 2021-02-30 as a timestamp; 30 February must be a problem at 10:10, not a traceback."""
    project = _project(tmp_path / "project", {"methods/pilots/date-pilot.yaml": PILOT_WITH_DATE})
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["validate", str(project)])
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    assert result.exit_code == 1
    lines = [h for h, _ in _entries(result.output)
             if h.startswith("methods/pilots/date-pilot.yaml:10:10: ")]
    assert lines and "2021-02-30" in lines[0], result.output


def test_ignored_file_is_reported_even_under_a_hidden_parent_folder(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Only folders inside the project that start with '.' or '_' are skipped, not the folders
    that happen to hold the project (such as ~/.local/… or a CI workspace under /_work/)."""
    files = {"methods/drafts/idea.yaml": "title:\n  en: Draft\n", "methods/_archive/old.yaml": "title: x\n",
             "methods/.trash/gone.yaml": "title: x\n"}
    for parent in ("plain", ".hidden", "_underscore"):
        project = _project(tmp_path / parent / "project", files)
        monkeypatch.chdir(project)
        result = _invoke(["validate", str(project)])
        assert _entries(result.output) == [
            ("methods/drafts/idea.yaml:1:1: warning: file is ignored: not in a record folder",
             "records go in methods/, methods/pilots/ or methods/regions/"),
        ], parent


REGION_NO = """\
title:
  en: Norway
summary:
  en: The country code NO is read by YAML 1.1 as false.
country: NO
description:
  en: A country.
sources:
  - title: Statistics Norway
    url: https://www.ssb.no
"""


def test_country_no_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``country: NO`` is a boolean to YAML 1.1. Either it is taken as the text 'NO', or the
    problem says to quote it; 'expected a text, got true/false' alone leaves a user puzzled."""
    project = _project(tmp_path / "project", {"methods/regions/norway.yaml": REGION_NO})
    monkeypatch.chdir(project)
    result = _invoke(["validate", str(project)])
    country = [(h, hint) for h, hint in _entries(result.output) if ": country: " in h]
    if country:
        head, hint = country[0]
        assert head.startswith("methods/regions/norway.yaml:5:10: country: "), head
        assert hint is not None and "quot" in hint.lower(), (head, hint)


def test_bad_links_beyond_the_limit_are_counted_not_listed(tmp_path: Path) -> None:
    """Found with the fuzzing work (docs/reliability.md): a pilot naming 40,000 methods that
    do not exist spent 7 s on "did you mean" hints; a file lists at most 200 problems."""
    from toolbox.project import load_catalogue
    from toolbox.validate import MAX_PROBLEMS_PER_FILE

    ids = ", ".join(f"m{i}" for i in range(MAX_PROBLEMS_PER_FILE + 50))
    pilot = PILOT_WITH_DATE.replace("2021-02-30", "2021-02").replace("[idea-workshop]", f"[{ids}]")
    project = _project(tmp_path / "project", {"methods/pilots/many-links.yaml": pilot})
    mine = [p for p in load_catalogue(project).problems if p.path == "methods/pilots/many-links.yaml"]
    links = [p for p in mine if p.field.startswith(("methods[", "region["))]  # region 'chemnitz' is missing too
    assert len(links) == MAX_PROBLEMS_PER_FILE
    (rest,) = [p for p in mine if "not listed" in p.message]
    assert (rest.message, rest.severity) == ("51 more problems from here on, not listed", "error")
    assert (rest.line, rest.column) == (8, pilot.splitlines()[7].index(f"m{MAX_PROBLEMS_PER_FILE - 1},") + 1)


def test_file_name_that_is_not_utf8_is_printed_not_a_traceback(tmp_path: Path) -> None:
    """Found with the fuzzing work (docs/reliability.md): the name reaches Python as a lone
    surrogate ('caf\\udce9.yaml'), and printing the problem about it to a strict UTF-8 stdout
    (PYTHONIOENCODING=utf-8, click's test runner) raised UnicodeEncodeError."""
    project = tmp_path / "project"
    shutil.copytree(SCENARIOS / "minimal", project)
    try:
        Path(os.fsdecode(os.fsencode(project / "methods") + b"/caf\xe9.yaml")).write_bytes(b"title: {en: x}\n")
    except OSError:  # pragma: no cover - file systems that insist on UTF-8 names (macOS)
        pytest.skip("this file system does not take file names that are not UTF-8")
    for args in (["validate", str(project)], ["validate", "--json", str(project)]):
        result = CliRunner().invoke(main, args)
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code == 1
        assert "caf\\udce9.yaml" in result.stdout
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    run = subprocess.run([sys.executable, "-m", "toolbox.cli", "validate", str(project)], capture_output=True,
                         env=env, check=False)
    assert run.returncode == 1 and b"Traceback" not in run.stderr, run.stderr
    assert b"file name 'caf\\udce9.yaml' is not a valid record id" in run.stdout


def test_a_phrase_in_two_synonym_groups_is_a_warning(minimal: Path) -> None:
    """A search takes the first group that holds a phrase, so the second listing does nothing."""
    vocab = minimal / "methods" / "vocabulary.yaml"
    text = vocab.read_text(encoding="utf-8")
    vocab.write_text(text.replace("  - [CCI, KKW, creative industries, Kreativwirtschaft]\n",
                                  "  - [CCI, KKW, creative industries, Kreativwirtschaft]\n"
                                  "  - [design thinking, kkw, Design Thinking]\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(minimal), "validate"])
    assert result.exit_code == 0, result.output
    out = result.output.replace(f"{minimal}/", "")
    lines = [line for line in out.splitlines() if "synonyms" in line or "hint" in line]
    assert lines[:4] == [
        "methods/vocabulary.yaml:8:23: warning: synonyms[1][1]: 'kkw' is in synonym group 1 too; a search uses only "
        "the first group that holds a phrase",
        "    hint: keep it in one group, or merge the two groups",
        "methods/vocabulary.yaml:8:28: warning: synonyms[1][2]: 'Design Thinking' is in this synonym group twice",
        "    hint: remove one of them",
    ]


# --------------------------------------------------------------------------- placeholders and periods

CHECK_PILOT = """\
title:
  en: A pilot
summary:
  en: A pilot for the checks of its period and its sources.
audience: [schools]
sector: [crafts]
region: [testland]
methods: [open-factory-day]
period:
  start: {start}
  end: {end}
description:
  en: Something was done.
sources:
  - title: Report
    url: {url}
  - title: Second report
    url: {url2}
"""
CHECK_PATH = "methods/pilots/check-pilot.yaml"
PLACEHOLDER_HINT = "paste the address of the page or document this record is based on, or remove the source"
REVERSED_HINT = "swap start and end, or correct the year"


def _check_pilot(project: Path, monkeypatch: pytest.MonkeyPatch, *, start: str = "2020-09", end: str = "2021-09",
                 url: str = "https://example.org/report", url2: str = "https://example.org/second") \
        -> tuple[Result, list[tuple[str, str | None]]]:
    """Validate ``project`` (a copy of the minimal scenario) with CHECK_PILOT added; the problems
    of that file only (the method it names does not list it back: a warning on the method)."""
    (project / CHECK_PATH).write_text(CHECK_PILOT.format(start=start, end=end, url=url, url2=url2), encoding="utf-8")
    monkeypatch.chdir(project)
    result = _invoke(["validate", str(project)])
    assert "Traceback" not in result.output
    return result, [(h, hint) for h, hint in _entries(result.output) if h.startswith(CHECK_PATH)]


@pytest.mark.parametrize("url", [
    "https://…", "https://...", "http://example.com/...", "https://example.org", "https://www.example.org/",
    "http://example.net?page=1", "https://<address>", "https://example.de/<id>", "https://example.de/TODO",
    "https://…/report.pdf", "TODO",
])
def test_placeholder_url_is_an_error(minimal: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """'    url: …' of the first source: the value at 16:10."""
    result, problems = _check_pilot(minimal, monkeypatch, url=url)
    assert result.exit_code == 1
    assert problems == [(f"{CHECK_PATH}:16:10: sources[0].url: '{url}' is a placeholder, not the source's address",
                         PLACEHOLDER_HINT)]


def test_placeholder_url_of_a_later_source(minimal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, problems = _check_pilot(minimal, monkeypatch, url2="https://…")
    assert result.exit_code == 1
    assert problems == [(f"{CHECK_PATH}:18:10: sources[1].url: 'https://…' is a placeholder, not the source's address",
                         PLACEHOLDER_HINT)]


@pytest.mark.parametrize("url", ["https://example.org/report", "https://todo.example.de/list", "https://a.de/x..y",
                                 "https://www.example.com.au/", "https://de.wikipedia.org/wiki/Kreativwirtschaft"])
def test_real_looking_urls_are_not_placeholders(minimal: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Addresses with a path on the example domains stay allowed: the test scenarios cite them."""
    result, problems = _check_pilot(minimal, monkeypatch, url=url)
    assert problems == [], result.output
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("kind", "folder"), [("pilot", "methods/pilots"), ("region", "methods/regions")])
def test_fresh_skeleton_fails_on_its_placeholder_url(minimal: Path, monkeypatch: pytest.MonkeyPatch, kind: str,
                                                     folder: str) -> None:
    """'toolbox new' writes 'url: https://…' (sources are required of pilots and regions; a
    method's are commented out); until it is filled in, validate refuses it there."""
    monkeypatch.chdir(minimal)
    assert _invoke(["new", kind, "fresh-record"]).exit_code == 0
    text = (minimal / folder / "fresh-record.yaml").read_text(encoding="utf-8")
    (number, line), = [(n, line) for n, line in enumerate(text.splitlines(), 1) if "url: https://…" in line]
    result = _invoke(["validate", str(minimal)])
    assert result.exit_code == 1
    entries = dict(_entries(result.output))
    head = (f"{folder}/fresh-record.yaml:{number}:{line.index('https://') + 1}: sources[0].url: "
            "'https://…' is a placeholder, not the source's address")
    assert head in entries, result.output
    assert entries[head] == PLACEHOLDER_HINT


@pytest.mark.parametrize(("start", "end"), [
    ("2020-05", "2019-03"),        # whole months
    ("2019-05-02", "2019-04"),     # the end month is over before the start day
    ("2020", "2019-12-31"),        # a year starts after the end day
    ("2019-05", "2018"),
    ("2021-03-26", "2021-03-25"),  # unquoted days: YAML reads them as dates
])
def test_period_that_ends_before_it_starts(minimal: Path, monkeypatch: pytest.MonkeyPatch, start: str,
                                           end: str) -> None:
    """'  end: …' at line 11: the problem is at its key, column 3."""
    result, problems = _check_pilot(minimal, monkeypatch, start=start, end=end)
    assert result.exit_code == 1
    assert problems == [(f"{CHECK_PATH}:11:3: period.end: period ends ({end}) before it starts ({start})",
                         REVERSED_HINT)]


@pytest.mark.parametrize(("start", "end"), [
    ("2019", "2019-05"),          # overlap: May 2019 lies in 2019
    ("2019-05", "2019"),
    ("2019-05-02", "2019-05"),    # the same month
    ("2019-05", "2019-05-01"),
    ("2019-12-31", "2020"),
    ("2020-09", "2020-09"),
    ("2021-03-26", "2021-03-26"),
    ("2020-02", "2020-02-29"),    # a leap day
])
def test_partial_dates_that_overlap_are_not_reversed(minimal: Path, monkeypatch: pytest.MonkeyPatch, start: str,
                                                     end: str) -> None:
    result, problems = _check_pilot(minimal, monkeypatch, start=start, end=end)
    assert problems == [], result.output
    assert result.exit_code == 0, result.output


def test_a_bad_end_date_is_reported_once(minimal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An end that is no date is not also compared with the start."""
    result, problems = _check_pilot(minimal, monkeypatch, start="2020-05", end="2019-13")
    assert result.exit_code == 1
    assert problems == [(f"{CHECK_PATH}:11:8: period.end: expected a date as YYYY, YYYY-MM or YYYY-MM-DD, "
                         "got '2019-13'", "for example 2020-09 or 2021-03-26")]
