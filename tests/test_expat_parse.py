"""The shipped templates' HTML is parsed by expat into the tree WeasyPrint's own HTML5
parser (tinyhtml5) builds, so the PDFs are the same bytes in a fraction of the parse; what
expat refuses, and a user's own HTML templates, go to WeasyPrint's parser as before."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import pytest
import tinyhtml5

from roi_reports.config import Config, ReportConfig
from roi_reports.pipeline import load_dataset, resolve_period
from roi_reports.reports import pdf_render
from roi_reports.reports.model import Scope, build_report_model
from roi_reports.reports.pdf_display import build_page
from roi_reports.reports.pdf_render import (
    documents_from_trees,
    lean_html_class,
    render_html,
    render_page,
    renderer,
    template_dirs,
)
from roi_reports.reports.xhtml import html_tree
from roi_reports.resources import template_root

pytestmark = pytest.mark.pdf
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "roi-sample.xlsx"
SCOPES = [Scope(), Scope("channel", "LinkedIn"), Scope("employee", "نگار محمدی")]
LOGO = (  # one pixel
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
# every list a page can have, with text that needs escaping
LINES = ('Mia <b>Berg</b> & "Co" \'s', "second line", "سطر سوم")


def shape(element: Element) -> tuple[Any, ...]:
    """An element with everything WeasyPrint reads of it, its children included."""
    children = tuple(shape(child) for child in element)
    return element.tag, dict(element.attrib), element.text, element.tail, children


def tinyhtml5_tree(html: str) -> Element:
    return tinyhtml5.parse(html, namespace_html_elements=False)


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
    # a WeasyPrint whose HTML object holds other attributes falls back to its own parser:
    # the reports stay right but lose the saving, and this says so
    assert documents_from_trees(lean_html_class())
    assert renderer(template_dirs(Config())).parse_with_expat


@pytest.mark.parametrize("language", ["en", "fi", "fa"])
@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s.kind)
def test_expat_builds_the_tree_of_weasyprints_parser(language, scope):
    page, config = page_of(scope, language)
    html = render_html(page, template_dirs(config))
    tree = html_tree(html)
    assert tree is not None
    assert shape(tree) == shape(tinyhtml5_tree(html))
    assert tree.find("body/header/img") is not None  # the logo
    assert tree.find(".//{http://www.w3.org/2000/svg}svg") is not None  # a chart's lines


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_report_is_the_same_bytes_either_way(language, monkeypatch):
    page, config = page_of(Scope("employee", "نگار محمدی"), language)
    dirs = template_dirs(config)
    with_expat = render_page(page, dirs, "employee")
    assert renderer(dirs).parse_with_expat
    monkeypatch.setattr(pdf_render, "html_tree", lambda html: None)
    assert render_page(page, dirs, "employee") == with_expat


@pytest.mark.parametrize(
    "html",
    [
        "<html><head></head><body><p>a&nbsp;b</p></body></html>",  # an HTML entity
        "<html><head></head><body><p>a<br>b</p></body></html>",  # a void element left open
        "<html><head></head><body><p>a\x0bb</p></body></html>",  # a character XML forbids
        "<html><head></head><body><p>a</p></body></html>text",  # text after the document
        "<html>text<head></head><body></body></html>",  # text an HTML parser puts in a body
        "<html><body><p>a</p></body></html>",  # no head: an HTML parser adds one
        "<p>a</p>",  # a fragment
        "<html><head></head><body><!-- a --></body></html>",  # a comment
    ],
)
def test_what_an_html_parser_would_read_otherwise_is_left_to_it(html):
    assert html_tree(html) is None


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_whitespace_around_head_and_body_goes_where_an_html_parser_puts_it(newline):
    html = "<!DOCTYPE html><html>\n<head>\n</head>\n<body>\n<p>a</p>\n</body>\n</html>\n"
    html = html.replace("\n", newline)
    tree = html_tree(html)
    assert tree is not None and shape(tree) == shape(tinyhtml5_tree(html))


def test_a_users_own_html_template_goes_to_weasyprints_parser(tmp_path):
    own = tmp_path / "templates"
    own.mkdir()
    # an HTML template that is not XML: expat could not read it, an HTML parser can
    text = (template_root() / "report.html").read_text(encoding="utf-8")
    (own / "report.html").write_text(text.replace("<h1>", "<h1>&nbsp;"), encoding="utf-8")
    shutil.copy(template_root() / "report.css", own / "report.css")
    page, _ = page_of(Scope("channel", "LinkedIn"), "en")
    dirs = [own, *template_dirs(Config())]
    assert not renderer(dirs).parse_with_expat
    assert render_page(page, dirs, "channel LinkedIn").startswith(b"%PDF")
    # a folder with only a stylesheet leaves the HTML ours: expat reads it (in the same
    # process too, as in `roi-reports watch`)
    (own / "report.html").unlink()
    assert renderer(dirs).parse_with_expat
