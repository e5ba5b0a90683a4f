"""The public web page under attack: escaping, Markdown links, security headers, request limits,
path traversal, HTTP methods, debug mode and odd inputs, all through Flask's test client (the
waitress body limit and the load test start `toolbox serve`). What each test proves, and the
limits and why, are in docs/reliability-web.md."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

import toolbox.web as web
from conftest import SCENARIOS
from toolbox import Toolbox
from toolbox.web import create_app

# Written out rather than imported: changing a header must be a decision a test notices.
CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"}
PAYLOADS = ['"><img src=x onerror=alert(1)>', "<script>alert(1)</script>"]
#: the escaped forms Jinja writes into text and attributes
ESCAPED = {PAYLOADS[0]: "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
           PAYLOADS[1]: "&lt;script&gt;alert(1)&lt;/script&gt;"}
HTML = "text/html; charset=utf-8"


# --------------------------------------------------------------------------- fixtures


def _app(project: Path, index_dir: Path | None = None, *, testing: bool = True) -> Any:
    app = create_app(project, index_dir)
    # TESTING makes an exception in a view fail the test instead of becoming a 500 page
    app.config["TESTING"] = testing
    return app


@pytest.fixture(scope="module")
def shipped_client(shipped: Toolbox) -> Any:
    return _app(shipped.project, shipped.index_dir).test_client()


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The minimal scenario, untouched: any 'onerror' or '<script' on its pages came from the request."""
    project = tmp_path_factory.mktemp("plain") / "minimal"
    shutil.copytree(SCENARIOS / "minimal", project)
    Toolbox.open(project).build_index()
    return _app(project).test_client()


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


