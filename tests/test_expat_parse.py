"""The shipped templates' HTML is parsed by expat into the tree WeasyPrint's own HTML5
parser (tinyhtml5 in WeasyPrint 70) builds, so the PDFs are the same bytes in a fraction
of the parse; what expat refuses, markup an HTML parser would build otherwise, and a
user's own HTML templates go to WeasyPrint's parser as before."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import pytest

from roi_reports.config import Config, ReportConfig
from roi_reports.pipeline import load_dataset, resolve_period
from roi_reports.reports import pdf_render
from roi_reports.reports.model import Scope, build_report_model
from roi_reports.reports.pdf_display import build_page
from roi_reports.reports.pdf_render import (
    expat_matches_weasyprint,
    lean_html_class,
    render_html,
    render_page,
    renderer,
    template_dirs,
)
from roi_reports.reports.xhtml import element_shape, html_tree
from roi_reports.resources import template_root

pytestmark = pytest.mark.pdf
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "roi-sample.xlsx"
SCOPES = [Scope(), Scope("channel", "LinkedIn"), Scope("employee", "نگار محمدی")]
LOGO = (  # one pixel
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
# every list a page can have, with text that needs escaping or that parsers normalise
LINES = (
    'Mia <b>Berg</b> & "Co" \'s',
    "tab\there, cr\r\nlf\rx, \x85 \u00a0 \u2028 \ufdd0",
    "سطر سوم",
)


def weasyprint_tree(html: str) -> Element:
    """The tree WeasyPrint's own parser builds of `html`."""
    return lean_html_class()(string=html, base_url="file:///").etree_element


def page_of(scope: Scope, language: str) -> tuple[Any, Config]:
    config = Config(report=ReportConfig(language=language))
    period = resolve_period("2026-10", config.report)
    model = build_report_model(load_dataset([SAMPLE], config), config, period, scope)
    page = dataclasses.replace(
        build_page(model, config, logo=LOGO),
        heading=f"{LINES[0]} {LINES[2]}",  # in the <title> and the running header too
        flags=LINES,
        flags_more="and 2 more",
        unknowns=LINES,
        unknowns_more="and 3 more",
        warnings=LINES,
        warnings_more="and 4 more",
        notes=LINES,
    )
    return page, config


def test_the_installed_weasyprint_takes_a_tree_and_the_shipped_templates_use_it():
    # a WeasyPrint whose parser or HTML object differs falls back to its own parser: the
    # reports stay right but lose the saving, and this says so
    assert expat_matches_weasyprint(lean_html_class())
    assert renderer(template_dirs(Config())).parse_with_expat


def test_a_weasyprint_whose_html_object_differs_keeps_its_own_parser():
    class Other(lean_html_class()):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.something_new = True

    assert not expat_matches_weasyprint(Other)


@pytest.mark.parametrize("language", ["en", "fi", "fa"])
@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s.kind)
def test_expat_builds_the_tree_of_weasyprints_parser(language, scope):
    page, config = page_of(scope, language)
    html = render_html(page, template_dirs(config))
    tree = html_tree(html)
    assert tree is not None
    assert element_shape(tree) == element_shape(weasyprint_tree(html))
    assert tree.find("body/header/img") is not None  # the logo
    assert tree.find(".//{http://www.w3.org/2000/svg}svg") is not None  # a chart's lines


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_report_is_the_same_bytes_either_way(language, monkeypatch):
    page, config = page_of(Scope("employee", "نگار محمدی"), language)
    dirs = template_dirs(config)
    assert renderer(dirs).parse_with_expat
    assert html_tree(render_html(page, dirs)) is not None
    with_expat = render_page(page, dirs, "employee")
    monkeypatch.setattr(pdf_render, "html_tree", lambda html: None)
    assert render_page(page, dirs, "employee") == with_expat


def test_a_value_expat_refuses_renders_through_weasyprints_parser():
    page, config = page_of(Scope("channel", "LinkedIn"), "en")
    page = dataclasses.replace(page, notes=("a form\x0cfeed",))
    dirs = template_dirs(config)
    assert html_tree(render_html(page, dirs)) is None
    assert render_page(page, dirs, "channel LinkedIn").startswith(b"%PDF")


