"""Message catalogs: every user-visible string in en (the msgids), fi and fa.

The catalogs are gettext files in `roi_reports/locale/<lang>/LC_MESSAGES/roi_reports.po`,
compiled to `.mo` beside them (`make catalogs`; both are committed, so a fresh clone and a
plain `pip install .` need no build step). English is the msgid itself, so a string a
catalog lacks falls back to English.

Strings are marked `_("…")` where they are translated at once, and `N_("…")` where they
are defined in one place (metric labels, sheet names) and translated where shown.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "fi", "fa")
RTL_LANGUAGES = frozenset({"fa"})
DOMAIN = "roi_reports"
LOCALE_DIR = Path(__file__).parent / "locale"

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark `message` for the catalogs without translating it here."""
    return message


@lru_cache(maxsize=len(LANGUAGES))
def translator(language: str) -> gettext.NullTranslations:
    """The catalog of `language`; English (and any language without one) translates to itself."""
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, [language], fallback=True)


def gettext_for(language: str) -> Gettext:
    """`_` for one language: `_("Revenue")` → `Liikevaihto` in fi."""
    return translator(language).gettext


def direction(language: str) -> str:
    """`rtl` for Persian, `ltr` otherwise (the HTML `dir` attribute)."""
    return "rtl" if language in RTL_LANGUAGES else "ltr"