HOSTILE_MARKDOWN = """|
    Know [js](javascript:alert(3)) and [data](data:text/html;base64,PHNjcmlwdD4=) and
    [vb](vbscript:msgbox(5)) and [mixed](JaVaScRiPt:alert(6)) and <javascript:alert(7)> and
    ![img](javascript:alert(8)) and [entity](&#106;avascript:alert(9)) and
    <b onmouseover="alert(10)">bold</b> and [ok](https://example.org/ok) and <https://example.org/auto>."""


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal scenario with markup in every kind of text a page shows: titles, summaries,
    Markdown bodies and steps, vocabulary labels, a language name, organisations, source titles."""
    root = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(SCENARIOS / "minimal", root)
    method = "methods/mapping-study.yaml"
    _edit(root, method, "en: Mapping study of creative firms", """en: 'Mapping "><img src=x onerror=alert(1)> study'""")
    _edit(root, method, "en: Collect data and draw maps of the CCI in a region.",
          "en: 'Collect <script>alert(2)</script> data and draw maps.'")
    _edit(root, method, "en: Know where creative firms are before designing support.", "en: " + HOSTILE_MARKDOWN)
    _edit(root, method, "en: Gather statistics.",
          """en: 'Gather <iframe src="https://evil.example/"></iframe> statistics.'""")
    _edit(root, "methods/vocabulary.yaml", "label: {en: Schools, de: Schulen}",
          "label: {en: 'Schools <svg onload=alert(11)>', de: Schulen}")
    _edit(root, "methods/vocabulary.yaml", "it: Italiano", """it: 'Italiano"><script>alert(12)</script>'""")
    _edit(root, "methods/pilots/demo-pilot.yaml", "project: demo",
          """project: demo\norganisations: ['<i>Org</i> & "Co"']""")
    _edit(root, "methods/regions/testland.yaml", "- title: Test fixture", "- title: 'Fixture <style>body{}</style>'")
    tb = Toolbox.open(root)
    tb.build_index()
    assert not tb.problems  # every hostile text is valid content: the pages must cope with it
    return root


@pytest.fixture(scope="module")
def hostile(hostile_project: Path) -> Any:
    return _app(hostile_project).test_client()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


#: every element the web templates and Markdown (without raw HTML) produce
WEB_TAGS = {"html", "head", "meta", "title", "link", "script", "body", "a", "header", "div", "span", "nav", "ul", "li",
            "main", "footer", "p", "form", "label", "input", "button", "section", "h1", "h2", "h3", "h4", "fieldset",
            "legend", "select", "option", "ol", "mark", "table", "caption", "tr", "th", "td", "article", "br", "em",
            "strong", "code", "pre", "blockquote", "hr"}
SAFE_URL = ("/", "#", "https://", "http://", "mailto:")


def assert_inert(html: str, allowed: set[str] = WEB_TAGS, scripts: tuple[str, ...] = ("/static/web.js",)) -> None:
    """Parse the page as a browser would and check that nothing in it can run: only known elements,
    no event-handler attributes, the one script of the site, and links with safe schemes only."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in allowed, (tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "script":
            assert attrs.get("src") in scripts, attrs
        for name in ("href", "src", "action", "formaction"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(SAFE_URL), (tag, attrs)


# --------------------------------------------------------------------------- escaping


@pytest.mark.parametrize("path", [
    "/records/mapping-study?lang=en", "/records/demo-pilot?lang=en", "/records/testland?lang=en",
    "/?q=maps&lang=en", "/?q=collect&lang=en", "/?lang=en&audience=schools", "/?q=maps&audience=schools&lang=en",
    "/basket?b=mapping-study,demo-pilot&lang=en", "/nope?lang=en", "/?audience=nope&lang=en",
])
def test_hostile_content_is_inert_on_every_page(hostile: Any, path: str) -> None:
    response = hostile.get(path)
    assert response.status_code in (200, 400, 404)
    assert_inert(response.get_data(as_text=True))


def test_hostile_content_comes_out_as_text(hostile: Any) -> None:
    record = hostile.get("/records/mapping-study?lang=en").get_data(as_text=True)
    assert "<title>Mapping &#34;&gt;&lt;img src=x onerror=alert(1)&gt; study – CCI Method Toolbox</title>" in record
    assert "<h1>Mapping &#34;&gt;&lt;img src=x onerror=alert(1)&gt; study</h1>" in record
    assert ('<div class="text" lang="en"><p>Collect &lt;script&gt;alert(2)&lt;/script&gt; data and draw maps.</p>'
            in record)
    assert "<p>Gather &lt;iframe src=&quot;https://evil.example/&quot;&gt;&lt;/iframe&gt; statistics.</p>" in record
    # a language name from the vocabulary, in the language links of every page
    assert '<span class="visually-hidden"> Italiano&#34;&gt;&lt;script&gt;alert(12)&lt;/script&gt;</span>' in record

    pilot = hostile.get("/records/demo-pilot?lang=en").get_data(as_text=True)
    assert '<a href="/?lang=en&amp;audience=schools">Schools &lt;svg onload=alert(11)&gt;</a>' in pilot
    assert "<td>&lt;i&gt;Org&lt;/i&gt; &amp; &#34;Co&#34;</td>" in pilot
    region = hostile.get("/records/testland?lang=en").get_data(as_text=True)
    assert "<li>Fixture &lt;style&gt;body{}&lt;/style&gt;<br>" in region

    # search hits: title, snippet (highlighting must not unescape) and the facet label
    listing = hostile.get("/?q=collect&lang=en").get_data(as_text=True)
    assert '">Mapping &#34;&gt;&lt;img src=x onerror=alert(1)&gt; study</a></h2>' in listing
    assert ('<p class="snippet"><mark>Collect</mark> &lt;script&gt;alert(2)&lt;/script&gt; data and draw maps.'
            in listing)
    facets = hostile.get("/?lang=en&audience=schools").get_data(as_text=True)
    assert ('<label for="f-audience-schools">Schools &lt;svg onload=alert(11)&gt; <span class="count">(3)</span>'
            in facets)
    rescue = hostile.get("/?q=maps&audience=schools&lang=en").get_data(as_text=True)
    assert "Try without: Schools &lt;svg onload=alert(11)&gt; (1)</a>" in rescue
    basket = hostile.get("/basket?b=mapping-study&lang=en").get_data(as_text=True)
    assert 'b=mapping-study">Mapping &#34;&gt;&lt;img src=x onerror=alert(1)&gt; study</a>' in basket


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("key", ["q", "more", "lang", "sort", "page", "b", "audience", "region", "paper", "junk"])
def test_parameters_are_escaped_wherever_they_come_back(plain: Any, key: str, payload: str) -> None:
    response = plain.get(f"/?{key}={quote(payload)}")
    html = response.get_data(as_text=True)
    assert response.status_code == (400 if key in ("sort", "audience", "region") else 200)
    assert_inert(html)
    assert payload not in html
    if key == "q":  # the query is shown and kept: as text in the page, percent-encoded in links
        escaped = ESCAPED[payload]
        assert f'<input id="q" name="q" type="search" value="{escaped}" maxlength="500" autocomplete="off">' in html
        assert f"<title>{escaped} – CCI Method Toolbox</title>" in html
        kept = [parse_qs(urlsplit(link).query) for link in _links(html) if "q=" in link]
        # the booklet link, three language links and the API link; no results, so no others
        assert len(kept) == 5 and all(params["q"] == [payload] for params in kept)
    elif key in ("sort", "audience", "region"):  # the error message quotes the value, as text
        what = {"sort": "sort", "audience": "audience value", "region": "region value"}[key]
        assert "<h1>This request cannot be answered</h1>" in html
        assert f'<p class="detail">unknown {what} &#39;{ESCAPED[payload]}&#39;</p>' in html
    else:  # ignored, and carried into no link (more= used to be kept in every link whatever it held)
        assert "alert" not in html and '<html lang="en">' in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_api_and_downloads_echo_values_only_as_data(plain: Any, payload: str) -> None:
    missing = plain.get(f"/api/records/{quote(payload, safe='')}")
    assert missing.status_code == 404 and missing.content_type == "application/json"
    assert missing.headers["X-Content-Type-Options"] == "nosniff"  # JSON is never sniffed as HTML
    # Werkzeug decodes %2F before routing, so an id with a slash matches no route at all
    assert missing.get_json() == ({"error": "Not found", "hint": ""} if "/" in payload
                                  else {"error": f"no record with id '{payload}'"})
    bad = plain.get(f"/api/search?audience={quote(payload)}")
    assert bad.status_code == 400 and bad.content_type == "application/json"
    assert bad.get_json()["error"] == f"unknown audience value '{payload}'"
    recipe = plain.get(f"/basket.yaml?b={quote(payload)},mapping-study")
    assert recipe.content_type == "application/yaml"
    assert "include:\n  - mapping-study\n" in recipe.get_data(as_text=True)  # unknown ids are dropped


# --------------------------------------------------------------------------- Markdown


def _links(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    return [str(a.get("href")) for tag, a in parser.tags if tag == "a"]


EXPECTED_PURPOSE = (
    "<p>Know [js](javascript:alert(3)) and [data](data:text/html;base64,PHNjcmlwdD4=) and\n"
    "[vb](vbscript:msgbox(5)) and [mixed](JaVaScRiPt:alert(6)) and &lt;javascript:alert(7)&gt; and\n"
    "![img](javascript:alert(8)) and [entity](javascript:alert(9)) and\n"
    "&lt;b onmouseover=&quot;alert(10)&quot;&gt;bold&lt;/b&gt; and <a href=\"https://example.org/ok\">ok</a> and "
    "<a href=\"https://example.org/auto\">https://example.org/auto</a>.</p>")


def test_markdown_on_the_record_page_has_no_raw_html_and_only_safe_links(hostile: Any) -> None:
    html = hostile.get("/records/mapping-study?lang=en").get_data(as_text=True)
    assert EXPECTED_PURPOSE in html
    purpose = html[html.index("<h2>Purpose</h2>"):html.index("</section>", html.index("<h2>Purpose</h2>"))]
    assert _links(purpose) == ["https://example.org/ok", "https://example.org/auto"]


def test_markdown_in_the_handbook_html_has_no_raw_html_and_only_safe_links(hostile: Any,
                                                                          hostile_project: Path) -> None:
    from toolbox.handbook import assemble, render
    from toolbox.recipe import Recipe, Section

    booklet = hostile.get("/basket.html?b=mapping-study,demo-pilot,testland&lang=en")
    assert booklet.status_code == 200 and booklet.content_type == HTML
    html = booklet.get_data(as_text=True)
    assert EXPECTED_PURPOSE in html
    assert "<script" not in html
    # recipes are Markdown too: the intro of the book and of a section
    tb = Toolbox.open(hostile_project)
    recipe = Recipe(title='T "><script>alert(1)</script>',
                    intro="[a](javascript:alert(1)) <img src=x onerror=alert(2)>",
                    sections=(Section(title="<b>S</b>", intro="[b](data:text/html,x) [c](https://example.org/c)",
                                      items=("mapping-study",)),))
    book = render(assemble(tb, recipe), tb.catalogue, "html", tb.project)
    assert "<script" not in book and "<img" not in book and "<b>S</b>" not in book
    assert "<p>[a](javascript:alert(1)) &lt;img src=x onerror=alert(2)&gt;</p>" in book
    assert '<p>[b](data:text/html,x) <a href="https://example.org/c">c</a></p>' in book
    assert not [link for link in _links(book) if not link.startswith(SAFE_URL)]


@pytest.mark.parametrize(("source", "live"), [
    ("[x](javascript:alert(1))", False), ("[x](JAVASCRIPT:alert(1))", False), ("[x](java\tscript:alert(1))", False),
    ("[x](&#106;avascript:alert(1))", False), ("[x](data:text/html;base64,PHNjcmlwdD4=)", False),
    ("[x](vbscript:msgbox(1))", False), ("[x](file:///etc/passwd)", False), ("<javascript:alert(1)>", False),
    ("[x](//evil.example/)", False), ("![x](javascript:alert(1))", False),
    ("[x](https://example.org/)", True), ("[x](http://example.org/)", True), ("[x](mailto:a@example.org)", True),
    ("[x](#top)", True),
])
def test_markdown_link_schemes(source: str, live: bool) -> None:
    from toolbox.handbook import _markdown

    html = _markdown().render(source)
    assert ("<a href=" in html) is live, html
    assert "<img" not in html


# --------------------------------------------------------------------------- headers


def _fake_pdf(html: str, target: Path, base_url: str = "") -> None:
    target.write_bytes(b"%PDF-1.7 fake\n")  # WeasyPrint takes seconds; the headers are the point


@pytest.mark.parametrize(("method", "path", "status", "content_type"), [
    ("GET", "/?q=hackathon", 200, HTML),
    ("GET", "/records/industrial-hackathon", 200, HTML),
    ("GET", "/basket?b=cci-help-desk", 200, HTML),
    ("GET", "/api/search?q=hackathon", 200, "application/json"),
    ("GET", "/api/records/industrial-hackathon", 200, "application/json"),
    ("GET", "/export.csv?q=hackathon", 200, "text/csv; charset=utf-8"),  # once had "; charset=utf-8" twice
    ("GET", "/export.json?q=hackathon", 200, "application/json"),
    ("GET", "/basket.yaml?b=cci-help-desk", 200, "application/yaml"),
    ("GET", "/basket.html?b=cci-help-desk", 200, HTML),
    ("GET", "/basket.pdf?b=cci-help-desk", 200, "application/pdf"),
    ("GET", "/static/web.css", 200, "text/css; charset=utf-8"),
    ("GET", "/static/web.js", 200, "text/javascript; charset=utf-8"),
    ("HEAD", "/?q=hackathon", 200, HTML),
    ("GET", "/?audience=nonsense", 400, HTML),
    ("GET", "/api/search?audience=nonsense", 400, "application/json"),
    ("GET", "/nope", 404, HTML),
    ("GET", "/static/nope.css", 404, HTML),
    ("GET", "/api/records/nope", 404, "application/json"),
    ("POST", "/", 405, HTML),
    ("DELETE", "/api/search", 405, "application/json"),
    ("GET", "/?q=" + "x" * (web.MAX_QUERY_BYTES + 1), 400, HTML),
])
def test_security_headers_on_every_response_kind(shipped_client: Any, monkeypatch: pytest.MonkeyPatch, method: str,
                                                 path: str, status: int, content_type: str) -> None:
    monkeypatch.setattr("toolbox.handbook.html_to_pdf", _fake_pdf)
    with shipped_client.open(path, method=method) as response:  # static files are streamed: close them
        assert response.status_code == status
        assert response.headers["Content-Type"] == content_type
        for key, value in HEADERS.items():
            assert response.headers[key] == value, key


def test_security_headers_on_413_500_and_503(shipped: Toolbox, minimal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _app(shipped.project, shipped.index_dir, testing=False).test_client()
    big = client.get("/", data=b"x" * (web.MAX_BODY + 1))
    assert big.status_code == 413 and "<h1>This request is too large</h1>" in big.get_data(as_text=True)

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"secret detail in {shipped.project}")

    monkeypatch.setattr(web, "record_to_json", boom)
    crashed = client.get("/api/records/cci-help-desk")
    assert crashed.status_code == 500
    assert crashed.get_json() == {"error": "Something went wrong on our side", "hint": ""}

    no_index = _app(minimal, minimal / "no-index").test_client()
    unavailable = no_index.get("/")
    assert unavailable.status_code == 503
    for response in (big, crashed, unavailable):
        for key, value in HEADERS.items():
            assert response.headers[key] == value, (response.status_code, key)


# --------------------------------------------------------------------------- limits


def _no_search(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("a refused request must not reach the search")


def _filters(n: int) -> str:
    return "&".join(["audience=citizens"] * n)


@pytest.mark.parametrize(("path", "message"), [
    ("/?q=" + "x" * web.MAX_QUERY_BYTES, "the address is longer than 32 KB"),
    ("/?b=" + ",".join(f"id-{i}" for i in range(8000)), "the address is longer than 32 KB"),
    ("/?" + "&".join(f"p{i}=1" for i in range(web.MAX_PARAMS + 1)), "the address has more than 200 parameters"),
    ("/?" + "&".join(["q=a"] * 5000), "the address has more than 200 parameters"),
    ("/?" + _filters(web.MAX_FILTER_VALUES + 1), "more than 100 filter values"),
    ("/?audience=" + ",".join(["citizens"] * 200), "more than 100 filter values"),
    ("/?q=" + "a" * (web.MAX_QUERY_CHARS + 1), "the query is longer than 500 characters"),
    ("/?q=" + "+".join(["CCI"] * (web.MAX_QUERY_WORDS + 1)), "the query has more than 32 words"),
    ("/?q=*", "&#39;*&#39;: a wildcard needs at least 3 letters before * or ?"),
    ("/?q=title_en:*", "&#39;title_en:*&#39;: a wildcard needs at least 3 letters before * or ?"),
    ("/?q=*a*", "&#39;*a*&#39;: a wildcard needs at least 3 letters before * or ?"),
    ("/?q=ab%3Fc", "&#39;ab?c&#39;: a wildcard needs at least 3 letters before * or ?"),
    ("/?q=" + quote("hac* wor* ind* cre* reg*"), "the query has more than 4 wildcards"),
    ("/?q=" + quote("[a TO z]"), "ranges ([a TO b]) cannot be searched here"),
    ("/?q=" + quote("title_en:{a TO}"), "ranges ([a TO b]) cannot be searched here"),
    ("/?q=a%00b", "the address contains control characters"),
    ("/?lang=%1b", "the address contains control characters"),
    ("/?a%00=1", "the address contains control characters"),
])
def test_oversized_and_costly_requests_are_refused_before_any_search(
        shipped_client: Any, monkeypatch: pytest.MonkeyPatch, path: str, message: str) -> None:
    monkeypatch.setattr(Toolbox, "search", _no_search)
    for prefix in ("", "/api/search", "/export.csv"):
        url = prefix + path[1:] if prefix else path
        response = shipped_client.get(url)
        assert response.status_code == 400, url[:80]
        if prefix == "/api/search":
            assert response.get_json()["error"] == message.replace("&#39;", "'")
        elif not prefix:
            html = response.get_data(as_text=True)
            assert f'<h1>This request cannot be answered</h1>\n<p class="detail">{message}</p>' in html
            assert len(html) < 5000  # the error page repeats nothing of the request in its links


def test_body_over_the_limit_is_refused(shipped_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Toolbox, "search", _no_search)
    assert shipped_client.get("/", data=b"x" * (web.MAX_BODY + 1)).status_code == 413
    assert shipped_client.post("/api/search", data=b"x" * (web.MAX_BODY + 1)).status_code == 413


def test_the_limits_leave_room_for_real_use(shipped_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ok = [
        "/?" + "&".join(f"p{i}=1" for i in range(web.MAX_PARAMS)),
        "/?" + _filters(web.MAX_FILTER_VALUES),
        "/?q=" + "a" * web.MAX_QUERY_CHARS,
        "/?q=" + "+".join(["workshop"] * web.MAX_QUERY_WORDS),
        "/?q=" + quote("hack* indus* cult* creat*"),
        "/?q=" + quote('"*" OR "a?"'),  # in a phrase * and ? are plain characters
        "/?q=hackathon%3F",  # a question mark after a word
        "/?q=%E2%80%AEcontrol-free%09tab",  # right-to-left override and a tab are not control characters we refuse
        # a full basket of the longest ids the schema's file names allow, well under the address limit
        "/basket?b=" + ",".join(f"{'x' * 35}-{i:03d}" for i in range(web.MAX_BASKET)),
    ]
    for url in ok:
        response = shipped_client.get(url)
        assert response.status_code == 200, url[:80]
    assert shipped_client.get("/api/search?q=" + quote("hack*")).get_json()["total"] >= 8  # the 8 hackathons


def test_a_huge_basket_is_cut_to_its_limit(shipped_client: Any, shipped: Toolbox,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [h.id for h in shipped.search("", limit=10, update=False).hits]
    monkeypatch.setattr(web, "MAX_BASKET", 4)
    asked = ",".join(ids + ids + ["nope", "../x", "<b>"])
    html = shipped_client.get(f"/basket?lang=en&b={quote(asked)}").get_data(as_text=True)
    assert "<h1>Booklet (4)</h1>" in html
    assert f'<a class="basket-link" href="/basket?lang=en&amp;b={",".join(ids[:4])}">Booklet (4)</a>' in html


def test_zero_results_try_at_most_ten_filters_without(plain: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = Toolbox.search

    def counting(self: Toolbox, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[0] if args else kwargs.get("query", ""))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Toolbox, "search", counting)
    every = "&".join(f"{a}={v}" for a, vs in (("audience", "public-administration,schools,creatives"),
                                               ("sector", "design,crafts,cross-sector"), ("effort", "low,medium,high"),
                                               ("kind", "method,pilot,region")) for v in vs.split(","))
    response = plain.get(f"/?q=zeppelinzz&{every}")
    assert response.status_code == 200
    assert len(calls) == 1 + web.RESCUE_TRIES  # 12 ticked values, 10 tried


# --------------------------------------------------------------------------- odd input


@pytest.mark.parametrize("header", ["*;q=abc", "de;q=abc", ",,,;;;", "de;q=1.5", "de;q=-1", "\u00e9\u00e9",
                                    "x" * 5000, "de," * 400, "*"])
def test_odd_accept_language_headers(shipped_client: Any, header: str) -> None:
    response = shipped_client.get("/?q=hackathon", headers={"Accept-Language": header.encode().decode("latin-1")})
    assert response.status_code == 200
    lang = response.headers["Content-Language"]
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)
    if len(header) > web.MAX_ACCEPT_LANGUAGE:
        assert lang == "en"  # ignored, not parsed


def test_invalid_utf8_nul_and_long_headers(shipped_client: Any) -> None:
    # Werkzeug keeps bytes that are not UTF-8 as %XX text: a search for "%FF", shown as text
    invalid = shipped_client.get("/?q=%ff&lang=en")
    assert invalid.status_code == 200
    assert 'value="%FF"' in invalid.get_data(as_text=True)
    assert shipped_client.get("/records/%ff").status_code == 404
    assert shipped_client.get("/records/a%00b").status_code == 404
    assert shipped_client.get("/api/records/%c0%ae%c0%ae").status_code == 404
    # headers the app does not read are not its business, however long
    long = shipped_client.get("/?q=hackathon", headers={"User-Agent": "x" * 100_000, "X-Junk": "y" * 100_000})
    assert long.status_code == 200
    for url in ("/?page=99999999999999999999999", "/?page=-5", "/?page=1e9", "/?page=" + "9" * 5000,
                "/api/search?limit=99999999999999999999", "/api/search?q=%22", "/?q=%22%28%5B"):
        assert shipped_client.get(url).status_code == 200, url[:60]
    assert shipped_client.get("/api/search?limit=" + "9" * 5000).status_code == 400  # beyond int()'s digit limit


# --------------------------------------------------------------------------- paths, methods, debug


@pytest.mark.parametrize("path", [
    "/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e%5c%2e%2e%5cetc%5cpasswd", "/static//etc/passwd", "/static/web.css%00", "/static/..%2fweb.py",
    "/static/%2e%2e/%2e%2e/%2e%2e/toolbox/web.py", "/static/%252e%252e/%252e%252e/etc/passwd",
    "/records/..%2F..%2Fetc%2Fpasswd", "/records/../../x", "/records/%2e%2e", "/records/....//....//etc/passwd",
    "/api/records/..%2F..%2Fetc%2Fpasswd", "/basket.%2e%2e%2fetc%2fpasswd", "/basket..%2f..%2fpasswd",
    "/basket.yaml%2f..%2f..%2fetc%2fpasswd", "/basket.%2Fetc%2Fpasswd", "/export.%2e%2e%2f%2e%2e%2fx",
    "/export.csv%00.html", "/..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
])
def test_no_path_traversal(shipped_client: Any, shipped: Toolbox, path: str) -> None:
    # '//' is merged by a redirect to the same site (308), which then answers 404
    response = shipped_client.get(path, follow_redirects=True)
    assert response.status_code == 404, path
    assert all(r.headers["Location"].startswith("http://localhost/static/") for r in response.history)
    _no_internals(response.get_data(as_text=True), shipped)


def _no_internals(body: str, tb: Toolbox) -> None:
    for secret in ("root:", "Traceback", "File \"", str(tb.project), str(tb.index_dir), "site-packages", "/tmp/",
                   "werkzeug", "jinja2"):
        assert secret not in body, secret


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "PROPFIND"])
@pytest.mark.parametrize("path", ["/", "/records/cci-help-desk", "/basket", "/basket.pdf", "/export.csv",
                                  "/api/search", "/api/records/cci-help-desk", "/static/web.css"])
def test_other_methods_get_405_with_headers(shipped_client: Any, shipped: Toolbox, method: str, path: str) -> None:
    response = shipped_client.open(path, method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"  # sorted
    for key, value in HEADERS.items():
        assert response.headers[key] == value
    if path.startswith("/api/"):
        assert response.get_json() == {"error": "This address only answers GET requests", "hint": ""}
    else:
        assert "<h1>This address only answers GET requests</h1>" in response.get_data(as_text=True)
    _no_internals(response.get_data(as_text=True), shipped)


def test_head_and_options(shipped_client: Any) -> None:
    get = shipped_client.get("/records/cci-help-desk?lang=de")
    head = shipped_client.head("/records/cci-help-desk?lang=de")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.headers["Content-Type"] == HTML and head.headers["Content-Language"] == "de"
    options = shipped_client.options("/api/search")
    assert options.status_code == 200 and set(options.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert options.headers["X-Frame-Options"] == "DENY"


def test_debug_is_off_even_when_the_environment_asks(shipped: Toolbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = _app(shipped.project, shipped.index_dir, testing=False)
    assert app.debug is False and app.config["DEBUG"] is False
    assert app.config["PROPAGATE_EXCEPTIONS"] is None  # so a failing view becomes the 500 page

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"secret detail in {shipped.project}")

    monkeypatch.setattr(Toolbox, "similar", boom)
    response = app.test_client().get("/records/sokolov-east?lang=en")  # a region page asks for similar regions
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in html and "secret detail" not in html
    _no_internals(html, shipped)
    assert response.headers["Content-Security-Policy"] == CSP


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.org"])
def test_debug_is_refused_on_an_address_others_can_reach(tmp_path: Path, host: str) -> None:
    """Werkzeug's debugger runs any code typed into the browser: never on a public address."""
    from click.testing import CliRunner

    from toolbox.cli import main

    index = tmp_path / "index"
    result = CliRunner().invoke(main, ["--project", str(SCENARIOS / "minimal"), "--index", str(index), "serve",
                                       "--debug", "--host", host])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: host: --debug is only allowed on this machine's own address, not on {host}\n"
        "    hint: the debugger runs any code typed into the browser; use --host 127.0.0.1 with --debug, "
        "or serve without --debug\n")
    assert not index.exists()  # refused before any work


def test_loopback_addresses() -> None:
    from toolbox.cli import _loopback

    assert [h for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST") if not _loopback(h)] == []
    assert [h for h in ("0.0.0.0", "::", "10.0.0.1", "localhost.example.org", "") if _loopback(h)] == []


@pytest.mark.parametrize("path", ["/?audience=nope", "/nope", "/records/nope", "/basket.pdf", "/?q=*"])
def test_error_pages_show_no_internals(shipped_client: Any, shipped: Toolbox, path: str) -> None:
    response = shipped_client.get(path)
    assert response.status_code in (400, 404)
    _no_internals(response.get_data(as_text=True), shipped)


def test_error_pages_speak_the_language_asked(shipped_client: Any) -> None:
    response = shipped_client.get("/nope?lang=de")  # Content-Language said "en" on every 404
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.headers["Content-Language"] == "de"
    assert '<html lang="de">' in html and "<h1>Nicht gefunden</h1>" in html
    # a query the page refuses: heading, reason and hint in German; the JSON API keeps English
    response = shipped_client.get("/?q=*&lang=de")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and response.headers["Content-Language"] == "de"
    assert ("<h1>Diese Anfrage kann nicht beantwortet werden</h1>\n"
            "<p class=\"detail\">&#39;*&#39;: vor * oder ? müssen mindestens 3 Buchstaben stehen</p>"
            "<p>entfernen Sie * oder ? oder schreiben Sie mehr Buchstaben, etwa &#39;hack*&#39;</p>") in html
    assert shipped_client.get("/api/search?q=*&lang=de").get_json() == {
        "error": "'*': a wildcard needs at least 3 letters before * or ?",
        "hint": "remove the * or ?, or write more letters, as in 'hack*'"}
    # every refusal has its text in every catalogue, with the same placeholders as the English one
    from toolbox.labels import WEB_LABELS

    refusals = {k: v for k, v in WEB_LABELS.items() if k.startswith("refuse_")}
    assert len(refusals) == 11
    for key, row in refusals.items():
        assert {"en", "de", "cs", "pl", "sl", "it", "nl", "hr"} <= set(row), key
        for lang, text in row.items():
            assert sorted(re.findall(r"\{\w+\}", row["en"])) == sorted(re.findall(r"\{\w+\}", text)), (key, lang)
    # a reason from the library (not the page's own limits) stays English under the German heading
    html = shipped_client.get("/?audience=nope&lang=de").get_data(as_text=True)
    assert "<h1>Diese Anfrage kann nicht beantwortet werden</h1>" in html
    assert "<p class=\"detail\">unknown audience value &#39;nope&#39;</p>" in html


def test_no_index_answers_503_without_paths(minimal: Path, caplog: pytest.LogCaptureFixture) -> None:
    client = _app(minimal, minimal / "no-index").test_client()
    body = "503: The search is not available at the moment\nPlease try again in a few minutes.\n"
    for path in ("/", "/?q=x&lang=de", "/records/mapping-study", "/basket?b=mapping-study", "/basket.yaml",
                 "/export.csv"):
        response = client.get(path)
        assert (response.status_code, response.get_data(as_text=True)) == (503, body), path
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert response.headers["Content-Language"] == "en"
        for key, value in HEADERS.items():
            assert response.headers[key] == value
    api = client.get("/api/search?q=x")
    assert api.status_code == 503
    assert api.get_json() == {"error": "The search is not available at the moment",
                              "hint": "Please try again in a few minutes."}
    with client.get("/static/web.css") as static:
        assert static.status_code == 200  # static files need no index
    assert client.get("/nope").status_code == 404
    # the operator finds the reason, with the folder, in the log
    assert any(str(minimal / "no-index") in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- concurrency


def test_one_download_at_a_time_per_worker(shipped: Toolbox, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(shipped.project, shipped.index_dir)
    entered, release = threading.Event(), threading.Event()

    def slow_pdf(html: str, target: Path, base_url: str = "") -> None:
        entered.set()
        assert release.wait(60)  # a safety net, not a timing: the test sets it below
        _fake_pdf(html, target)

    monkeypatch.setattr("toolbox.handbook.html_to_pdf", slow_pdf)
    statuses: list[int] = []
    first = threading.Thread(target=lambda: statuses.append(
        app.test_client().get("/basket.pdf?b=cci-help-desk").status_code))
    first.start()
    try:
        assert entered.wait(60)
        client = app.test_client()
        for path in ("/basket.pdf?b=cci-help-desk&lang=de", "/basket.html?b=cci-help-desk", "/export.json?q=x"):
            busy = client.get(path)
            assert busy.status_code == 503 and busy.headers["Retry-After"] == "10", path
            assert busy.headers["X-Frame-Options"] == "DENY"
        assert "<h1>Gerade wird ein anderer Download vorbereitet</h1>" in client.get(
            "/basket.pdf?b=cci-help-desk&lang=de").get_data(as_text=True)
        # searches, pages and the recipe (no build) go on meanwhile
        assert client.get("/?q=hackathon").status_code == 200
        assert client.get("/basket.yaml?b=cci-help-desk").status_code == 200
    finally:
        release.set()
        first.join()
    assert statuses == [200]
    assert app.test_client().get("/export.csv?q=hackathon").status_code == 200  # the slot is free again


def test_records_are_loaded_once_when_threads_ask_together(minimal_tb: Toolbox,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[Path] = []
    entered, release = threading.Event(), threading.Event()
    from toolbox.project import load_catalogue as original

    def slow_load(project: Path, last_good: Any = None) -> Any:
        loads.append(project)
        entered.set()
        assert release.wait(60)
        return original(project, last_good)

    monkeypatch.setattr(web, "load_catalogue", slow_load)
    app = _app(minimal_tb.project, minimal_tb.index_dir)
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(
        app.test_client().get("/records/mapping-study").status_code)) for _ in range(4)]
    for t in threads:
        t.start()
    assert entered.wait(60)
    release.set()
    for t in threads:
        t.join()
    assert statuses == [200] * 4 and len(loads) == 1


# --------------------------------------------------------------------------- the real server


@pytest.fixture
def served(minimal: Path) -> Iterator[int]:
    """`toolbox serve` on the minimal scenario, one worker; yields the port."""
    Toolbox.open(minimal).build_index()
    cmd = [sys.executable, "-m", "toolbox", "--project", str(minimal), "serve", "--port", "0", "--workers", "1"]
    with subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True) as server:
        try:
            assert server.stderr is not None
            port = 0
            for line in server.stderr:
                if "serving" in line:
                    port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
                    break
            assert port, "toolbox serve did not start"
            # keep draining what the server logs (a full pipe would stall it), until it exits
            reader = threading.Thread(target=server.stderr.read, daemon=True)
            reader.start()
            yield port
        finally:
            server.terminate()
            server.wait(timeout=30)
            if "reader" in locals():
                reader.join(timeout=30)


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


@pytest.mark.slow
def test_waitress_refuses_a_big_body_without_reading_it(served: int) -> None:
    # The body is announced but never sent: before the fix waitress waited for 10 MB (it spools
    # up to 1 GB per request to a temporary file before the app sees it) and this read timed out.
    answer = _exchange(served, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413 ") or answer.startswith(b"HTTP/1.0 413 "), answer[:100]
    small = _exchange(served, b"GET /?q=workshop HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert small.startswith(b"HTTP/1.1 200 ")


@pytest.mark.slow
def test_load_script_exercises_every_request_kind_without_errors(minimal: Path) -> None:
    from stress.load import KINDS, run

    results = run(minimal, clients=[8], seconds=3.0, workers=2)
    assert len(results) == 1
    result = results[0]
    assert result.clients == 8
    assert result.errors == 0, result.failures[:5]
    assert {kind for kind, n in result.counts.items() if n} == set(KINDS)
