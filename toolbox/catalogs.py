"""The interface's words through gettext catalogues, so that translators can use Poedit, Weblate
or any PO editor.

Source catalogues: ``toolbox/locale/LANG/LC_MESSAGES/toolbox.po`` (and ``toolbox.pot``, the
template). Every message has a context (its key, ``msgctxt``) and its English text as ``msgid``;
strings are marked in the code with :func:`N_` and extracted with Babel::

    pybabel extract -F babel.cfg -k N_:1c,2 -o toolbox/locale/toolbox.pot toolbox
    pybabel update -i toolbox/locale/toolbox.pot -d toolbox/locale -D toolbox
    pybabel compile -d toolbox/locale -D toolbox

A wheel carries the compiled ``.mo`` files (``hatch_build.py`` compiles them when the wheel is
built); a checkout without them reads the ``.po`` files through Babel. A message without a
translation (or marked fuzzy) is shown in English.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

DOMAIN = "toolbox"
LOCALE_DIR = Path(__file__).parent / "locale"


def N_(context: str, message: str) -> str:
    """Mark ``message`` for extraction under ``context``; the English text is returned."""
    return message


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (a null one for English or an unknown language)."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    mo = folder / f"{DOMAIN}.mo"
    if mo.is_file():
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    po = folder / f"{DOMAIN}.po"
    if lang.isalpha() and po.is_file():
        from babel.messages.mofile import write_mo  # only a checkout without compiled catalogues
        from babel.messages.pofile import read_po

        with po.open("rb") as f:
            catalog = read_po(f)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        return gettext.GNUTranslations(compiled)
    return gettext.NullTranslations()


def catalog_languages() -> list[str]:
    """The languages that have a catalogue."""
    return sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def translate(lang: str, context: str, message: str) -> str:
    """``message`` (English) in ``lang``; English when the catalogue has no translation."""
    if lang == "en":
        return message
    return translations(lang).pgettext(context, message)


def has_translation(lang: str, context: str, message: str) -> bool:
    """Whether the catalogue of ``lang`` translates ``message`` (its translation may equal it:
    "Region" is German too)."""
    catalog = getattr(translations(lang), "_catalog", {})
    return f"{context}\x04{message}" in catalog
