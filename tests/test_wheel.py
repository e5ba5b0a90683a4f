"""The built wheel carries methods/ and templates/ and works outside the checkout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # no build isolation: the test extra provides hatchling, so no network is needed
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(REPO)], check=True, capture_output=True, text=True)
    (path,) = out.glob("cci_toolbox-*.whl")
    return path


def test_wheel_contains_content_and_templates(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "toolbox/_data/methods/vocabulary.yaml" in names
    assert "toolbox/_data/methods/industrial-hackathon.yaml" in names
    assert any(n.startswith("toolbox/_data/methods/pilots/") for n in names)
    assert any(n.startswith("toolbox/_data/templates/") for n in names)
    assert not any(n.startswith(("tests/", "index/")) for n in names)
    # the gettext catalogues, compiled when the wheel is built (hatch_build.py)
    catalogues = {p.parent.parent.name for p in (REPO / "toolbox" / "locale").glob("*/LC_MESSAGES/toolbox.po")}
    assert {"de", "cs", "pl", "sl", "it", "nl", "hr"} <= catalogues
    assert {n for n in names if n.endswith(".mo")} == {f"toolbox/locale/{lang}/LC_MESSAGES/toolbox.mo"
                                                       for lang in catalogues}


def test_installed_wheel_searches_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLBOX_")}
    env.update(PYTHONPATH=str(target), XDG_CACHE_HOME=str(tmp_path / "cache"), HOME=str(tmp_path))
    proc = subprocess.run([str(target / "bin" / "toolbox"), "search", "hackathon"], cwd=elsewhere, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "building the search index" in proc.stderr
    assert re.match(r'^\d+ results for “hackathon”  \(showing \d+, sorted by relevance\)$', proc.stdout.splitlines()[0])
    assert "industrial-hackathon" in proc.stdout and "Facets" in proc.stdout
    # the index went to the user's cache, not into site-packages or the working folder
    assert list((tmp_path / "cache" / "cci-toolbox").glob("*/index/CURRENT"))
    assert not (target / "toolbox" / "_data" / "index").exists() and not (elsewhere / "index").exists()
    where = subprocess.run([sys.executable, "-c", "import toolbox.paths as p; print(p.shipped_project())"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where == str(target / "toolbox" / "_data")
