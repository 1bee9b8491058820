"""One report page → PDF bytes: jinja2 templates rendered by WeasyPrint.

Python builds the display rows (`pdf_display`); templates only print them, with
autoescape and StrictUndefined, so a name such as `Mia <b>Berg</b>` prints literally and
a template typo is an error rather than a blank. WeasyPrint may read only data: URIs and
files inside the template folders: no network, no other file, whatever a template says.

A process renders many reports: the parsed stylesheet, the fonts (WeasyPrint's font
configuration) and the templates are loaded once per process and template folder, and
reused for every report after the first (`make bench` measures a warm worker).

WeasyPrint's default stylesheet gives every element six pseudo-elements (`::marker` and
five for CSS footnotes and notes), and styling them cost most of the style cascade: ten
times as many styles as the report has distinct elements. Reports render with that
stylesheet less the footnote and note rules, and with markers only on list items
(`lean_html_class`): the same bytes, about 13 % less CPU a report. A template that needs
CSS footnotes (`float: footnote`) is not supported.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import jinja2

from roi_reports.config import Config
from roi_reports.errors import ConfigError, RoiReportsError
from roi_reports.fonts import covered, stylesheet_families
from roi_reports.fsutil import sha256_file
from roi_reports.i18n import translator
from roi_reports.reports.glyphs import SHOWN, uncovered
from roi_reports.reports.source_date import documents_dated
from roi_reports.reports.xhtml import element_shape, html_tree
from roi_reports.resources import template_root

REPORT_TEMPLATE = "report.html"
STYLESHEET = "report.css"
LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


class ReportTemplateError(RoiReportsError):
    """A report template is missing, invalid, or prints a value it was not given."""


def template_dirs(config: Config) -> list[Path]:
    """The user's template folder (config `template_dir`, relative to the config file's
    folder) first, then the shipped templates, so a user may override single files."""
    shipped = template_root().resolve()
    if not config.report.template_dir:
        return [shipped]
    base = config.source.parent if config.source else Path.cwd()
    custom = (base / config.report.template_dir).resolve()
    if not custom.is_dir():
        raise ConfigError(
            f"[report] template_dir = {config.report.template_dir!r}: folder {custom} not "
            "found; give a folder path relative to the config file"
        )
    return [custom, shipped]


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...], language: str = "en") -> jinja2.Environment:
    """Templates translate their own words with `_()` / `{% trans %}` (newstyle gettext:
    the translation is trusted as markup, the values put into it are escaped)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(translator(language), newstyle=True)  # type: ignore[attr-defined]
    return environment


def report_template(dirs: Sequence[Path], language: str) -> jinja2.Template:
    """The report template of `dirs` in `language`, compiled once per process."""
    return _environment(tuple(dirs), language).get_template(REPORT_TEMPLATE)


def render_html(page: Any, dirs: Sequence[Path]) -> str:
    """The report's HTML; template problems become one-line ReportTemplateErrors."""
    try:
        return report_template(dirs, page.lang).render(page=page)
    except jinja2.TemplateNotFound as exc:
        where = ", ".join(str(d) for d in dirs)
        raise ReportTemplateError(f"template {exc.name} not found in {where}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise ReportTemplateError(
            f"{exc.filename or exc.name}, line {exc.lineno}: {exc.message}; fix the template"
        ) from None
    except jinja2.UndefinedError as exc:
        raise ReportTemplateError(
            f"report template uses a value that does not exist ({exc.message}); "
            "check the names against the shipped templates"
        ) from None


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def make_url_fetcher(roots: Sequence[Path]) -> Any:
    """A WeasyPrint fetcher for data: URIs and files under `roots`; anything else fails."""
    from weasyprint.urls import URLFetcher

    allowed = [Path(r).resolve() for r in roots]

    class TemplateFolderFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and not parts.netloc:
                path = Path(unquote(parts.path)).resolve()
                if _inside(path, allowed) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"refused to fetch {url}: only files in the template folder")

    return TemplateFolderFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def logo_data_uri(config: Config) -> str | None:
    """The configured logo as a data URI (read here, so WeasyPrint never opens a path)."""
    logo = config.report.logo
    if not logo:
        return None
    base = config.source.parent if config.source else Path.cwd()
    path = (base / logo).resolve()
    media_type = LOGO_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise ConfigError(f"[report] logo = {logo!r}: use a .png, .jpg or .svg file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"[report] logo = {logo!r}: cannot read {path} ({exc.strerror}); "
            "give a path relative to the config file"
        ) from None
    return f"data:{media_type};base64," + base64.b64encode(data).decode("ascii")


