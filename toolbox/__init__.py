"""CCI Method Toolbox: methods for supporting cultural and creative industries in industrial regions.

The public API is small: :class:`Toolbox` opens a project, searches it and returns plain
records and results (see ``toolbox.model``); every error it raises on purpose is a
:class:`ToolboxError` carrying :class:`Problem` values.
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from .errors import ContentError, Problem, QueryError, ToolboxError, UsageError
from .model import Filters, Hit, Method, Pilot, Record, Region, SearchResult, Text

if TYPE_CHECKING:
    from .api import Toolbox


def __getattr__(name: str) -> Any:
    # ``Toolbox`` is imported on first use, so that ``toolbox search`` can start without it
    if name == "Toolbox":
        from .api import Toolbox

        return Toolbox
    raise AttributeError(f"module 'toolbox' has no attribute {name!r}")

__all__ = [
    "ContentError",
    "Filters",
    "Hit",
    "Method",
    "Pilot",
    "Problem",
    "QueryError",
    "Record",
    "Region",
    "SearchResult",
    "Text",
    "Toolbox",
    "ToolboxError",
    "UsageError",
    "__version__",
]