def _document(body: str, head: str = "", doctype: str = "<!DOCTYPE html>") -> str:
    return f"{doctype}<html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "html",
    [
        _document("<p>a&nbsp;b</p>"),  # an HTML entity
        _document("<p>a<br>b</p>"),  # a void element left open
        _document("<p>a\x0bb</p>"),  # a character XML forbids
        _document("<p>a</p>") + "text",  # text after the document
        "<html>text<head></head><body></body></html>",  # text an HTML parser puts in a body
        "<html><head></head>text<body></body></html>",
        "<html><head></head><body></body>text</html>",
        "<html><body><p>a</p></body></html>",  # no head: an HTML parser adds one
        "<p>a</p>",  # a fragment
        _document("<!-- a -->"),  # a comment
        _document("<?pi a?>"),  # a processing instruction
        _document("<p><![CDATA[a]]></p>"),
        _document("", doctype='<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd">'),
        _document("", doctype='<!DOCTYPE html [<!ENTITY e "x">]>'),
        _document("<div/>"),  # HTML opens a div there and never closes it
        _document("<p><div>a</div></p>"),  # HTML closes the p first
        _document("<table><tr><td>a</td></tr></table>"),  # HTML adds a tbody
        _document("<table><tbody><td>a</td></tbody></table>"),  # … and a row
        _document("<table><tbody>a<tr><td>b</td></tr></tbody></table>"),  # text moved out
        _document("<li>a</li>"),  # a list item outside its list
        _document("<h1><h2>a</h2></h1>"),
        _document("<a href='#x'><a href='#y'>a</a></a>"),
        _document("<pre>\na</pre>"),  # HTML drops the first line break
        _document("", head="<base href='https://example.org/'/>"),
        _document('<p class="a\nb">c</p>'),  # XML makes the line break a space
        _document("<p>&#128;</p>"),  # HTML reads it as the euro sign
        _document("", head="<style>p::before { content: '&#39;' }</style>"),
        _document('<p CLASS="a">b</p>'),  # HTML lowercases the name
        _document("<DIV>a</DIV>"),
        _document('<svg xmlns="http://www.w3.org/2000/svg"><div>a</div></svg>'),
        _document('<svg xmlns="http://www.w3.org/2000/svg"><clipPath/></svg>'),
        _document('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="y"><use x:href="#a"/></svg>'),
    ],
)
def test_what_an_html_parser_would_read_otherwise_is_left_to_it(html):
    assert html_tree(html) is None


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("body", ["\n<p>a</p>\n", ""])
def test_whitespace_around_head_and_body_goes_where_an_html_parser_puts_it(newline, body):
    html = f"<!DOCTYPE html><html>\n<head>\n</head>\n<body>{body}</body>\n</html>\n"
    html = html.replace("\n", newline)
    tree = html_tree(html)
    assert tree is not None and element_shape(tree) == element_shape(weasyprint_tree(html))


def test_a_users_own_html_template_goes_to_weasyprints_parser(tmp_path, monkeypatch):
    own = tmp_path / "templates"
    own.mkdir()
    # well-formed XML that an HTML parser reads otherwise (it adds the tbody): expat
    # would parse it, and must not be asked to
    text = (template_root() / "_kpi_cards.html").read_text(encoding="utf-8")
    text = text.replace('"kpis"><tbody>', '"kpis">').replace("</tbody></table>", "</table>")
    (own / "_kpi_cards.html").write_text(text, encoding="utf-8")
    page, _ = page_of(Scope("channel", "LinkedIn"), "en")
    dirs = [own, *template_dirs(Config())]
    assert not renderer(dirs).parse_with_expat

    def refuse(html: str) -> None:
        raise AssertionError("expat asked to parse a user's own template")

    monkeypatch.setattr(pdf_render, "html_tree", refuse)
    assert render_page(page, dirs, "channel LinkedIn").startswith(b"%PDF")
    # a folder with only a stylesheet, or HTML files of other names, leaves the templates
    # ours: expat reads them (in the same process too, as in `roi-reports watch`)
    (own / "_kpi_cards.html").unlink()
    (own / "notes.html").write_text("<p>not a template of ours</p>", encoding="utf-8")
    shutil.copy(template_root() / "report.css", own / "report.css")
    assert renderer(dirs).parse_with_expat
