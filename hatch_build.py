"""Build hook: compile the gettext catalogues (toolbox/locale/*/LC_MESSAGES/toolbox.po) into the
wheel as .mo files, so an installed toolbox never lacks them and never needs Babel to read them.
A checkout reads the .po files through Babel instead (see toolbox/catalogs.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogsHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        out = Path(tempfile.mkdtemp(prefix="toolbox-mo-"))
        for po in sorted(Path(self.root, "toolbox", "locale").glob("*/LC_MESSAGES/toolbox.po")):
            lang = po.parent.parent.name
            with po.open("rb") as f:
                catalog = read_po(f, locale=lang)
            mo = out / f"{lang}.mo"
            with mo.open("wb") as f:
                write_mo(f, catalog)
            build_data["force_include"][str(mo)] = f"toolbox/locale/{lang}/LC_MESSAGES/toolbox.mo"
