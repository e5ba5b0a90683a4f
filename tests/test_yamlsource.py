"""Unit tests of reading one YAML file (``toolbox.yamlsource``) and of checking one record
(``toolbox.validate.check_record``): exact positions (1-based line and column) and messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from toolbox.errors import Problem, sort_problems
from toolbox.model import Method, Pilot, Record, Region, Vocabulary
from toolbox.validate import Reference, check_record
from toolbox.vocabulary import load_vocabulary
from toolbox.yamlsource import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, YamlDocument, parse_yaml_bytes

VOCABULARY = Path(__file__).resolve().parent / "scenarios" / "broken" / "methods" / "vocabulary.yaml"
BOM = "\ufeff".encode()

needs_libyaml = pytest.mark.skipif(
    not getattr(yaml, "__with_libyaml__", False),
    reason="exact YAML syntax messages are those of libyaml (yaml.CSafeLoader)",
)


def parse(raw: bytes) -> tuple[YamlDocument | None, list[Problem]]:
    return parse_yaml_bytes(raw, "f.yaml")


def one_problem(raw: bytes) -> Problem:
    doc, problems = parse(raw)
    assert doc is None, doc
    assert len(problems) == 1, problems
    return problems[0]


def at(p: Problem) -> tuple[int, int, str, str, str]:
    return p.line, p.column, p.field, p.message, p.hint


# --------------------------------------------------------------------------- a good file


def test_positions_of_keys_and_values() -> None:
    doc, problems = parse(b"title:\n  en: Hello\n  de: Hallo\naudience: [schools, creatives]\nsteps:\n  - en: One\n")
    assert problems == []
    assert doc is not None
    assert doc.data == {"title": {"en": "Hello", "de": "Hallo"}, "audience": ["schools", "creatives"],
                        "steps": [{"en": "One"}]}
    assert doc.keys[("title",)] == (1, 1)
    assert doc.keys[("title", "de")] == (3, 3)
    assert doc.values[("title", "de")] == (3, 7)
    assert doc.values[("audience", 1)] == (4, 21)
    assert doc.values[("steps", 0)] == (6, 5)
    assert doc.values[("steps", 0, "en")] == (6, 9)
    assert doc.pos(("title", "cs")) == doc.values[("title",)] == (2, 3)  # nearest known ancestor
    assert doc.key_pos(("summary",)) == (1, 1)


def test_byte_order_mark_is_accepted() -> None:
    raw = b"title:\n  en: Crafts walk\n  cs: \xc5\x98emesln\xc3\xa1 proch\xc3\xa1zka\n"
    plain_doc, plain_problems = parse(raw)
    bom_doc, bom_problems = parse(BOM + raw)
    assert plain_problems == bom_problems == []
    assert bom_doc is not None and plain_doc is not None
    assert bom_doc.data == plain_doc.data == {"title": {"en": "Crafts walk", "cs": "Řemeslná procházka"}}
    assert "\ufeff" not in "".join(bom_doc.data)
    assert bom_doc.keys == plain_doc.keys
    assert bom_doc.values == plain_doc.values


@needs_libyaml
def test_byte_order_mark_does_not_shift_error_positions() -> None:
    raw = b"title: [a, b\nsummary: x\n"
    assert at(one_problem(BOM + raw)) == at(one_problem(raw))


# --------------------------------------------------------------------------- encoding


def test_invalid_utf8() -> None:
    p = one_problem(b"title:\n  en: Caf\xe9 in the old factory\n")
    assert at(p) == (2, 10, "", "not valid UTF-8 (byte 0xe9)", "save the file as UTF-8 in your editor")
    assert p.format() == "f.yaml:2:10: not valid UTF-8 (byte 0xe9)\n    hint: save the file as UTF-8 in your editor"


def test_invalid_utf8_0xff() -> None:
    # '  en: Bad ' is 10 characters: the bad byte is at column 11
    assert at(one_problem(b"title:\n  en: Bad \xff byte\n"))[:4] == (2, 11, "", "not valid UTF-8 (byte 0xff)")


def test_invalid_utf8_column_counts_characters_not_bytes() -> None:
    """Columns are character columns, as in YAML positions and editors: 'Ü' is one column."""
    p = one_problem("title:\n  en: Über Caf".encode() + b"\xe9\n")
    assert (p.line, p.column, p.message) == (2, 15, "not valid UTF-8 (byte 0xe9)")


@pytest.mark.parametrize(("raw", "line", "column"), [
    (b"title: Caf\xe9\n", 1, 11),
    (b"title:\n  en: Caf\xe9\n", 2, 10),
])
def test_invalid_utf8_after_byte_order_mark(raw: bytes, line: int, column: int) -> None:
    """The byte named is the bad one, and the BOM takes no column: same as without a BOM."""
    assert at(one_problem(raw))[:4] == (line, column, "", "not valid UTF-8 (byte 0xe9)")
    p = one_problem(BOM + raw)
    assert (p.line, p.column, p.message) == (line, column, "not valid UTF-8 (byte 0xe9)")


# --------------------------------------------------------------------------- empty and non-mapping files


@pytest.mark.parametrize("raw", [b"", b"\n\n", b"   \n", BOM, b"---\n"])
def test_empty_file(raw: bytes) -> None:
    assert at(one_problem(raw)) == (1, 1, "", "file is empty", "fill in the record or delete the file")


def test_file_with_only_comments() -> None:
    assert at(one_problem(b"# only a comment\n\n# and another\n")) == (
        1, 1, "", "file holds only comments, no record", "fill in the record below the comments, or delete the file")


def test_list_instead_of_mapping() -> None:
    p = one_problem(b"# a record\n- title:\n    en: A list\n")
    assert at(p) == (2, 1, "", "the file holds a list, not a mapping of fields",
                     "a record starts with 'title:' at the left margin")


def test_single_text_instead_of_mapping() -> None:
    p = one_problem(b"Idea workshop\n")
    assert at(p)[:4] == (1, 1, "", "the file holds a single text, not a mapping of fields")


@pytest.mark.parametrize("raw", [b"42\n", b"~\n", b"true\n", b"3.5\n"])
def test_other_non_mapping_file_names_no_python_type(raw: bytes) -> None:
    """The message is for a content author: no Python type names such as 'int' or 'NoneType'."""
    p = one_problem(raw)
    assert (p.line, p.column) == (1, 1)
    assert p.message.startswith("the file holds ") or p.message == "file is empty", p.message
    for python_name in ("int", "NoneType", "bool", "float"):
        assert f" {python_name}," not in p.message, p.message


# --------------------------------------------------------------------------- YAML syntax


@needs_libyaml
def test_bad_indentation() -> None:
    p = one_problem(b"title:\n  en: Badly indented\n de: Schlecht\n")
    assert at(p) == (3, 2, "", "YAML syntax error: did not find expected key (while parsing a block mapping at line 1)",
                     "check indentation and quoting around this position")


@needs_libyaml
def test_unclosed_bracket() -> None:
    p = one_problem(b"title:\n  en: Unclosed\naudience: [schools, creatives\nsector: [design]\n")
    assert at(p) == (4, 7, "", "YAML syntax error: did not find expected ',' or ']' "
                               "(while parsing a flow sequence at line 3)",
                     "check indentation and quoting around this position")


@needs_libyaml
def test_unclosed_quote() -> None:
    p = one_problem(b'title:\n  en: "Unclosed\nsummary: x\n')
    assert (p.line, p.field) == (4, "")
    assert p.message.startswith("YAML syntax error: found unexpected end of stream (while scanning a quoted scalar")


@needs_libyaml
def test_tab_used_for_indentation() -> None:
    p = one_problem(b"title:\n\ten: Tabbed\n")
    assert at(p) == (2, 1, "", "YAML syntax error: found character that cannot start any token "
                               "(while scanning for the next token at line 2)",
                     "YAML does not allow tabs for indentation; use spaces")


@needs_libyaml
def test_tab_after_indentation() -> None:
    p = one_problem(b"title:\n  en: a\n\tde: b\n")
    assert at(p) == (3, 1, "", "YAML syntax error: found a tab character that violates indentation "
                               "(while scanning a plain scalar at line 2)",
                     "YAML does not allow tabs for indentation; use spaces")


@needs_libyaml
def test_unquoted_colon_in_value() -> None:
    p = one_problem(b"title:\n  en: Ideas: a workshop\n")
    assert at(p) == (2, 12, "", "YAML syntax error: mapping values are not allowed in this context",
                     "a value containing ': ' must be quoted, e.g. title: \"Ideas: a workshop\"")


def test_quoted_colon_is_fine() -> None:
    doc, problems = parse(b'title:\n  en: "Ideas: a workshop"\n')
    assert problems == [] and doc is not None
    assert doc.data == {"title": {"en": "Ideas: a workshop"}}


# --------------------------------------------------------------------------- tags


def test_python_tag_is_refused() -> None:
    p = one_problem(b"title: !!python/object:os.system\n  en: Run a command\n")
    assert at(p) == (1, 8, "", "YAML tag not allowed: '!!python/object:os.system'",
                     "records hold plain data only; remove the '!' tag")


def test_python_apply_tag_is_refused() -> None:
    p = one_problem(b"title: !!python/object/apply:os.system [echo hi]\n")
    assert (p.line, p.column) == (1, 8)
    assert p.message == "YAML tag not allowed: '!!python/object/apply:os.system'"


def test_local_tag_is_refused() -> None:
    p = one_problem(b"summary:\n  en: !include other.yaml\n")
    assert at(p) == (2, 7, "", "YAML tag not allowed: '!include'", "records hold plain data only; remove the '!' tag")


# --------------------------------------------------------------------------- keys


def test_duplicate_key_names_the_first_line() -> None:
    doc, problems = parse(b"title:\n  en: First\nsummary:\n  en: Text\ntitle:\n  en: Second\n")
    assert doc is not None  # reported, but the file is still read
    assert [at(p) for p in problems] == [
        (5, 1, "title", "duplicate key (first given at line 1)", "remove one of the two; YAML keeps only the last"),
    ]


def test_duplicate_nested_key() -> None:
    doc, problems = parse(b"title:\n  en: First\n  de: Erster\n  en: Second\n")
    assert doc is not None
    assert [at(p)[:4] for p in problems] == [(4, 3, "title.en", "duplicate key (first given at line 2)")]


def test_duplicate_key_positions_describe_the_kept_value() -> None:
    """Positions must belong to the value that ``data`` holds, or problems in that value are
    reported at the lines of the other one."""
    doc, _ = parse(b"title:\n  en: First\nsummary:\n  en: Text\ntitle:\n  de: Zweiter\n")
    assert doc is not None
    if doc.data["title"] == {"de": "Zweiter"}:
        assert doc.pos(("title",)) == (6, 3)
        assert doc.key_pos(("title", "de")) == (6, 3)
    else:
        assert doc.data["title"] == {"en": "First"}
        assert doc.pos(("title",)) == (2, 3)


def test_key_that_is_not_text() -> None:
    # YAML 1.2 scalars: 'no' is a plain word (not false), so only the number is reported
    doc, problems = parse(b"title:\n  en: x\nno: 1\n12: x\n")
    assert doc is not None
    assert [at(p) for p in problems] == [
        (4, 1, "", "key '12' is not a plain name", "quote the key, e.g. '12': …"),
    ]


# --------------------------------------------------------------------------- values YAML turns into other types


def test_impossible_date_does_not_raise() -> None:
    """YAML 1.1 reads 2021-02-30 as a timestamp; 30 February must not escape as a ValueError."""
    doc, problems = parse(b"title:\n  en: x\nperiod:\n  start: 2021-02-30\n")
    if doc is None:
        assert [(p.line, p.column) for p in problems] == [(4, 10)], problems
    else:
        assert doc.data["period"]["start"] == "2021-02-30"  # kept as text for the record check


# --------------------------------------------------------------------------- limits


def test_file_too_large() -> None:
    raw = b"title: " + b"x" * MAX_FILE_BYTES
    p = one_problem(raw)
    assert at(p) == (1, 1, "", f"file is {len(raw):,} bytes, more than the limit of {MAX_FILE_BYTES:,}",
                     "split the record or move long material to a linked document")
    assert p.format().startswith("f.yaml:1:1: file is 1,000,007 bytes")


def test_nesting_too_deep() -> None:
    levels = MAX_DEPTH + 5
    p = one_problem(b"a: " + b"[" * levels + b"]" * levels + b"\n")
    # the mapping is depth 0, its value (column 4) depth 1, so depth 41 starts at column 44
    assert at(p) == (1, MAX_DEPTH + 4, "", f"nesting deeper than {MAX_DEPTH} levels",
                     "records are a few levels deep; look for runaway brackets or indentation")


def test_alias_bomb_is_stopped() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for name, prev in zip("bcdef", "abcde", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    p = one_problem(("\n".join(lines) + "\n").encode())
    assert p.message == f"more than {MAX_NODES:,} YAML nodes (aliases included)"
    assert p.hint == "remove anchors/aliases or split the file"


# --------------------------------------------------------------------------- check_record


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    vocab, problems = load_vocabulary(VOCABULARY, "methods/vocabulary.yaml")
    assert problems == []
    assert vocab is not None
    return vocab


METHOD = """\
title:
  en: Idea workshop
