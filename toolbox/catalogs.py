"""The interface's words through gettext catalogues, so that translators can use Poedit, Weblate
or any PO editor.

Source catalogues: ``toolbox/locale/LANG/LC_MESSAGES/toolbox.po`` (and ``toolbox.pot``, the
template). Every message has a context (its key, ``msgctxt``) and its English text as ``msgid``;
strings are marked in the code with :func:`N_` and extracted with Babel::

    pybabel extract -F babel.cfg -k N_:1c,2 -k NP_:1c,2,3 --no-default-keywords \
        -o toolbox/locale/toolbox.pot toolbox
    pybabel update -i toolbox/locale/toolbox.pot -d toolbox/locale -D toolbox
    pybabel compile -d toolbox/locale -D toolbox

A wheel carries the compiled ``.mo`` files (``hatch_build.py`` compiles them when the wheel is
built); a checkout without them reads the ``.po`` files through Babel. A message without a
translation (or marked fuzzy) is shown in English.

Counts go through the catalogues' plural rules (``NP_`` marks a message with a singular and a
plural; Czech, Polish, Slovenian and Croatian have three or four forms), numbers through Babel's
CLDR data (``format_number``), so that no language reads "1 methods" or "4,500" for 4.500.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from babel import Locale

DOMAIN = "toolbox"
LOCALE_DIR = Path(__file__).parent / "locale"


def N_(context: str, message: str) -> str:
    """Mark ``message`` for extraction under ``context``; the English text is returned."""
    return message


def NP_(context: str, singular: str, plural: str) -> tuple[str, str]:
    """Mark a counted message (singular and plural English forms) for extraction."""
    return singular, plural


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (a null one for English or an unknown language).

    A wheel carries the ``.mo`` files. A checkout has only the ``.po`` sources: they are compiled
    through Babel on first use and the result is kept beside them (``.mo`` files are not in git),
    so later runs read the compiled file unless the ``.po`` is newer."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if not lang.isalpha():
        return gettext.NullTranslations()
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    if not po.is_file():
        return gettext.NullTranslations()
    compiled = _compile(po)
    try:
        from .fileio import atomic_write_bytes

        atomic_write_bytes(mo, compiled)
    except OSError:
        pass  # a read-only install: compile again next time
    return gettext.GNUTranslations(io.BytesIO(compiled))


def _compile(po: Path) -> bytes:
    from babel.messages.mofile import write_mo  # only a checkout without compiled catalogues
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    return compiled.getvalue()


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


def translate_plural(lang: str, context: str, forms: tuple[str, str], n: int) -> str:
    """The form of a counted message for ``n`` in ``lang`` ("{n}" in it is replaced by the number,
    written the language's way)."""
    singular, plural = forms
    text = (singular if n == 1 else plural) if lang == "en" else translations(lang).npgettext(
        context, singular, plural, n)
    return text.replace("{n}", format_number(n, lang))


@cache
def _locale(lang: str) -> Locale:
    from babel import Locale, UnknownLocaleError  # CLDR data: loaded only where a number is written

    try:
        # the records' English is British ("organisation"), so are its dates: 25 March 2019
        return Locale.parse("en_GB" if lang == "en" else lang)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def format_number(value: float, lang: str, decimals: int | None = None) -> str:
    """``value`` as ``lang`` writes it (CLDR): 4,500 (en), 4.500 (de), 4 500 (cs); whole numbers
    without decimals unless ``decimals`` asks for them (else one)."""
    if decimals is None and float(value).is_integer() and abs(value) < 1000:
        # no grouping below a thousand in any of our languages: a search's result count then
        # needs no CLDR data, which keeps Babel off the cold search path
        return str(int(value))
    from babel.numbers import format_decimal

    if decimals is None:
        if float(value).is_integer():
            return str(format_decimal(int(value), locale=_locale(lang)))
        decimals = 1
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    return str(format_decimal(value, format=pattern, locale=_locale(lang)))


def format_range(value: Any, lang: str) -> str:
    """A ``Range`` as ``lang`` writes it: "10–60", "5 000–50 000"; one figure when min == max."""
    lo, hi = format_number(value.min, lang), format_number(value.max, lang)
    return lo if lo == hi else f"{lo}–{hi}"


def format_partial_date(value: str, lang: str) -> str:
    """A record's date as written (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) in ``lang``'s words:
    "March 2019", "březen 2019", "25. března 2019"; anything else is returned unchanged."""
    import datetime

    parts = value.split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 1:
            return value
        from babel.dates import format_date, format_skeleton

        if len(numbers) == 2:
            return str(format_skeleton("yMMMM", datetime.date(numbers[0], numbers[1], 1), locale=_locale(lang)))
        if len(numbers) == 3:
            return str(format_date(datetime.date(*numbers), format="long", locale=_locale(lang)))
    except ValueError:
        pass
    return value
