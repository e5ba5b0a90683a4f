"""Problems in a project's own templates, at the template's line, instead of tracebacks.

A project may override the shipped templates file by file (``templates/handbook/*.j2`` for
handbooks, ``templates/web/*.j2`` for the web app; see :func:`toolbox.handbook.template_dirs`).
:func:`check_templates` compiles each of them and names the templates they extend, include or
import that no folder of the chain holds. :func:`render_error` turns an exception raised while a
handbook is rendered (a syntax error in a template compiled on the way, a name the template uses
that does not exist, a ``TypeError`` in template code …) into a :class:`ContentError` whose
problem sits at the template line the error came from.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import ContentError, Problem

FIELD = "template"
SYNTAX_HINT = "correct the template at this line (Jinja2 syntax: {{ … }}, {% … %}, {# … #})"
UNDEFINED_HINT = ("check the spelling; handbook templates see book, L, lang, pdf, project and the filters "
                  "t, md, label (see docs/handbook.md)")
RUNTIME_HINT = "check the expression at this line of the template (see docs/handbook.md)"
MISSING_HINT = ("check the name; templates are looked up in --templates DIR, the project's templates/, then the "
                "shipped ones (reach those as 'shipped/handbook/…')")
WEB_MISSING_HINT = ("check the name; web templates are looked up in --templates DIR/web, the project's "
                    "templates/web/, then the shipped ones")


def template_path(filename: str | None, project: Path) -> str:
    """A template file as a problem shows it: relative to the project when inside it."""
    if not filename:
        return ""
    path = Path(filename)
    try:
        resolved, root = path.resolve(), project.resolve()
    except OSError:  # pragma: no cover - a vanished folder
        return str(path)
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(resolved)


def _in_folders(filename: str, folders: Sequence[Path]) -> bool:
    if not filename or filename.startswith("<") or filename.endswith(".py"):
        return False
    try:
        resolved = Path(filename).resolve()
        return any(resolved.is_relative_to(d.resolve()) for d in folders)
    except OSError:  # pragma: no cover
        return False


def syntax_problem(exc: Any, project: Path) -> Problem:
    """A ``jinja2.TemplateSyntaxError`` as a problem at its template line."""
    path = template_path(exc.filename, project) or (exc.name or "")
    return Problem(path, exc.lineno or 0, 0, FIELD, f"syntax error: {exc.message}", SYNTAX_HINT)


def _runtime_message(exc: BaseException) -> tuple[str, str]:
    from jinja2 import TemplateNotFound, UndefinedError

    if isinstance(exc, TemplateNotFound):
        names = getattr(exc, "templates", None) or [exc.name]
        return f"{' or '.join(repr(str(n)) for n in names)} does not exist", MISSING_HINT
    if isinstance(exc, UndefinedError):
        return f"rendering failed: {exc}", UNDEFINED_HINT
    if isinstance(exc, RecursionError):
        return ("rendering failed: the template extends, includes or calls itself without end",
                "an override of handbook/X extends 'shipped/handbook/X', not 'handbook/X'")
    text = str(exc)
    return f"rendering failed: {type(exc).__name__}" + (f": {text}" if text else ""), RUNTIME_HINT


def render_error(exc: Exception, project: Path, folders: Sequence[Path]) -> ContentError | None:
    """The error to raise for ``exc``, raised while rendering templates from ``folders``; ``None``
    when it did not come from template code (then it is a bug to show as it is)."""
    from jinja2 import TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):
        problem = syntax_problem(exc, project)
        return ContentError(f"template {problem.path} has a syntax error", [problem])
    # jinja2 rewrites the traceback: the frames of template code carry the template's file and line
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _in_folders(f.filename, folders)]
    if not frames:
        return None
    where = frames[-1]  # the innermost template line: where the error happened
    message, hint = _runtime_message(exc)
    path = template_path(where.filename, project)
    return ContentError(f"template {path} could not be rendered",
                        [Problem(path, where.lineno or 0, 0, FIELD, message, hint)])


# --------------------------------------------------------------------------- checking overrides


def _references(ast: Any) -> Iterator[tuple[str, str, int]]:
    """(verb, template name, line) of each extends/include/import naming its template literally;
    an include with ``ignore missing`` or a list of choices names none for sure."""
    from jinja2 import nodes

    for node in ast.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        if isinstance(node, nodes.Include) and node.ignore_missing:
            continue
        target = node.template
        if isinstance(target, nodes.Const) and isinstance(target.value, str):
            tag = {nodes.Extends: "extends", nodes.Include: "includes"}.get(type(node), "imports")
            yield tag, target.value, node.lineno


def _override_files(folder: Path, under: str) -> Iterator[tuple[str, Path]]:
    """(name as the loader knows it, file) for each template below ``folder / under``."""
    base = folder / under if under else folder
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if path.suffix == ".j2" or (under == "handbook" and path.suffix == ".css"):  # style.css is a template too
            yield rel.as_posix(), path


def _check_files(env: Any, files: Sequence[tuple[str, Path]], project: Path, missing_hint: str) -> list[Problem]:
    from jinja2 import TemplateNotFound, TemplateSyntaxError

    problems: list[Problem] = []
    for name, path in files:
        shown = template_path(str(path), project)
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(shown, 0, 0, FIELD, f"not valid UTF-8 (byte 0x{exc.object[exc.start]:02x})",
                                    "save the file as UTF-8 in your editor"))
            continue
        except OSError as exc:
            problems.append(Problem(shown, 0, 0, FIELD, f"cannot be read: {exc.strerror or exc}"))
            continue
        try:
            ast = env.parse(source, name, str(path))
        except TemplateSyntaxError as exc:
            problems.append(syntax_problem(exc, project))
            continue
        for tag, target, line in _references(ast):
            try:
                _source, found, _uptodate = env.loader.get_source(env, target)
            except TemplateNotFound:
                problems.append(Problem(shown, line, 0, FIELD, f"{tag} template '{target}', which does not exist",
                                        missing_hint))
                continue
            if tag == "extends" and found and Path(found).resolve() == path.resolve():
                shipped = f"shipped/{target}"
                problems.append(Problem(shown, line, 0, FIELD, f"extends itself ('{target}')",
                                        f"extend '{shipped}' instead" if shipped else
                                        "extend the template this one overrides under another name"))
    return problems


def check_templates(project: Path, extra: Path | None = None) -> list[Problem]:
    """Problems of the project's own handbook and web templates (and those of ``extra``, a
    folder like ``--templates DIR`` holding handbook/ and web/): syntax errors at their line, and
    templates extended, included or imported by name that no folder of the chain holds. The
    shipped templates are not checked."""
    from .handbook import template_dirs

    problems: list[Problem] = []
    dirs = template_dirs(project, extra)
    own, shipped = dirs[:-1], dirs[-1]
    handbook_files = [f for d in own for f in _override_files(d, "handbook")]
    web_dirs = [d / "web" for d in own if (d / "web").is_dir()]
    web_files = [f for d in web_dirs for f in _override_files(d, "")]
    if not handbook_files and not web_files:
        return problems  # nothing to compile: validate need not import Jinja2
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader

    from .handbook import environment
    if handbook_files:
        problems += _check_files(environment(project, extra), handbook_files, project, MISSING_HINT)
    if web_files:
        # as toolbox.web builds it: names are relative to the web folders ("base.html.j2")
        loader = ChoiceLoader([FileSystemLoader([str(d) for d in [*web_dirs, shipped / "web"]]),
                               PrefixLoader({"shipped": FileSystemLoader(str(shipped / "web"))})])
        problems += _check_files(Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True),
                                 web_files, project, WEB_MISSING_HINT)
    return problems


__all__ = ["check_templates", "render_error", "syntax_problem", "template_path"]