summary:
  en: Ideas in one afternoon.
audience: [schools]
sector: [design]
effort:
  level: low
purpose:
  en: Bring people together.
steps:
  - en: Invite.
"""

REGION = """\
title:
  en: A region
summary:
  en: Somewhere.
country: DE
population:
  value: 250000
  year: 2021
description:
  en: A region.
sources:
  - title: Statistics office
    url: https://example.org/stats
"""

PILOT = """\
title:
  en: A pilot
summary:
  en: Something happened.
audience: [schools]
sector: [design]
region: [chemnitz]
methods: [idea-workshop]
period:
  start: 2021-03
description:
  en: Something was done.
sources:
  - title: Report
    url: https://example.org/report
"""


def check(kind: str, text: str, vocabulary: Vocabulary | None) -> tuple[Record | None, list[Problem], list[Reference]]:
    doc, problems = parse(text.encode())
    assert problems == [] and doc is not None
    return check_record(kind, "rec", doc, vocabulary)


def problems_of(kind: str, text: str, vocabulary: Vocabulary | None) -> list[tuple[int, int, str, str, str]]:
    record, problems, _ = check(kind, text, vocabulary)
    if any(p.severity == "error" for p in problems):
        assert record is None
    return [at(p) for p in sort_problems(problems)]


def test_valid_method_builds_a_record(vocabulary: Vocabulary) -> None:
    record, problems, refs = check("method", METHOD, vocabulary)
    assert problems == [] and refs == []
    assert isinstance(record, Method)
    assert record.title.get("en") == "Idea workshop"
    assert record.effort is not None and record.effort.level == "low"
    assert [s.get("en") for s in record.steps] == ["Invite."]


def test_valid_region_and_pilot_build_records(vocabulary: Vocabulary) -> None:
    region, problems, _ = check("region", REGION, vocabulary)
    assert problems == [] and isinstance(region, Region)
    assert region.population is not None and region.population.value == 250000
    pilot, problems, refs = check("pilot", PILOT, vocabulary)
    assert problems == [] and isinstance(pilot, Pilot)
    assert pilot.period is not None and pilot.period.start == "2021-03"
    assert [(r.field, r.target, r.kind, r.line, r.column) for r in refs] == [
        ("region[0]", "chemnitz", "region", 7, 10), ("methods[0]", "idea-workshop", "method", 8, 11)]


def test_text_where_a_whole_number_is_expected(vocabulary: Vocabulary) -> None:
    text = REGION.replace("value: 250000", "value: 250.000 (2021)")
    assert problems_of("region", text, vocabulary) == [
        (7, 10, "population.value", "expected a whole number, got a text", "write digits only, without separators"),
    ]


def test_year_below_minimum(vocabulary: Vocabulary) -> None:
    assert problems_of("region", REGION.replace("year: 2021", "year: 1700"), vocabulary) == [
        (8, 9, "population.year", "must be at least 1800, got 1700", ""),
    ]


def test_country_code_pattern(vocabulary: Vocabulary) -> None:
    assert problems_of("region", REGION.replace("country: DE", "country: Germany"), vocabulary) == [
        (5, 10, "country", "'Germany' is not a two-letter ISO code such as DE or CZ", ""),
    ]


def test_string_where_a_list_is_expected(vocabulary: Vocabulary) -> None:
    assert problems_of("method", METHOD.replace("audience: [schools]", "audience: schools"), vocabulary) == [
        (5, 11, "audience", "expected a list, got a text", "write it as a list: [schools]"),
    ]


def test_number_where_a_tag_is_expected(vocabulary: Vocabulary) -> None:
    assert problems_of("method", METHOD.replace("sector: [design]", "sector: [design, 3]"), vocabulary) == [
        (6, 18, "sector[1]", "expected a sector value, got a whole number", ""),
    ]


def test_number_where_an_effort_level_is_expected(vocabulary: Vocabulary) -> None:
    assert problems_of("method", METHOD.replace("level: low", "level: 2"), vocabulary) == [
        (8, 10, "effort.level", "expected an effort value, got a whole number",
         "write the value id from the vocabulary, e.g. medium"),
    ]


def test_bool_where_a_range_is_expected(vocabulary: Vocabulary) -> None:
    text = METHOD.replace("level: low", "level: low\n  staff_days: true")
    assert problems_of("method", text, vocabulary) == [
        (9, 15, "effort.staff_days", "expected a number or {min, max}, got true/false",
         "write digits without units or separators, e.g. 5000 or {min: 5000, max: 20000}"),
    ]


def test_text_field_as_list(vocabulary: Vocabulary) -> None:
    text = METHOD.replace("title:\n  en: Idea workshop", "title: [Idea workshop]")
    assert problems_of("method", text, vocabulary) == [
        (1, 8, "title", "expected one text per language, got a list", "write 'en: …' and 'de: …' on indented lines"),
    ]


def test_text_field_as_plain_string(vocabulary: Vocabulary) -> None:
    text = METHOD.replace("summary:\n  en: Ideas in one afternoon.", "summary: Ideas in one afternoon.")
    assert problems_of("method", text, vocabulary) == [
        (3, 10, "summary", "expected one text per language, got a single text",
         "write it as:  en: 'Ideas in one afternoon.'"),
    ]


def test_empty_required_field(vocabulary: Vocabulary) -> None:
    text = METHOD.replace("purpose:\n  en: Bring people together.", "purpose:")
    assert problems_of("method", text, vocabulary) == [
        # the empty value sits right after 'purpose:'
        (9, 9, "purpose", "'purpose' is empty", "fill in what the method achieves"),
    ]


def test_missing_nested_required_field(vocabulary: Vocabulary) -> None:
    text = REGION.replace("  - title: Statistics office\n    url:", "  - url:")
    assert problems_of("region", text, vocabulary) == [
        (12, 5, "sources[0]", "missing required field 'title'", "add 'title:' — title of the source document or page"),
    ]


def test_range_min_greater_than_max(vocabulary: Vocabulary) -> None:
    text = METHOD.replace("level: low", "level: low\n  budget_eur: {min: 5000, max: 500, avg: 1}")
    assert problems_of("method", text, vocabulary) == [
        (9, 15, "effort.budget_eur", "min (5000) is greater than max (500)", "swap the two values"),
        (9, 37, "effort.budget_eur.avg", "unknown field 'avg'", "a range has only 'min' and 'max'"),
    ]


@pytest.mark.parametrize("value", ["2021-13", "2021-00", '"2021-02-30"'])
def test_date_that_does_not_exist(vocabulary: Vocabulary, value: str) -> None:
    """YYYY-MM and YYYY-MM-DD must name a real month and day (unquoted impossible dates: see
    test_impossible_date_does_not_raise)."""
    text = PILOT.replace("start: 2021-03", f"start: {value}")
    _, problems, _ = check("pilot", text, vocabulary)
    assert [(p.line, p.column, p.field, p.severity) for p in problems] == [(10, 10, "period.start", "error")], problems
    assert value.strip('"') in problems[0].message


def test_tags_are_not_checked_without_a_vocabulary() -> None:
    record, problems, _ = check("method", METHOD.replace("[design]", "[anything-goes]"), None)
    assert problems == []
    assert isinstance(record, Method) and record.sector == ("anything-goes",)


# --------------------------------------------------------------------------- found by fuzzing (tests/stress/fuzz.py)


@pytest.mark.parametrize(("raw", "line", "column", "message"), [
    (b"title:\n  en: a\x01b\n", 2, 8, "control character U+0001 is not allowed in a YAML file"),
    (b"a: 1\n\x00", 2, 1, "control character U+0000 is not allowed in a YAML file"),
    ("title: \u00e4\u00e4\x7f\n".encode(), 1, 10, "control character U+007F is not allowed in a YAML file"),
    (BOM + "t: \ufffe\n".encode(), 1, 4, "character U+FFFE is not allowed in a YAML file"),
])
def test_character_yaml_refuses_is_reported_where_it_is(raw: bytes, line: int, column: int, message: str) -> None:
    """libyaml's reader error was reported at 1:1 with a two-line message naming
    '"<unicode string>", position N' (a byte offset)."""
    p = one_problem(raw)
    assert (p.line, p.column, p.message) == (line, column, message)
    assert "\n" not in p.message and p.hint


@pytest.mark.parametrize(("raw", "line", "column"), [
    (b"a: 1\rb: \xff\n", 2, 4),  # CR alone ends a line for YAML (and for editors)
    (b"a: \xc2\x85b\xff", 2, 2),  # so does NEL
    ("a: \u2028\u00e4".encode() + b"\xff", 2, 2),  # and LS
])
def test_invalid_utf8_position_counts_lines_as_yaml_does(raw: bytes, line: int, column: int) -> None:
    p = one_problem(raw)
    assert (p.line, p.column) == (line, column)
    assert p.message.startswith("not valid UTF-8")


@pytest.mark.parametrize(("raw", "column", "message", "text"), [
    (b"budget: !!int abc\n", 9, "'abc' is not a whole number", "abc"),
    (b"budget: !!float\n", 9, "'' is not a number", ""),
    (b"budget: !!bool maybe\n", 9, "'maybe' is not true or false", "maybe"),
    (b"budget: !!timestamp x\n", 9, "'x' is not a date", "x"),
    (b"budget: !!timestamp 2001-13-45\n", 9, "'2001-13-45' is not a date", "2001-13-45"),
    (b"budget: 0x_\n", 9, "'0x_' is not a whole number", "0x_"),  # resolved as an int without any tag
    (b"budget: -0b_\n", 9, "'-0b_' is not a whole number", "-0b_"),
])
def test_scalar_its_type_cannot_hold_is_a_problem_not_a_crash(raw: bytes, column: int, message: str,
                                                              text: str) -> None:
    """PyYAML's constructors raised ValueError, KeyError, IndexError or AttributeError."""
    doc, problems = parse(b"title: x\n" + raw + b"other: [1, 2]\n")
    assert [(p.line, p.column, p.field, p.message) for p in problems] == [(2, column, "budget", message)]
    assert doc is not None and doc.data["budget"] == text  # read on as text
    assert doc.data["other"] == [1, 2]  # and so is the rest of the file