def templates_digest(dirs: Sequence[Path]) -> str:
    """One sha256 over every file of the template folders (names and contents)."""
    digests = []
    for folder in dirs:
        files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        digests.append([(str(p.relative_to(folder)), sha256_file(p)) for p in files])
    text = json.dumps(digests, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Renderer:
    """What every report of one template folder shares: the parsed stylesheet and the
    font configuration it was parsed with, and the fetcher that keeps WeasyPrint inside
    the template folders."""

    dirs: tuple[Path, ...]
    stylesheet: Path
    fetcher: Any
    css: Any  # weasyprint.CSS
    font_config: Any  # weasyprint.text.fonts.FontConfiguration
    html_class: Any  # weasyprint.HTML, or its lean-stylesheet subclass
    parse_with_expat: bool  # the HTML templates are the shipped ones (`lay_out`)


def stylesheet_path(dirs: Sequence[Path]) -> Path:
    """The first report.css of the template folders (a user's own overrides ours)."""
    found = next((d / STYLESHEET for d in dirs if (d / STYLESHEET).is_file()), None)
    if found is None:
        raise ReportTemplateError(f"{STYLESHEET} not found in {dirs[0]}")
    return found


def renderer(dirs: Sequence[Path]) -> Renderer:
    """This process's renderer for `dirs`, made afresh when the stylesheet changed or a
    user's HTML template came or went."""
    sheet = stylesheet_path(dirs)
    stat = sheet.stat()
    # the shipped folder comes last: a template of its name in a folder before it is a
    # user's own (asked of the file system, which may ignore case as the loader then does)
    names = html_template_names(dirs[-1])
    shipped_html = not any((d / name).is_file() for d in dirs[:-1] for name in names)
    return _renderer(tuple(dirs), sheet, stat.st_mtime_ns, stat.st_size, shipped_html)


@lru_cache(maxsize=4)
def html_template_names(folder: Path) -> tuple[str, ...]:
    """The HTML templates of the shipped folder, listed once a process, not once a report."""
    return tuple(sorted(template.name for template in folder.glob("*.html")))


@lru_cache(maxsize=4)
def _renderer(
    dirs: tuple[Path, ...], sheet: Path, mtime_ns: int, size: int, shipped_html: bool
) -> Renderer:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fetcher = make_url_fetcher(dirs)
    fonts = FontConfiguration()
    css = CSS(filename=str(sheet), url_fetcher=fetcher, font_config=fonts)
    html_class = lean_html_class()
    with_expat = shipped_html and expat_matches_weasyprint(html_class)
    return Renderer(dirs, sheet, fetcher, css, fonts, html_class, with_expat)


# the default stylesheet's rules for CSS footnotes and notes, one line each
NOTE_RULES = re.compile(r"^::(?:footnote|note)-[a-z-]+ \{[^}\n]*\}\n", re.MULTILINE)
UNIVERSAL_MARKER = "\n::marker {"


@lru_cache(maxsize=1)
def lean_html_class() -> Any:
    """weasyprint.HTML whose default stylesheet leaves out the footnote and note rules
    and styles `::marker` on list items only (module docstring). It overrides a private
    method; a WeasyPrint whose default stylesheet no longer has these rules gets the
    plain HTML class, so a newer version renders as before, only not leaner."""
    from weasyprint import CSS, HTML

    try:
        from weasyprint.html import UA, UA_COUNTER_STYLE, UA_STYLESHEET
    except ImportError:
        return HTML
    text, removed = NOTE_RULES.subn("", UA)
    if not removed or UNIVERSAL_MARKER not in text or not hasattr(HTML, "_ua_stylesheets"):
        return HTML
    lean = CSS(
        string=text.replace(UNIVERSAL_MARKER, "\nli::marker {"), counter_style=UA_COUNTER_STYLE
    )

    class LeanHTML(HTML):
        def _ua_stylesheets(self, *args: Any, **kwargs: Any) -> list[Any]:
            sheets = super()._ua_stylesheets(*args, **kwargs)
            return [lean if sheet is UA_STYLESHEET else sheet for sheet in sheets]

    return LeanHTML


def render_page(
    page: Any, dirs: Sequence[Path], scope: str, clock: StageClock | None = None
) -> bytes:
    """One report's display rows (`pdf_display.Page`) as PDF bytes; `scope` names the
    report in errors.

    The same bytes on every run, in a pool worker, on a Dask worker or in this process,
    whichever library subsets the fonts: what a library would stamp with the time gets
    the documents' date, the period's last day (`source_date`), as the metadata does.
    """
    with documents_dated(date.fromisoformat(page.created_iso)):
        return _render(page, dirs, scope, clock or StageClock(None))


def _render(page: Any, dirs: Sequence[Path], scope: str, clock: StageClock) -> bytes:
    tools = renderer(dirs)
    check_glyphs(page, tools.stylesheet, scope)
    html = render_html(page, dirs)
    clock.lap("glyph check and HTML")
    rendered = lay_out(html, tools)
    clock.lap("layout")
    data = bytes(rendered.write_pdf())
    clock.lap("drawing and PDF")
    return data


def lay_out(html: str, tools: Renderer) -> Any:
    """A report's HTML laid out in pages (a weasyprint Document), ready to be written.

    The shipped templates' HTML is parsed by expat (`xhtml`), into the tree WeasyPrint's
    own parser would build, in a fourteenth of the time; a user's own HTML templates, and
    HTML that expat refuses, go to WeasyPrint's parser."""
    base_url = tools.dirs[0].as_uri() + "/"
    tree = html_tree(html) if tools.parse_with_expat else None
    if tree is None:
        document = tools.html_class(string=html, base_url=base_url, url_fetcher=tools.fetcher)
    else:
        document = document_from_tree(tools.html_class, tree, base_url, tools.fetcher)
    return document.render(stylesheets=[tools.css], font_config=tools.font_config)


def document_from_tree(html_class: Any, tree: Element, base_url: str, fetcher: Any) -> Any:
    """A weasyprint.HTML of an element tree, as its constructor makes one of a string after
    parsing it (`expat_matches_weasyprint` checks that the two agree)."""
    import cssselect2

    document = html_class.__new__(html_class)
    document.base_url = base_url  # no <base href> to follow: html_tree refuses one
    document.url_fetcher = fetcher
    document.media_type = "print"
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree)
    document.etree_element = document.wrapper_element.etree_element
    return document


