"""The quick update writes exactly what a full load and rebuild would write."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from toolbox import Toolbox
from toolbox.docsets import to_numbers
from toolbox.documents import document_hash, make_documents
from toolbox.indexer import live_generation, read_spelling, read_state, read_tag_table
from toolbox.project import load_catalogue
from toolbox.search import open_index
from toolbox.synthetic import generate


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _save(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _tags_by_id(index_dir: Path) -> dict[str, dict[str, set[str]]]:
    """The generation's tag table with record ids instead of document numbers."""
    gen = live_generation(index_dir)
    assert gen is not None
    table, live = read_tag_table(gen)
    opened = open_index(index_dir)
    ids = {n: opened.searcher.stored_fields(n)["id"] for n in to_numbers(live)}
    return {axis: {value: {ids[n] for n in to_numbers(docs)} for value, docs in values.items()}
            for axis, values in table.items()}


def _expected_tags(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, set[str]]]:
    out: dict[str, dict[str, set[str]]] = {}
    for rid, doc in docs.items():
        for axis, values in doc["tags"].items():
            for value in values:
                out.setdefault(axis, {}).setdefault(value, set()).add(rid)
    return out


def _edit(rng: random.Random, project: Path, step: int) -> str:
    """One random edit of the kind editors make; returns a description for failure messages."""
    methods = sorted(p.stem for p in (project / "methods").glob("*.yaml") if p.name != "vocabulary.yaml")
    pilots = sorted(p.stem for p in (project / "methods/pilots").glob("*.yaml"))
    regions = sorted(p.stem for p in (project / "methods/regions").glob("*.yaml"))
    choice = rng.choice(["pilot-methods", "pilot-region", "pilot-text", "method-pilots", "method-text",
                         "method-audience", "region-text"])
    if choice.startswith("pilot"):
        path = project / "methods/pilots" / f"{rng.choice(pilots)}.yaml"
    elif choice.startswith("method"):
        path = project / "methods" / f"{rng.choice(methods)}.yaml"
    else:
        path = project / "methods/regions" / f"{rng.choice(regions)}.yaml"
    data = _load(path)
    if choice == "pilot-methods":
        data["methods"] = rng.sample(methods, k=rng.randint(1, 3))
    elif choice == "pilot-region":
        data["region"] = rng.sample(regions, k=rng.randint(1, 2))
    elif choice == "method-pilots":
        data["pilots"] = rng.sample(pilots, k=rng.randint(0, 3))
    elif choice == "method-audience":
        data["audience"] = ["schools"] if data.get("audience") != ["schools"] else ["youth"]
    else:
        data["summary"]["en"] = f"Edited zeppelin{step} " + data["summary"]["en"]
    _save(path, data)
    return f"{choice} in {path.name}"


def test_random_edits_give_what_a_full_rebuild_gives(tmp_path: Path) -> None:
    project = generate(tmp_path / "corpus", 60)
    index = tmp_path / "index"
    slow = tmp_path / "slow"  # updated through the full load every time
    Toolbox.open(project, index).build_index()
    Toolbox.open(project, slow).build_index()
    rng = random.Random(11)
    quick = 0
    for step in range(14):
        what = _edit(rng, project, step)
        report = Toolbox.open(project, index).ensure_index()
        assert report is not None, what
        quick += report.quick

        catalogue = load_catalogue(project)
        docs = make_documents(catalogue)
        state = read_state(live_generation(index))
        assert state["docs"] == {rid: document_hash(doc) for rid, doc in docs.items()}, what
        assert _tags_by_id(index) == _expected_tags(docs), what

        assert not Toolbox.open(project, slow).build_index().quick
        fresh = tmp_path / f"fresh-{step}"
        Toolbox.open(project, fresh).build_index()
        fresh_gen, gen = live_generation(fresh), live_generation(index)
        assert fresh_gen is not None and gen is not None
        assert read_spelling(gen) == read_spelling(fresh_gen), what
        for word in (f"zeppelin{step}", "anvil", "Gießerei", ""):
            ours = Toolbox.open(project, index).search(word, limit=None, update=False)
            full_path = Toolbox.open(project, slow).search(word, limit=None, update=False)
            rebuilt = Toolbox.open(project, fresh).search(word, limit=None, update=False)
            # Scores follow Whoosh's collection statistics, which count deleted documents until
            # segments merge: so the same hits as a fresh build, the same order as the full path.
            assert [(h.id, h.score) for h in ours.hits] == [(h.id, h.score) for h in full_path.hits], (what, word)
            assert {h.id for h in ours.hits} == {h.id for h in rebuilt.hits}, (what, word)
            assert ours.facets == rebuilt.facets == full_path.facets, (what, word)
    # the quick path did the work, not the fallback (region text edits and such stay quick too)
    assert quick >= 12


def test_quick_update_declines_what_it_cannot_do(tmp_path: Path) -> None:
    project = generate(tmp_path / "corpus", 30)
    index = tmp_path / "index"
    Toolbox.open(project, index).build_index()
    region = sorted((project / "methods/regions").glob("*.yaml"))[0]
    data = _load(region)
    data["title"]["en"] = "Renamed Valley"
    _save(region, data)
    report = Toolbox.open(project, index).ensure_index()
    assert report is not None and not report.quick and report.updated  # titles feed other records
    assert [h.id for h in Toolbox.open(project, index).search("Renamed Valley", kind=["region"]).hits] == [region.stem]

    pilot = sorted((project / "methods/pilots").glob("*.yaml"))[0]
    good = _load(pilot)
    _save(pilot, {**good, "methods": ["no-such-method"]})
    report = Toolbox.open(project, index).ensure_index()
    assert report is not None and not report.quick  # the full load reports the broken link

    method = sorted((project / "methods").glob("method-*.yaml"))[0]
    data = _load(method)
    data["summary"]["en"] = "Zeppelin " + data["summary"]["en"]
    _save(method, data)
    report = Toolbox.open(project, index).ensure_index()
    assert report is not None and not report.quick  # not while any record has an error

    _save(pilot, good)
    report = Toolbox.open(project, index).ensure_index()
    assert report is not None and not report.quick
    data["summary"]["en"] = "Airship " + data["summary"]["en"]
    _save(method, data)
    report = Toolbox.open(project, index).ensure_index()
    assert report is not None and report.quick and report.updated == (method.stem,)
