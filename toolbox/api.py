"""The public Python API: one object per project.

>>> from toolbox import Toolbox
>>> tb = Toolbox.open()                      # the shipped toolbox, or Toolbox.open("my-project")
>>> result = tb.search("hackathon", audience=["industrial-companies"], lang="de")
>>> [hit.id for hit in result.hits]
>>> tb.record("industrial-hackathon").title.get("de")
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem
from .model import Filters, Record, SearchResult
from .paths import default_index_dir, find_project

if TYPE_CHECKING:
    from .indexer import IndexReport
    from .project import Catalogue
    from .similar import Similarity

Progress = Callable[[str], None]


class Toolbox:
    """A project folder: its records, its problems and its search index."""

    def __init__(self, project: Path, index_dir: Path | None = None) -> None:
        self.project = project
        self.index_dir = index_dir or default_index_dir(project)

    @classmethod
    def open(cls, project: str | os.PathLike[str] | None = None,
             index_dir: str | os.PathLike[str] | None = None) -> Toolbox:
        """Open ``project`` (a folder with ``methods/``); without it, the shipped toolbox."""
        folder = find_project(project)
        return cls(folder, Path(index_dir).resolve() if index_dir else None)

    # -- content -----------------------------------------------------------------------

    @cached_property
    def catalogue(self) -> Catalogue:
        # imported here: a search on a fresh index never loads YAML, so it need not import it
        from .lastgood import reader
        from .project import load_catalogue

        # a broken record file stands in its last good version, marked stale (toolbox/lastgood.py)
        return load_catalogue(self.project, reader(self.index_dir))

    def reload(self) -> Catalogue:
        self.__dict__.pop("catalogue", None)
        return self.catalogue

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.catalogue.problems

    @property
    def records(self) -> Mapping[str, Record]:
        return self.catalogue.records

    def record(self, record_id: str) -> Record:
        """The record with this id; :class:`~toolbox.errors.UsageError` with a hint if unknown."""
        return self.catalogue.get(record_id)

    def similar(self, region_id: str | None = None, *, population: int | None = None,
                industries: Iterable[str] = (), settlement: str = "", lang: str = "en",
                limit: int | None = 5) -> list[Similarity]:
        """Regions like ``region_id`` (or like the profile given), most similar first, with
        reasons and their pilot actions."""
        from .similar import RegionProfile, similar_regions

        profile = RegionProfile(population, tuple(industries), settlement)
        return similar_regions(self.catalogue, region_id=region_id, profile=profile, lang=lang, limit=limit)

    # -- index and search ------------------------------------------------------------

    def build_index(self, rebuild: bool = False, progress: Progress | None = None) -> IndexReport:
        from .indexer import update_index

        return update_index(self.catalogue, self.index_dir, rebuild=rebuild, progress=progress)

    def ensure_index(self, progress: Progress | None = None) -> IndexReport | None:
        """Build or update the index if it is missing or stale; ``None`` if it was fresh."""
        from .indexer import ensure_index

        return ensure_index(self.project, self.index_dir, lambda: self.catalogue, progress)

    def search(
        self,
        query: str = "",
        *,
        audience: Iterable[str] = (),
        sector: Iterable[str] = (),
        region: Iterable[str] = (),
        effort: Iterable[str] = (),
        kind: Iterable[str] = (),
        lang: str | None = None,
        limit: int | None = 10,
        sort: str = "relevance",
        update: bool = True,
        progress: Progress | None = None,
        cache: bool = False,
        correct: bool = True,
    ) -> SearchResult:
        """Search the index (built or updated first when ``update`` is true). ``cache`` keeps
        results per index generation, for long-lived processes that repeat queries.

        Every word counts and none is required (see docs/search.md). A word that matches
        nothing is replaced by a close word of ``lang`` or of the vocabulary when there is one:
        ``result.corrected`` is then the query searched; with ``correct=False`` it is only
        offered as ``result.suggestion``. ``result.unmatched`` lists the words no record holds."""
        from .search import search

        if update:
            self.ensure_index(progress)
        filters = Filters.of({"audience": audience, "sector": sector, "region": region,
                              "effort": effort, "kind": kind})
        return search(self.index_dir, query, filters, lang=lang, limit=limit, sort=sort, cache=cache,
                      correct=correct)
