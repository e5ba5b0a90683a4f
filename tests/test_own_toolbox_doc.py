"""docs/own-toolbox.md, followed step by step in a temporary folder: every ``sh`` block runs as
written (but for the install, the long-running server and the PDF, which are checked their own
way), and what the page promises holds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

DOC = REPO / "docs" / "own-toolbox.md"
BLOCKS = re.compile(r"```sh\n(.*?)```", re.S)


def _steps() -> list[str]:
    """The page's shell blocks, without the lines this test replaces."""
    out = []
    for block in BLOCKS.findall(DOC.read_text(encoding="utf-8")):
        lines = [line for line in block.splitlines()
                 if not line.startswith(("python3 -m venv", "pip install", "toolbox serve"))]
        script = "\n".join(lines).replace("handbook.pdf", "handbook-doc.pdf")
        if script.strip():
            out.append(script)
    return out


def _run(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("TOOLBOX_PROJECT", None)
    env.pop("TOOLBOX_INDEX", None)
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=300)


def test_the_page_has_the_steps_it_promises() -> None:
    steps = _steps()
    assert len(steps) == 4
    assert steps[0].startswith("toolbox init ruhr-toolbox")
    assert "toolbox serve" in DOC.read_text(encoding="utf-8")


def test_following_own_toolbox_md(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    cwd = tmp_path
    outputs = []
    for i, script in enumerate(_steps()):
        result = _run(script, cwd)
        assert result.returncode == 0, f"step {i + 1} failed:\n{script}\n{result.stdout}\n{result.stderr}"
        outputs.append(result)
        if i == 0:
            cwd = tmp_path / "ruhr-toolbox"
    # step 1 ends in a clean validate; step 2 adds three methods, still strictly clean
    assert outputs[0].stdout.splitlines()[-1] == "3 files checked: 3 valid records, 0 errors, 0 warnings"
    assert outputs[1].stdout.splitlines()[-1] == "6 files checked: 6 valid records, 0 errors, 0 warnings"
    assert "leerstandsboerse" in outputs[2].stdout
    pdf = cwd / "handbook-doc.pdf"
    assert pdf.stat().st_size > 10_000
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Ruhr-Kreativ-Werkzeugkasten" in text and "Stadt Bochum" in text and "CC BY-SA 4.0" in text
    assert "Leerstandsbörse für Kreative" in text
    # step 4: the overrides are used
    html = (cwd / "handbook.html").read_text(encoding="utf-8")
    assert '<p class="cover-kicker">Ruhr-Kreativ-Werkzeugkasten · Stadt Bochum</p>' in html
    from toolbox.web import create_app

    page = create_app(cwd, cwd / "index").test_client().get("/?q=Leerstand").get_data(as_text=True)
    footer = '<footer class="site-footer"><p>Ruhr-Kreativ-Werkzeugkasten · Stadt Bochum · CC BY-SA 4.0</p></footer>'
    assert footer in page
    assert "leerstandsboerse" in page
