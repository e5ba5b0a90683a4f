"""The web interface: server-side behaviour through Flask's test client, the browser flow and
accessibility in real Chromium (Debian's package, driven by Playwright; never a downloaded browser)."""

from __future__ import annotations

import io
import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import SCENARIOS
from toolbox import Toolbox
from toolbox.cli import main
from toolbox.web import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def shipped_app(shipped: Toolbox) -> Any:
    app = create_app(shipped.project, shipped.index_dir)
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module")
def client(shipped_app: Any) -> Any:
    return shipped_app.test_client()


# --------------------------------------------------------------------------- server side


def test_api_search_matches_the_cli(client: Any, shipped: Toolbox) -> None:
    args = ["--project", str(shipped.project), "--index", str(shipped.index_dir), "search", "Industriekultur",
            "--audience", "citizens,schools", "--kind", "method", "--lang", "de", "--limit", "5", "--json"]
    cli = json.loads(CliRunner().invoke(main, args).stdout)
    api = client.get("/api/search?q=Industriekultur&audience=citizens&audience=schools&kind=method&lang=de&limit=5")
    assert api.status_code == 200
    data = api.get_json()
    assert [h["id"] for h in data["hits"]] == [h["id"] for h in cli["hits"]]
    assert data["facets"] == cli["facets"] and data["total"] == cli["total"]
    # comma-separated values work as in the CLI
    same = client.get("/api/search?q=Industriekultur&audience=citizens,schools&kind=method&lang=de&limit=5")
    assert same.get_json()["facets"] == cli["facets"]


def test_api_record_and_errors(client: Any) -> None:
    data = client.get("/api/records/industrial-hackathon").get_json()
    assert data["id"] == "industrial-hackathon" and data["links"]["pilots"] == ["hackathon-bielsko-biala-linz"]
    missing = client.get("/api/records/nope")
    assert missing.status_code == 404 and missing.get_json() == {"error": "no record with id 'nope'"}
    bad = client.get("/api/search?audience=school")
    assert bad.status_code == 400
    assert bad.get_json() == {"error": "unknown audience value 'school'", "hint": "did you mean 'schools'?"}
    assert client.get("/api/search?limit=x").status_code == 400


def test_pages_answer_400_or_404_never_500(client: Any) -> None:
    assert client.get("/?audience=nonsense").status_code == 400
    assert client.get("/?sort=size").status_code == 400
    assert client.get("/records/..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/records/NOPE").status_code == 404
    assert client.get("/basket.exe").status_code == 404
    page = client.get("/?q=%22%28%5B&page=zzz")
    assert page.status_code == 200