def test_key_its_type_cannot_hold_is_a_problem_not_a_crash() -> None:
    doc, problems = parse(b"0x_: 1\n!!float : 2\ntitle: x\n")
    assert [(p.line, p.column, p.message) for p in problems] == [
        (1, 1, "key '0x_' is not a plain name"), (2, 1, "key '' is not a plain name")]
    assert doc is not None and doc.data["title"] == "x"


def test_merge_key_is_named() -> None:
    _, problems = parse(b"base: &b {en: x}\ntitle:\n  <<: *b\n")
    assert [(p.line, p.column, p.field, p.message) for p in problems] == [
        (3, 3, "title", "YAML merge keys ('<<') are not supported")]


def test_many_keys_and_many_repeats_are_read_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each repeated key scanned every recorded position: 8,000 keys and 8,000 repeats took
    13 s, a file of 1 MB several minutes. Now only the positions under the earlier value go:
    the work for a repeat is the size of that value, counted here instead of timed."""
    import toolbox.yamlsource as yamlsource

    visited = [0]
    original = yamlsource._paths

    def counting(node: yaml.Node, path: tuple[str | int, ...], depth: int) -> Iterator[tuple[str | int, ...]]:
        visited[0] += 1  # one call per node under an earlier value (the recursion comes back here)
        return original(node, path, depth)

    monkeypatch.setattr(yamlsource, "_paths", counting)
    n = 16_000  # 48,001 nodes, under the limit
    raw = b"".join(b"k%d: 1\n" % i for i in range(n)) + b"a: [1]\n" * n
    doc, problems = parse(raw)
    assert visited[0] == 2 * (n - 1)  # ("a",) and ("a", 0) once per repeat, never the k… keys
    assert doc is not None and len(problems) == n - 1
    assert doc.values[("a",)] == (2 * n, 4) and doc.values[("a", 0)] == (2 * n, 5)


def test_repeated_key_drops_the_positions_of_the_earlier_value_only() -> None:
    doc, problems = parse(b"a:\n  x: 1\n  y: [1, 2]\nab: 3\na:\n  z: 4\n")
    assert [p.message for p in problems] == ["duplicate key (first given at line 1)"]
    assert doc is not None
    assert sorted(doc.values) == [(), ("a",), ("a", "z"), ("ab",)]
    assert doc.keys[("a",)] == (5, 1) and doc.keys[("ab",)] == (4, 1)


def test_line_breaks_in_keys_and_values_stay_inside_the_message_line(vocabulary: Vocabulary) -> None:
    """A quoted key or a folded value with a line break split 'path:line:col: message' over lines."""
    doc, problems = parse(METHOD.replace("audience: [schools]", 'audience: "schools\\nyouth"\n"a\\nb": 1')
                          .encode())
    assert problems == [] and doc is not None
    _, problems, _ = check_record("method", "rec", doc, vocabulary)
    shown = [(p.field, p.message, p.hint) for p in sort_problems(problems)]
    assert shown == [
        ("audience", "expected a list, got a text", "write it as a list: [schools\\nyouth]"),
        ("a\\nb", "unknown field 'a\\nb'", shown[1][2]),
    ]
    assert all("\n" not in p.format().partition("\n    hint:")[0] for p in problems)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("area_km2", ".nan", "expected a number, got .nan (not a number)"),
    ("area_km2", "-.inf", "expected a number, got an infinite number (.inf, or beyond 1e308)"),
    ("area_km2", "1.0e+400", "expected a number, got an infinite number (.inf, or beyond 1e308)"),
])
def test_numbers_that_are_not_finite_are_refused(vocabulary: Vocabulary, field: str, value: str,
                                                 message: str) -> None:
    """.nan passed as an area and reached 'toolbox show --json' as NaN, which is not JSON."""
    text = REGION.replace("country: DE", f"country: DE\n{field}: {value}")
    assert [(p.field, p.message) for p in check("region", text, vocabulary)[1]] == [(field, message)]


def test_range_that_is_not_finite_is_refused(vocabulary: Vocabulary) -> None:
    text = METHOD.replace("level: low", "level: low\n  budget_eur: .inf\n  participants: {min: 1, max: .inf}")
    assert [(p.field, p.message) for p in sort_problems(check("method", text, vocabulary)[1])] == [
        ("effort.budget_eur", "expected a whole number or {min, max}, got an infinite number (.inf, or beyond 1e308)"),
        ("effort.participants", "a range needs 'min' and 'max', each a whole number ≥ 0"),
    ]


def test_problems_beyond_the_limit_are_counted_not_listed(vocabulary: Vocabulary) -> None:
    """A file of 45,000 unknown keys took 30 s to check, nearly all of it on 'did you mean'."""
    from toolbox.validate import MAX_PROBLEMS_PER_FILE

    extra = "".join(f"x{i}: 1\n" for i in range(1000))
    record, problems, _ = check("method", METHOD + extra, vocabulary)
    assert record is None
    assert len(problems) == MAX_PROBLEMS_PER_FILE + 1
    assert problems[-2].message == f"unknown field 'x{MAX_PROBLEMS_PER_FILE - 1}'"
    last = problems[-1]
    assert (last.line, last.column, last.field, last.severity) == (13 + MAX_PROBLEMS_PER_FILE, 1, "", "error")
    assert last.message == "800 more problems from here on, not listed"
    assert last.hint == "correct the problems above and check again"


def test_warnings_beyond_the_limit_are_counted_as_a_warning(vocabulary: Vocabulary) -> None:
    text = METHOD.replace("audience: [schools]", "audience: [" + ", ".join(["schools"] * 300) + "]")
    record, problems, _ = check("method", text, vocabulary)
    assert record is not None  # repeats are warnings: the record still loads
    assert problems[-1].message == "99 more problems from here on, not listed"
    assert problems[-1].severity == "warning"


@pytest.mark.parametrize("raw", [b"0: !!timestamp\n", b"1: 0x_\n", b"? [a]\n: !!int x\n", b"~: !!bool maybe\n"])
def test_value_under_a_key_that_is_not_text_is_not_built(raw: bytes) -> None:
    """Found by fuzzing: '0: !!timestamp' raised AttributeError; the value under a key that is
    not text was never walked, but construct_document still built it."""
    doc, problems = parse(raw + b"title: x\n")
    assert [(p.line, p.column) for p in problems] == [(1, 1 if not raw.startswith(b"?") else 3)]
    assert problems[0].message.startswith("key ") and problems[0].message.endswith(" is not a plain name")
    assert doc is not None and doc.data == {"title": "x"}
