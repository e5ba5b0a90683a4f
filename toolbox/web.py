"""The web interface: a Flask app factory over the same library the CLI uses.

``create_app()`` reads the built index and the records; it keeps no state between requests
beyond read caches keyed by the live index generation, so several processes or hosts can serve
the same index. Pages work as plain GET forms without JavaScript; the booklet basket lives in
the URL (``b=id1,id2``). Flask is imported only here, by ``toolbox serve`` or a WSGI server:

    waitress-serve --port 8080 --call toolbox.web:create_app
"""

from __future__ import annotations

import io
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, Response, abort, g, make_response, render_template, request, url_for
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .api import Toolbox
from .errors import IndexUnavailable, Problem, QueryError, ToolboxError, UsageError
from .indexer import STATE, live_generation
from .labels import count, kind_label, labels_for, statements, web_labels
from .model import FACET_AXES, Filters, Method, Pilot, Region, Settings, Snippet, Text, any_fallback, settings_from_json
from .paths import shipped_project
from .project import Catalogue, load_catalogue
from .query import query_terms
from .reports import record_to_json, result_to_json
from .search import facet_label, open_index, record_ids

PAGE_SIZE = 10
#: Rendered search pages kept per worker (keyed by index generation, language and query string).
PAGE_CACHE = 256
#: Facet values listed per axis before a "show all" link (1,500 regions would swamp the page).
FACET_SHOWN = 12
#: Records in a basket; ids beyond this (and unknown ones) are dropped, the page still answers.
MAX_BASKET = 200
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Request limits, checked before any search runs (docs/reliability.md says why each value).
# Werkzeug bounds form bodies (MAX_FORM_PARTS) but not a GET query string, and every page here
# is a GET, so the query string is checked by hand: its length before Werkzeug parses it, then
# the number of parameters and of filter values. Everything over a limit answers 400.
#: Bytes of the query string. A full basket (200 ids of up to 39 letters) is about 8 KB, which
#: nginx's default buffers (8 KB a request line) would already refuse in front of us.
MAX_QUERY_BYTES = 32 * 1024
#: Query parameters (repeated keys counted): the search form sends one per ticked box.
MAX_PARAMS = 200
#: Filter values, all axes together, after splitting commas (duplicates counted).
MAX_FILTER_VALUES = 100
#: Characters of ``q`` (the search box has the same maxlength).
MAX_QUERY_CHARS = 500
#: Words of ``q``: each is looked up in some twenty text fields, and a synonym turns into an OR
#: of its whole group (32 x "CCI" took 0.4 s on the 78 shipped records before query.py began to
#: drop repeated plain words; ten different synonym groups still take 0.18 s).
MAX_QUERY_WORDS = 32
#: Wildcard terms in ``q``, and the letters each needs before its first ``*`` or ``?``: a bare
#: ``*`` expands to every term of the index (12 s at 5,000 records), a one-letter prefix took up
#: to 1.2 s, a two-letter one 0.45 s, a three-letter one 0.25 s (four of those: 0.7 s).
MAX_WILDCARDS = 4
WILDCARD_PREFIX = 3
#: Bytes of Accept-Language considered; a browser sends under a hundred. A longer header is
#: ignored rather than parsed (200 KB of it took 0.4 s).
MAX_ACCEPT_LANGUAGE = 1024
#: Bytes of a request body; no route reads one (all are GET), so this only refuses uploads.
MAX_BODY = 64 * 1024
#: Downloads (PDF/HTML booklets, CSV/JSON exports) built at once per worker process: a PDF of
#: 33 methods took 11 s and a JSON export of 5,000 records 12 s, so a few of them in parallel
#: would take every thread from the searches. Another one meanwhile answers 503 at once.
DOWNLOADS_AT_ONCE = 1
RETRY_AFTER = 10
#: Zero-result rescue: searches tried (one per ticked filter value) to suggest one to drop.
RESCUE_TRIES = 10
#: C0 control characters (tab, line feed and carriage return allowed) and DEL: no form field
#: sends them; a NUL would end up raw in the HTML and the exports.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@lru_cache(maxsize=4)
def _catalogue_cached(project: Path, generation: str, index_dir: Path | None = None, stamp: int = 0) -> Catalogue:
    from .lastgood import reader

    # the records as of this generation: a file broken since keeps its last good version
    return load_catalogue(project, reader(index_dir, index_dir / generation) if index_dir else None)


