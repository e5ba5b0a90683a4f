"""Static checks and import hygiene, run as part of the test command so CI cannot skip them."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(REPO / ".venv" / "bin")) or shutil.which(name)
    if path is None:
        exe = shutil.which(name, path=str(sys.prefix) + "/bin")
        if exe is None:
            pytest.fail(f"{name} is not installed; install the test extra: pip install '.[test]'")
        return exe
    return path


def test_ruff_is_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "toolbox", "tests"], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"], cwd=REPO, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_exactly_one_whoosh_distribution() -> None:
    names = {d.metadata["Name"].lower() for d in importlib.metadata.distributions()}
    whooshes = sorted(n for n in names if n in {"whoosh", "whoosh3", "whoosh-reloaded"})
    assert len(whooshes) == 1, f"several Whoosh distributions installed: {whooshes}"


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, cwd="/")
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_importing_the_package_is_light() -> None:
    loaded = _modules_after("import toolbox")
    assert not {"whoosh", "click", "jinja2", "weasyprint", "flask"} & loaded


@pytest.mark.parametrize("project", [REPO, REPO / "tests" / "scenarios" / "minimal"])
def test_validate_does_not_load_whoosh(project: Path) -> None:
    loaded = _modules_after(
        "from toolbox.cli import main\n"
        "import sys\n"
        f"sys.argv = ['toolbox', '--project', {str(project)!r}, 'validate', '--json']\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main()\n    except SystemExit:\n        pass"
    )
    assert "click" in loaded
    assert "whoosh" not in loaded
    if not (project / "templates").is_dir():
        # templates are compiled only where the project overrides them (an installed toolbox
        # run on a checkout sees the checkout's templates/ as overrides, so REPO may load it)
        assert "jinja2" not in loaded


def test_search_on_a_fresh_index_loads_no_yaml(shipped: Any) -> None:
    """The cold path: a search checks file sizes and times, never the records themselves."""
    loaded = _modules_after(
        "from toolbox.cli import main\n"
        "import sys, contextlib, io\n"
        f"sys.argv = ['toolbox', '--project', {str(REPO)!r}, '--index', {str(shipped.index_dir)!r}, 'search', 'maps']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main()\n    except SystemExit:\n        pass"
    )
    assert "toolbox.search" in loaded and "whoosh" in loaded
    heavy = {"yaml", "toolbox.project", "toolbox.validate", "toolbox.yamlsource", "toolbox.documents", "jinja2",
             "difflib"}
    assert heavy & loaded == set()
