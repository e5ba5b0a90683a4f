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
from flask import Flask, Response, abort, g, render_template, request, url_for
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape

from .api import Toolbox
from .errors import IndexUnavailable, QueryError, ToolboxError, UsageError
from .indexer import live_generation
from .labels import labels_for, web_labels
from .model import FACET_AXES, Filters, Method, Pilot, Region, Snippet, Text
from .paths import shipped_project
from .project import Catalogue, load_catalogue
from .reports import record_to_json, result_to_json
from .search import facet_label, open_index, record_ids

PAGE_SIZE = 10
#: Rendered search pages kept per worker (keyed by index generation, language and query string).
PAGE_CACHE = 256
#: Facet values listed per axis before a "show all" link (1,500 regions would swamp the page).
FACET_SHOWN = 12
MAX_BASKET = 200
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@lru_cache(maxsize=4)
def _catalogue(project: Path, generation: str) -> Catalogue:
    """Records, reloaded whenever the index moves to a new generation."""
    return load_catalogue(project)


class _Lazy:
    """Stands in for the catalogue in templates; loads it on first use (record pages only)."""

    def __init__(self, load: Any) -> None:
        self._load = load

    def __getattr__(self, name: str) -> Any:
        return getattr(self._load(), name)


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
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024, MAX_FORM_PARTS=200)
    folders = [Path(templates) / "web"] if templates else []
    folders.append(toolbox.project / "templates" / "web")
    loader_dirs = [str(d) for d in folders if d.is_dir() and d.resolve() != shipped.resolve()] + [str(shipped)]
    app.jinja_loader = ChoiceLoader([FileSystemLoader(loader_dirs)])
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
            g.catalogue = _catalogue(toolbox.project, gen.name)
        return g.catalogue  # type: ignore[no-any-return]

    def languages() -> list[str]:
        return list(index().languages)

    def current_lang() -> str:
        if "lang" not in g:
            langs = languages()
            asked = request.args.get("lang", "")
            g.lang = asked if asked in langs else request.accept_languages.best_match(langs) or "en"
        return g.lang  # type: ignore[no-any-return]

    def basket() -> list[str]:
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
        if "kept" not in g:
            params: dict[str, Any] = {}
            for key in ("q", "lang", "sort", "b", "more", *FACET_AXES):
                values = request.args.getlist(key)
                if values:
                    params[key] = values if len(values) > 1 or key in FACET_AXES else values[0]
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
                return {"method": labels_for(lang)["method"], "pilot": labels_for(lang)["pilot"],
                        "region": labels_for(lang)["region_kind"]}.get(value, value)
            if axis in FACET_AXES:  # labels the index keeps, so search pages need no YAML
                return facet_label(opened, axis, value, lang)
            vocab = catalogue().vocabulary
            return vocab.axes[axis].label_of(value, lang) if vocab and axis in vocab.axes else value

        def markdown(value: str) -> Markup:
            from .handbook import _markdown

            return Markup(_markdown().render(value))

        from .handbook import format_number

        def span(value: Any) -> str:
            lo, hi = format_number(value.min, lang), format_number(value.max, lang)
            return lo if lo == hi else f"{lo}–{hi}"

        return {
            "num": lambda value: format_number(value, lang), "span": span,
            "lang": lang, "languages": _language_names(opened, catalogue),
            "U": web_labels(lang), "L": labels_for(lang), "link": link, "toggle": toggle,
            "basket": basket(), "basket_link": basket_link, "t": text, "label": label, "md": markdown,
            "snippet_html": snippet_html, "catalogue": _Lazy(catalogue), "isinstance": isinstance,
            "Method": Method, "Pilot": Pilot, "Region": Region, "axes": FACET_AXES,
        }

    @app.after_request
    def headers(response: Response) -> Response:
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        response.headers["Content-Language"] = current_lang() if request.endpoint else "en"
        response.headers["Vary"] = "Accept-Language"
        return response

    def run_search(limit: int | None) -> Any:
        query = request.args.get("q", "")[:500]
        sort = request.args.get("sort", "relevance")
        f = filters()
        return toolbox.search(query, audience=f.audience, sector=f.sector, region=f.region, effort=f.effort,
                              kind=f.kind, lang=current_lang(), limit=limit, sort=sort, update=False, cache=True)

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
            for axis, values in result.filters.items():
                for value in values:
                    without = [v for v in values if v != value]
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
        recipe = Recipe(title=web_labels(lang)["basket"] + " — CCI Method Toolbox", lang=lang,
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

    @app.get("/basket.<fmt>")
    def basket_download(fmt: str) -> Response:
        if fmt == "yaml":
            return Response(recipe_yaml(basket(), current_lang()), mimetype="application/yaml",
                            headers={"Content-Disposition": 'attachment; filename="booklet-recipe.yaml"'})
        if fmt not in ("pdf", "html"):
            abort(404)
        data, mimetype = basket_book(fmt)
        return Response(data, mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="booklet.{fmt}"'})

    @app.get("/export.<fmt>")
    def export_results(fmt: str) -> Response:
        from .export import to_csv, to_json

        if fmt not in ("csv", "json"):
            abort(404)
        result = run_search(None)
        cat = catalogue()
        records = [cat.records[h.id] for h in result.hits if h.id in cat.records]
        if fmt == "csv":
            return Response(to_csv(records, cat, current_lang()), mimetype="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="results.csv"'})
        return Response(to_json(records, cat, result.query, result.filters), mimetype="application/json",
                        headers={"Content-Disposition": 'attachment; filename="results.json"'})

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
            return {"error": f"no record with id '{record_id}'"}, 404
        return record_to_json(cat.records[record_id], cat)

    def error_page(status: int, message: str, hint: str = "") -> tuple[Any, int]:
        if request.path.startswith("/api/"):
            return {"error": message, "hint": hint}, status
        try:
            return render_template("error.html.j2", status=status, message=message, hint=hint), status
        except ToolboxError:  # no index: even the context cannot be built
            return Response(f"{status}: {message}\n{hint}\n", mimetype="text/plain"), status

    @app.errorhandler(ToolboxError)
    def toolbox_error(exc: ToolboxError) -> tuple[Any, int]:
        problem = exc.problems[0] if exc.problems else None
        status = 503 if isinstance(exc, IndexUnavailable) else 400
        return error_page(status, problem.message if problem else exc.message, problem.hint if problem else "")

    @app.errorhandler(404)
    def not_found(_exc: Exception) -> tuple[Any, int]:
        return error_page(404, web_labels(current_lang())["not_found"])

    @app.errorhandler(400)
    def bad_request(_exc: Exception) -> tuple[Any, int]:
        return error_page(400, web_labels(current_lang())["bad_request"])

    @app.errorhandler(413)
    def too_large(_exc: Exception) -> tuple[Any, int]:
        return error_page(413, "request too large")

    return app


def recipe_yaml(ids: Iterable[str], lang: str) -> str:
    """The booklet as a recipe for 'toolbox handbook', to rebuild it later."""
    data = {
        "title": web_labels(lang)["basket"] + " — CCI Method Toolbox",
        "lang": lang,
        "paper": "A4",
        "sections": [{"title": web_labels(lang)["basket"], "include": list(ids)}],
    }
    buffer = io.StringIO()
    buffer.write("# Built from the web booklet; rebuild with:  toolbox handbook booklet-recipe.yaml -o booklet.pdf\n")
    yaml.safe_dump(data, buffer, allow_unicode=True, sort_keys=False)
    return buffer.getvalue()