_catalogue_lock = threading.Lock()


def _catalogue(project: Path, generation: str, index_dir: Path | None = None, stamp: int = 0) -> Catalogue:
    """Records, reloaded whenever the index moves to a new generation. One thread loads them
    while the others wait: lru_cache alone lets every thread that misses load its own copy (at
    5,000 records that is 3 s of CPU and the memory of a catalogue each, all at start-up)."""
    with _catalogue_lock:
        return _catalogue_cached(project, generation, index_dir, stamp)


class Refused(QueryError):
    """A request the web page refuses for its shape or size (400). The message is English, as
    the JSON API and the logs give it; the page shows it in its own language from the labels."""

    def __init__(self, key: str, hint_key: str = "", **params: object) -> None:
        self.key, self.hint_key, self.params = key, hint_key, params
        message, hint = self.localised("en")
        super().__init__(message, [Problem("", 0, 0, "q", message, hint)])

    def localised(self, lang: str) -> tuple[str, str]:
        """Message and hint in ``lang`` (English where a label has no translation)."""
        labels = web_labels(lang)
        return labels[self.key].format(**self.params), labels[self.hint_key] if self.hint_key else ""


def check_query(query: str) -> None:
    """Refuse, with a QueryError (400), the query shapes whose cost grows with the index rather
    than with the query: the web page is public, the CLI and the library keep full Whoosh syntax."""
    if len(query) > MAX_QUERY_CHARS:
        raise Refused("refuse_query_chars", n=MAX_QUERY_CHARS)
    tokens = query_terms(query)
    if len(tokens) > MAX_QUERY_WORDS:
        raise Refused("refuse_query_words", n=MAX_QUERY_WORDS)
    wildcards = 0
    for text in tokens:
        if text.startswith('"'):
            continue  # a phrase: Whoosh matches * and ? in it literally
        if any(c in text for c in "[]{}"):
            raise Refused("refuse_ranges", "refuse_ranges_hint")
        term = text.lstrip("+-").rpartition(":")[2]
        cut = min((term.find(c) for c in "*?" if c in term), default=-1)
        if cut < 0:
            continue
        wildcards += 1
        if sum(c.isalnum() for c in term[:cut]) < WILDCARD_PREFIX:
            raise Refused("refuse_wildcard_prefix", "refuse_wildcard_prefix_hint", text=text, n=WILDCARD_PREFIX)
    if wildcards > MAX_WILDCARDS:
        raise Refused("refuse_wildcards", n=MAX_WILDCARDS)


class _Lazy:
    """Stands in for the catalogue in templates; loads it on first use (record pages only)."""

    def __init__(self, load: Any) -> None:
        self._load = load

    def __getattr__(self, name: str) -> Any:
        return getattr(self._load(), name)


_SETTINGS: dict[Path, Settings] = {}  # generation -> its settings (a generation never changes)


def _settings(opened: Any) -> Settings:
    """The project file's settings as the index generation holds them (the page title and
    footer need them on every page; read from the manifest, so a search page loads no YAML)."""
    settings = _SETTINGS.get(opened.gen)
    if settings is None:
        if len(_SETTINGS) > 8:
            _SETTINGS.clear()
        data = opened.manifest.get("settings")
        settings = _SETTINGS[opened.gen] = settings_from_json(data) if isinstance(data, dict) else Settings()
    return settings