# what the shipped templates print, in little: a doctype, CRLF line ends, whitespace
# around head and body, escaped quotes in a title, a table's tbody, an SVG
PROBE_PAGE = (
    '<!DOCTYPE html><html lang="fa" dir="rtl">\r\n<head>\r\n  <meta charset="utf-8"/>\n'
    "  <title>&#39;a&#39; &amp; &#34;b&#34; &lt;c&gt;</title>\n"
    "  <style>@page { size: A4; }</style>\n"
    '</head>\n<body>\n  <p class="x">a <span>b</span></p>\n'
    '<table class="t"><tbody>\n  <tr><td class="num">1</td></tr>\n</tbody></table>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" overflow="visible">'
    '<path d="M1,1h0" stroke-linecap="round"/></svg>\n</body>\n</html>\n'
)


@lru_cache(maxsize=2)
def expat_matches_weasyprint(html_class: Any) -> bool:
    """Whether `html_tree` and `document_from_tree` give what this WeasyPrint's own
    parser and constructor give, on a page like the shipped templates' (they are not
    an API): where they do not, every report goes through WeasyPrint's parser, as before,
    only not faster."""
    parsed = html_class(string=PROBE_PAGE, base_url="file:///t/", url_fetcher=None)
    tree = html_tree(PROBE_PAGE)
    if tree is None:
        return False
    built = document_from_tree(html_class, tree, "file:///t/", parsed.url_fetcher)
    return (
        vars(parsed).keys() == vars(built).keys()
        and (parsed.base_url, parsed.media_type) == (built.base_url, built.media_type)
        and element_shape(parsed.etree_element) == element_shape(built.etree_element)
    )


class StageClock:
    """CPU time per stage, added into a caller's dict; does nothing without one."""

    def __init__(self, into: dict[str, float] | None) -> None:
        self.into = into
        self.last = time.process_time()

    def lap(self, stage: str) -> None:
        if self.into is not None:
            now = time.process_time()
            self.into[stage] = self.into.get(stage, 0.0) + now - self.last
            self.last = now


def check_glyphs(page: object, stylesheet: Path, scope: str) -> None:
    """Refuse a report with characters none of the stylesheet's fonts can print."""
    points = covered(stylesheet_families([stylesheet]))
    if not points:  # none of the fonts is installed: nothing to judge by
        return
    missing = uncovered(page, points)
    if missing:
        shown = "; ".join(missing[:SHOWN]) + (
            f"; and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
        )
        raise ReportTemplateError(
            f"report {scope}: no report font has {shown}; correct the text, or add a font "
            f"that has it to font-family in {STYLESHEET}"
        )
