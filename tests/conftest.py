from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolbox import Toolbox

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SCENARIOS = TESTS / "scenarios"


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A writable copy of the minimal scenario project."""
    target = tmp_path / "minimal"
    shutil.copytree(SCENARIOS / "minimal", target)
    return target


@pytest.fixture
def minimal_tb(minimal: Path) -> Toolbox:
    tb = Toolbox.open(minimal)
    tb.build_index()
    return tb


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Toolbox]:
    """The shipped content with an index in a temporary folder (never the checkout's index/)."""
    index_dir = tmp_path_factory.mktemp("shipped-index")
    tb = Toolbox.open(REPO, index_dir)
    tb.build_index()
    yield tb