def _language_names(opened: Any, catalogue: Any) -> dict[str, str]:
    names = opened.manifest.get("language_names")
    if isinstance(names, dict):
        return names
    vocab = catalogue().vocabulary  # an index built before the manifest carried them
    return dict(vocab.languages) if vocab else {"en": "English"}


def create_app(project: str | Path | None = None, index_dir: str | Path | None = None,
               templates: str | Path | None = None) -> Flask:
    toolbox = Toolbox.open(project, index_dir)
    shipped = shipped_project() / "templates" / "web"
    app = Flask("toolbox.web", static_folder=str(shipped / "static"), static_url_path="/static")
    # Flask takes DEBUG from $FLASK_DEBUG; a public app must not turn into the debugger because
    # of a variable left in a shell. 'toolbox serve --debug' (app.run(debug=True)) is the only way.
    app.debug = False
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, MAX_FORM_PARTS=MAX_PARAMS)
    folders = [Path(templates) / "web"] if templates else []
    folders.append(toolbox.project / "templates" / "web")
    loader_dirs = [str(d) for d in folders if d.is_dir() and d.resolve() != shipped.resolve()] + [str(shipped)]
    # "shipped/NAME" always reaches the shipped template, so an override can extend it
    app.jinja_loader = ChoiceLoader([FileSystemLoader(loader_dirs),
                                     PrefixLoader({"shipped": FileSystemLoader(str(shipped))})])
    # Flask escapes only *.html by name; our templates are *.html.j2, so escape everything
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    # What a request needs of the index is looked up once per request (flask.g): the
    # templates ask for the language and the basket dozens of times while building links.
    def index() -> Any:
        if "index" not in g:
            g.index = open_index(toolbox.index_dir)
        return g.index

    pages: OrderedDict[tuple[Path, str, bytes], str] = OrderedDict()
    pages_lock = threading.Lock()

    def catalogue() -> Catalogue:
        """The records themselves, for record pages and booklets (search pages need only the
        index, so a worker does not load thousands of YAML files to answer a search)."""
        if "catalogue" not in g:
            gen = live_generation(toolbox.index_dir)
            if gen is None:
                raise IndexUnavailable("the search index has not been built yet; run 'toolbox index'")
            # the state file changes without a new generation when only a record's stale mark does
            try:
                stamp = (gen / STATE).stat().st_mtime_ns
            except OSError:
                stamp = 0
            g.catalogue = _catalogue(toolbox.project, gen.name, toolbox.index_dir, stamp)
        return g.catalogue  # type: ignore[no-any-return]

    def languages() -> list[str]:
        return list(index().languages)

    def current_lang() -> str:
        if "lang" not in g:
            try:
                langs = languages()
            except ToolboxError:  # no index: the 503 page (and its headers) still need a language
                langs = ["en"]
            # a refused request's parameters are not parsed again (its query string may be huge)
            asked = "" if g.get("plain") else request.args.get("lang", "")
            g.lang = asked if asked in langs else browser_lang(langs)
        return g.lang  # type: ignore[no-any-return]

    def browser_lang(langs: list[str]) -> str:
        # the browser's choice among the project's languages, else the one the records are written in
        try:
            default = index().source
        except ToolboxError:
            default = "en"
        default = default if default in langs else langs[0]
        if len(request.headers.get("Accept-Language", "")) > MAX_ACCEPT_LANGUAGE:
            return default
        return request.accept_languages.best_match(langs) or default

    def basket() -> list[str]:
        if g.get("plain"):
            return []
        if "basket" not in g:
            known = record_ids(index())
            ids = [i for i in request.args.get("b", "").split(",") if ID_RE.match(i) and i in known]
            g.basket = list(dict.fromkeys(ids))[:MAX_BASKET]
        return g.basket  # type: ignore[no-any-return]

    def filters() -> Filters:
        return Filters.of({axis: request.args.getlist(axis) for axis in FACET_AXES})

    def kept_params() -> dict[str, Any]:
        """The current query, filters, language and basket, as links keep them (once a request:
        a search page builds some seventy links)."""
        if g.get("plain"):  # an error page: its links carry nothing of the request but the language
            return {"lang": current_lang()}
        if "kept" not in g:
            params: dict[str, Any] = {}
            for key in ("q", "lang", "sort", "b", "more", "exact", *FACET_AXES):
                values = request.args.getlist(key)
                if values:
                    params[key] = values if len(values) > 1 or key in FACET_AXES else values[0]
            if params.get("more") not in FACET_AXES:  # anything else means nothing; not repeated in links
                params.pop("more", None)
            if params.get("exact") != "1":
                params.pop("exact", None)
            params["lang"] = current_lang()
            if "b" in params:  # only ids that exist, once each
                params["b"] = ",".join(basket()) or None
                if params["b"] is None:
                    del params["b"]
            g.kept = params
        return g.kept  # type: ignore[no-any-return]

    def link(endpoint: str = "search_page", *, keep: bool = True, **changes: Any) -> str:
        """A URL to ``endpoint`` keeping the current query, filters, language and basket."""
        params: dict[str, Any] = dict(request.view_args or {}) if endpoint == request.endpoint else {}
        if keep:
            params.update(kept_params())
        else:
            params["lang"] = current_lang()
        for key, value in changes.items():
            if value in (None, "", []):
                params.pop(key, None)
            else:
                params[key] = value
        return url_for(endpoint, **params)

    def toggle(axis: str, value: str) -> str:
        chosen = [v for v in filters().as_dict().get(axis, ()) if v != value]
        if value not in filters().as_dict().get(axis, ()):
            chosen.append(value)
        changes: dict[str, Any] = {axis: chosen, "page": None}
        return link("search_page", **changes)

    def basket_link(ids: list[str], endpoint: str | None = None) -> str:
        """The current page (or ``endpoint``) with the basket set to ``ids``."""
        return link(endpoint or request.endpoint or "search_page", b=",".join(ids) or None)

    def snippet_html(snippet: Snippet) -> Markup:
        out, pos = [], 0
        for start, end in snippet.highlights:
            out.append(escape(snippet.text[pos:start]))
            out.append(Markup("<mark>") + escape(snippet.text[start:end]) + Markup("</mark>"))
            pos = end
        out.append(escape(snippet.text[pos:]))
        return Markup("").join(out)

    @app.context_processor
    def context() -> dict[str, Any]:
        lang = current_lang()
        opened = index()

        def text(value: Text) -> Any:
            return value.resolve(lang)

        def label(value: str, axis: str) -> str:
            if axis == "kind":
                return kind_label(value, lang) if value in ("method", "pilot", "region") else value
            if axis in FACET_AXES:  # labels the index keeps, so search pages need no YAML
                return facet_label(opened, axis, value, lang)
            vocab = catalogue().vocabulary
            return vocab.axes[axis].label_of(value, lang) if vocab and axis in vocab.axes else value

        def markdown(value: str) -> Markup:
            from .handbook import _markdown

            return Markup(_markdown().render(value))

        from .catalogs import format_number, format_range

        settings = _settings(opened)
        said = statements(settings, lang)
        words = web_labels(lang)
        words.update(site=said.name, tagline=said.tagline)
        return {
            "num": lambda value: format_number(value, lang), "span": lambda value: format_range(value, lang),
            "lang": lang, "languages": _language_names(opened, catalogue),
            "U": words, "project": said, "L": labels_for(lang, settings.source_language),
            "src": settings.source_language, "link": link, "toggle": toggle,
            "basket": basket(), "basket_link": basket_link, "t": text, "label": label, "md": markdown,
            "snippet_html": snippet_html, "catalogue": _Lazy(catalogue), "isinstance": isinstance,
            "Method": Method, "Pilot": Pilot, "Region": Region, "axes": FACET_AXES,
            "api_query": "" if g.get("plain") else request.args.get("q", "")[:MAX_QUERY_CHARS],
            "max_query_chars": MAX_QUERY_CHARS,
            "count": lambda key, n: count(lang, key, n),
            "any_fallback": lambda values: any_fallback(values, lang),
        }

    @app.before_request
    def limits() -> None:
        """Refuse oversized requests before any work; see the MAX_* constants."""
        if len(request.query_string) > MAX_QUERY_BYTES:
            g.plain = True
            raise Refused("refuse_address_length", n=MAX_QUERY_BYTES // 1024)
        if (request.content_length or 0) > MAX_BODY:
            g.plain = True
            abort(413)
        pairs = list(request.args.items(multi=True))
        if len(pairs) > MAX_PARAMS:
            g.plain = True
            raise Refused("refuse_params", n=MAX_PARAMS)
        if any(_CONTROL.search(key) or _CONTROL.search(value) for key, value in pairs):
            g.plain = True
            raise Refused("refuse_control")
        values = sum(len(v.split(",")) for key, v in pairs if key in FACET_AXES)
        if values > MAX_FILTER_VALUES:
            raise Refused("refuse_filter_values", n=MAX_FILTER_VALUES)

    @app.after_request
    def headers(response: Response) -> Response:
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if request.endpoint != "static":
            response.headers["Content-Language"] = current_lang()
        response.headers["Vary"] = "Accept-Language"
        return response

    def run_search(limit: int | None) -> Any:
        query = request.args.get("q", "")
        check_query(query)
        sort = request.args.get("sort", "relevance")
        f = filters()
        # exact=1: the words as typed ("search instead for …" after a typo correction)
        correct = request.args.get("exact") != "1"
        return toolbox.search(query, audience=f.audience, sector=f.sector, region=f.region, effort=f.effort,
                              kind=f.kind, lang=current_lang(), limit=limit, sort=sort, update=False, cache=True,
                              correct=correct)

    def page_number() -> int:
        try:
            return max(1, min(1000, int(request.args.get("page", "1"))))
        except ValueError:
            return 1

    @app.get("/")
    def search_page() -> str:
        # A rendered page depends only on the index generation, the language and the query
        # string, so repeated requests (a shared link, Back, paging back and forth) are answered
        # from memory; building a page costs more than the cached search behind it.
        key = (index().gen, current_lang(), request.query_string)
        with pages_lock:
            html = pages.get(key)
            if html is not None:
                pages.move_to_end(key)
                return html
        html = render_search_page()
        with pages_lock:
            pages[key] = html
            while len(pages) > PAGE_CACHE:
                pages.popitem(last=False)
        return html

    def render_search_page() -> str:
        page = page_number()
        result = run_search(PAGE_SIZE * page)
        hits = result.hits[PAGE_SIZE * (page - 1):]
        pages = max(1, -(-result.total // PAGE_SIZE))
        rescue = []
        if not result.total and result.filters:
            # one search per ticked value, so only the first RESCUE_TRIES values are tried
            ticked = [(axis, value) for axis, values in result.filters.items() for value in values]
            for axis, value in ticked[:RESCUE_TRIES]:
                without = [v for v in result.filters[axis] if v != value]
                f = Filters.of({**{a: v for a, v in result.filters.items()}, axis: without})
                n = toolbox.search(result.query, lang=current_lang(), limit=0, update=False, cache=True,
                                   **{a: getattr(f, a) for a in FACET_AXES}).total
                if n:
                    rescue.append((axis, value, n))
        more = request.args.get("more", "")
        return render_template("search.html.j2", result=result, hits=hits, page=page, pages=pages, rescue=rescue,
                               more=more if more in FACET_AXES else "", facet_shown=FACET_SHOWN)

    @app.get("/records/<record_id>")
    def record_page(record_id: str) -> str:
        cat = catalogue()
        if not ID_RE.match(record_id) or record_id not in cat.records:
            abort(404)
        record = cat.records[record_id]
        similar = []
        if isinstance(record, Region) and (record.industries or record.population):
            similar = toolbox.similar(record_id, lang=current_lang(), limit=3)
        return render_template("record.html.j2", record=record, similar=similar)

    @app.get("/basket")
    def basket_page() -> str:
        cat = catalogue()
        return render_template("basket.html.j2", records=[cat.records[i] for i in basket()])

    def basket_book(fmt: str) -> tuple[bytes, str]:
        from .handbook import assemble, html_to_pdf, render
        from .recipe import Recipe, Section

        ids = basket()
        if not ids:
            raise UsageError("the booklet is empty")
        lang = current_lang()
        said = statements(catalogue().settings, lang)
        recipe = Recipe(title=f"{web_labels(lang)['basket']} — {said.name}", lang=lang,
                        paper=request.args.get("paper", "A4") if request.args.get("paper") in ("A4", "A5") else "A4",
                        sections=(Section(title=web_labels(lang)["basket"], items=tuple(ids)),))
        # the index is only read: assemble needs no search for explicit ids
        book = assemble(toolbox, recipe)
        html = render(book, catalogue(), "pdf" if fmt == "pdf" else "html", toolbox.project)
        if fmt == "html":
            return html.encode("utf-8"), "text/html; charset=utf-8"
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "booklet.pdf"
            html_to_pdf(html, target, base_url=str(toolbox.project))
            return target.read_bytes(), "application/pdf"

    downloads = threading.BoundedSemaphore(DOWNLOADS_AT_ONCE)

    def busy() -> Response:
        lang = current_lang()
        response = error_page(503, web_labels(lang)["busy"], web_labels(lang)["busy_hint"])
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    @app.get("/basket.<fmt>")
    def basket_download(fmt: str) -> Response:
        if fmt == "yaml":
            name = statements(_settings(index()), current_lang()).name
            shipped = toolbox.project.resolve() == shipped_project().resolve()
            return Response(recipe_yaml(basket(), current_lang(), name, shipped), mimetype="application/yaml",
                            headers={"Content-Disposition": 'attachment; filename="booklet-recipe.yaml"'})
        if fmt not in ("pdf", "html"):
            abort(404)
        # never wait for the slot: a waiting request would hold one of the few server threads
        if not downloads.acquire(blocking=False):
            return busy()
        try:
            data, content_type = basket_book(fmt)
        finally:
            downloads.release()
        return Response(data, content_type=content_type,
                        headers={"Content-Disposition": f'attachment; filename="booklet.{fmt}"'})

    @app.get("/export.<fmt>")
    def export_results(fmt: str) -> Response:
        from .export import to_csv, to_json

        if fmt not in ("csv", "json"):
            abort(404)
        if not downloads.acquire(blocking=False):
            return busy()
        try:
            result = run_search(None)
            cat = catalogue()
            records = [cat.records[h.id] for h in result.hits if h.id in cat.records]
            if fmt == "csv":
                # content_type, not mimetype: Werkzeug appends "; charset=utf-8" to a text/* mimetype
                return Response(to_csv(records, cat, current_lang()), content_type="text/csv; charset=utf-8",
                                headers={"Content-Disposition": 'attachment; filename="results.csv"'})
            return Response(to_json(records, cat, result.query, result.filters), mimetype="application/json",
                            headers={"Content-Disposition": 'attachment; filename="results.json"'})
        finally:
            downloads.release()

    @app.get("/api/search")
    def api_search() -> Any:
        try:
            limit: int | None = int(request.args.get("limit", "10"))
        except ValueError as exc:
            raise QueryError("limit must be a whole number") from exc
        if limit is not None and limit < 0:
            raise QueryError("limit must be 0 or more")
        if request.args.get("all"):
            limit = None
        return result_to_json(run_search(limit))

    @app.get("/api/records/<record_id>")
    def api_record(record_id: str) -> Any:
        cat = catalogue()
        if not ID_RE.match(record_id) or record_id not in cat.records:
            broken = cat.broken(record_id) if ID_RE.match(record_id) else None
            if broken is not None:  # never indexed cleanly: broken, not missing
                return {"error": f"record '{record_id}' cannot be loaded: {broken[0]} has errors",
                        "problems": [p.to_dict() for p in broken[1]]}, 404
            return {"error": f"no record with id '{record_id}'"}, 404
        answer = record_to_json(cat.records[record_id], cat)
        if record_id in cat.stale:
            entry = cat.stale[record_id]
            answer["stale"] = {"message": f"{entry.path} has errors; this is its last good version",
                               "path": entry.path, "problems": [p.to_dict() for p in entry.problems]}
        return answer

    def error_page(status: int, message: str, hint: str = "", detail: str = "") -> Response:
        """The error page (JSON under /api/). It never shows an exception, a path or a traceback,
        and its links keep nothing of the request but the language. ``message`` is the heading in
        the page's language; ``detail`` the library's own (English) reason, when there is one."""
        g.plain = True
        if request.path.startswith("/api/"):
            return make_response({"error": detail or message, "hint": hint}, status)
        try:
            return make_response(render_template("error.html.j2", status=status, message=message, hint=hint,
                                                 detail=detail), status)
        except Exception as exc:  # an error page must not fail in turn: plain text instead
            if not isinstance(exc, ToolboxError):  # no index is expected; anything else is a bug
                app.logger.exception("the error page could not be rendered")
            text = "\n".join(t for t in (f"{status}: {message}", detail, hint) if t)
            return Response(text + "\n", status, content_type="text/plain; charset=utf-8")

    @app.errorhandler(ToolboxError)
    def toolbox_error(exc: ToolboxError) -> Response:
        labels = web_labels(lang := current_lang())
        if isinstance(exc, IndexUnavailable):
            # its message names folders on the server: logged, not shown
            app.logger.error("search index unavailable: %s", exc.message)
            return error_page(503, labels["unavailable"], labels["unavailable_hint"])
        problem = exc.problems[0] if exc.problems else None
        message, hint = (problem.message, problem.hint) if problem else (exc.message, "")
        if isinstance(exc, Refused) and not request.path.startswith("/api/"):
            message, hint = exc.localised(lang)
        # the library's own reasons are English: the heading in the page's language says what
        # happened to a reader who does not read English
        return error_page(400, labels["bad_request"], hint, message)

    @app.errorhandler(404)
    def not_found(_exc: Exception) -> Response:
        return error_page(404, web_labels(current_lang())["not_found"])

    @app.errorhandler(400)
    def bad_request(_exc: Exception) -> Response:
        return error_page(400, web_labels(current_lang())["bad_request"])

    @app.errorhandler(405)
    def not_allowed(exc: HTTPException) -> Response:
        response = error_page(405, web_labels(current_lang())["method"])
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        return response

    @app.errorhandler(413)
    def too_large(_exc: Exception) -> Response:
        return error_page(413, web_labels(current_lang())["too_large"])

    @app.errorhandler(500)
    def internal_error(_exc: Exception) -> Response:
        # Flask has logged the exception; the page says nothing about it
        return error_page(500, web_labels(current_lang())["internal"])

    return app


def recipe_yaml(ids: Iterable[str], lang: str, name: str = "CCI Method Toolbox", shipped: bool = False) -> str:
    """The booklet as a recipe for 'toolbox handbook', to rebuild it later; ``name`` is the
    project's (its project file's)."""
    data = {
        "title": f"{web_labels(lang)['basket']} — {name}",
        "lang": lang,
        "paper": "A4",
        "sections": [{"title": web_labels(lang)["basket"], "include": list(ids)}],
    }
    buffer = io.StringIO()
    buffer.write(f"# Built from the web booklet; rebuild with:  toolbox handbook {'--shipped ' if shipped else ''}"
                 "booklet-recipe.yaml -o booklet.pdf\n")
    yaml.safe_dump(data, buffer, allow_unicode=True, sort_keys=False)
    return buffer.getvalue()