def test_language_from_browser_and_parameter(client: Any) -> None:
    page = client.get("/?q=hackathon", headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="de">' in html and "Industrie-Hackathon" in html and "Ergebnisse" in html
    page = client.get("/?q=hackathon&lang=en", headers={"Accept-Language": "de"})
    assert '<html lang="en">' in page.get_data(as_text=True)
    # Polish interface words fall back to English; content shows Polish where it exists
    html = client.get("/records/bielsko-biala?lang=pl").get_data(as_text=True)
    assert '<html lang="pl">' in html


def test_security_headers(client: Any) -> None:
    response = client.get("/")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_basket_lives_in_the_url_and_downloads(client: Any) -> None:
    html = client.get("/basket?lang=en&b=cci-help-desk,industrial-hackathon,bogus").get_data(as_text=True)
    assert html.index("CCI help desk") < html.index("Industrial hackathon")
    assert "bogus" not in html
    recipe = client.get("/basket.yaml?lang=de&b=cci-help-desk,industrial-hackathon").get_data(as_text=True)
    assert "include:\n  - cci-help-desk\n  - industrial-hackathon" in recipe and "lang: de" in recipe
    booklet = client.get("/basket.html?lang=en&b=cci-help-desk")
    assert booklet.status_code == 200 and "CCI help desk" in booklet.get_data(as_text=True)
    assert client.get("/basket.pdf?lang=en").status_code == 400  # empty booklet


def test_csv_and_json_export_of_the_result_set(client: Any) -> None:
    csv_text = client.get("/export.csv?q=hackathon&lang=en").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("id,kind,title,summary")
    ids = [line.split(",")[0] for line in csv_text.splitlines()[1:]]
    api = client.get("/api/search?q=hackathon&all=1").get_json()
    assert ids == [h["id"] for h in api["hits"]]
    data = json.loads(client.get("/export.json?q=hackathon").get_data(as_text=True))
    assert data["total"] == api["total"]


@pytest.fixture
def hostile(tmp_path: Path) -> Any:
    project = tmp_path / "hostile"
    shutil.copytree(SCENARIOS / "minimal", project)
    path = project / "methods/mapping-study.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "en: Mapping study of creative firms", "en: Mapping <script>alert('x')</script> study"), encoding="utf-8")
    tb = Toolbox.open(project)
    tb.build_index()
    return create_app(project).test_client()


def test_content_and_queries_are_escaped(hostile: Any) -> None:
    record = hostile.get("/records/mapping-study").get_data(as_text=True)
    assert "<script>alert" not in record and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in record
    results = hostile.get("/?q=%3Cscript%3Ealert(1)%3C/script%3E+maps").get_data(as_text=True)
    assert "<script>alert(1)" not in results and "&lt;script&gt;alert(1)&lt;/script&gt;" in results
    listing = hostile.get("/?q=maps").get_data(as_text=True)
    assert "<script>alert" not in listing
    facet = hostile.get("/?audience=%3Cb%3E").get_data(as_text=True)
    assert "<b>" not in facet


# --------------------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def server(shipped_app: Any) -> Iterator[str]:
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", 0, shipped_app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium package is required (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, locale="en-GB")
    pg = context.new_page()
    yield pg
    context.close()


def test_search_filter_record_basket_pdf(page: Any, server: str) -> None:
    page.goto(f"{server}/?lang=en")
    page.fill("#q", "hackathon")
    page.press("#q", "Enter")
    page.wait_for_url("**q=hackathon**")
    assert page.inner_text("h1.result-count").startswith("8 results")

    # two values on one axis (OR), one on another (AND); the script submits on each tick
    for box in ("#f-audience-creatives", "#f-audience-industrial-companies", "#f-sector-design"):
        with page.expect_navigation():
            page.check(box)
    assert page.is_checked("#f-audience-creatives") and page.is_checked("#f-sector-design")
    assert "audience=creatives" in page.url and "audience=industrial-companies" in page.url
    assert page.inner_text("h1.result-count").startswith("3 results")
    assert page.inner_text("label[for=f-sector-software-games] .count") == "(4)"

    # open a record and put it in the booklet
    page.click("ol.hits li:first-child h2 a")
    assert page.inner_text("main h1") == "Industrial hackathon"
    page.click("text=Add to booklet")
    assert "b=industrial-hackathon" in page.url
    page.click("text=Back to the search")
    # two more from the results
    page.click("ol.hits li:nth-child(2) .hit-actions a")
    page.click("ol.hits li:nth-child(3) .hit-actions a")
    page.click(".basket-link")
    titles = page.locator("ol.basket .basket-title > a").all_inner_texts()
    assert titles[0] == "Industrial hackathon" and len(titles) == 3

    # move the last one to the top
    page.click("ol.basket li:nth-child(3) >> text=Move up")
    page.click("ol.basket li:nth-child(2) >> text=Move up")
    reordered = page.locator("ol.basket .basket-title > a").all_inner_texts()
    assert reordered == [titles[2], titles[0], titles[1]]

    with page.expect_download() as info:
        page.click("text=Download PDF")
    pdf = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    flat = " ".join(text.split())
    positions = [flat.find(" ".join(t.split())) for t in reordered]
    assert all(p >= 0 for p in positions), (reordered, flat[:500])


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("path", ["/?q=hackathon&audience=creatives", "/records/industrial-hackathon",
                                  "/records/help-desk-skofja-loka", "/records/sokolov-east",
                                  "/basket?b=industrial-hackathon,cci-help-desk", "/?q=zzzzqqq&audience=schools"])
def test_no_accessibility_violations(page: Any, server: str, path: str, lang: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{server}{path}&lang={lang}" if "?" in path else f"{server}{path}?lang={lang}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_zero_results_offer_to_drop_a_filter(client: Any) -> None:
    html = client.get("/?q=hackathon&audience=schools&lang=en").get_data(as_text=True)
    assert "Nothing matches." in html
    assert '<a href="/?q=hackathon&amp;lang=en">Try without: Schools and teachers (8)</a>' in html


def test_pages_and_sorting(client: Any) -> None:
    first = client.get("/?lang=en&kind=method").get_data(as_text=True)
    assert "Page 1 of 4" in first and 'rel="next"' in first
    last = client.get("/?lang=en&kind=method&page=4").get_data(as_text=True)
    assert 'ol class="hits" start="31"' in last and 'rel="prev"' in last
    by_effort = client.get("/api/search?kind=method&sort=effort&limit=40").get_json()
    levels = [h["tags"]["effort"][0] for h in by_effort["hits"]]
    assert levels == sorted(levels, key=["low", "medium", "high"].index)


def test_long_facet_lists_show_the_top_values_and_a_link_to_all(tmp_path: Path) -> None:
    from toolbox.synthetic import generate

    project = generate(tmp_path / "corpus", 120)  # 18 regions
    tb = Toolbox.open(project, tmp_path / "index")
    tb.build_index()
    client = create_app(project, tb.index_dir).test_client()
    regions = tb.search("", limit=0, update=False).facets["region"]
    assert len(regions) == 18

    page = client.get("/?lang=en").get_data(as_text=True)
    shown = re.findall(r'name="region" value="([^"]+)"', page)
    assert shown == [f.value for f in regions[:12]]
    assert '<a href="/?lang=en&amp;more=region">Show all 18</a>' in page

    everything = client.get("/?lang=en&more=region").get_data(as_text=True)
    assert re.findall(r'name="region" value="([^"]+)"', everything) == [f.value for f in regions]
    assert "Show fewer" in everything and '<input type="hidden" name="more" value="region">' in everything

    # a ticked value beyond the first twelve stays listed, ticked
    last = regions[-1].value
    ticked = client.get(f"/?lang=en&region={last}").get_data(as_text=True)
    assert f'id="f-region-{last}" name="region" value="{last}" checked' in ticked
    assert client.get("/?more=nonsense").status_code == 200


def test_results_and_pages_are_cached_per_index_generation(tmp_path: Path) -> None:
    project = tmp_path / "minimal"
    shutil.copytree(SCENARIOS / "minimal", project)
    tb = Toolbox.open(project)
    tb.build_index()
    client = create_app(project, tb.index_dir).test_client()
    before = client.get("/api/search?q=zeppelin").get_json()["total"]
    assert before == 0
    assert '<h1 id="result-count" class="result-count">0 results' in client.get("/?q=zeppelin").get_data(as_text=True)
    record = next(p for p in sorted((project / "methods").glob("*.yaml")) if p.name != "vocabulary.yaml")
    record.write_text(record.read_text(encoding="utf-8").replace("  en: ", "  en: Zeppelin ", 1), encoding="utf-8")
    Toolbox.open(project).build_index()
    # the same requests again: a new generation, so neither the cached result nor the cached page is reused
    assert client.get("/api/search?q=zeppelin").get_json()["total"] == 1
    assert '<h1 id="result-count" class="result-count">1 result' in client.get("/?q=zeppelin").get_data(as_text=True)
    # the page depends on the language asked for, by parameter or by the browser
    german = client.get("/?q=zeppelin", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "1 Ergebnis" in german and german != client.get("/?q=zeppelin").get_data(as_text=True)


@pytest.mark.slow
def test_serve_runs_workers_and_stops_them_all(tmp_path: Path) -> None:
    import subprocess
    import sys

    project = tmp_path / "minimal"
    shutil.copytree(SCENARIOS / "minimal", project)
    with subprocess.Popen([sys.executable, "-m", "toolbox", "--project", str(project), "serve", "--port", "0",
                           "--workers", "2"], stderr=subprocess.PIPE, text=True) as server:
        _check_serve(server)


def _check_serve(server: Any) -> None:
    import os
    import signal
    import urllib.request

    try:
        assert server.stderr is not None
        lines = []
        for line in server.stderr:
            lines.append(line)
            if "serving" in line:
                break
        found = re.search(r"on http://127\.0\.0\.1:(\d+)/ with 2 workers \(Ctrl\+C to stop\)", lines[-1])
        assert found, lines
        port = int(found.group(1))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=workshop", timeout=30) as response:
            assert response.status == 200 and json.load(response)["total"] >= 1
        children = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                    and _parent_of(p) == server.pid]
        assert len(children) == 2
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        for pid in children:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _parent_of(proc: Path) -> int:
    try:
        for line in (proc / "status").read_text().splitlines():
            if line.startswith("PPid:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1
