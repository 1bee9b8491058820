"""A report's HTML as an element tree, built by expat where an HTML parser builds the same.

WeasyPrint parses HTML with tinyhtml5, an HTML5 parser written in Python: 14 ms of a
250 ms report. The shipped templates print well-formed XHTML (void elements closed, each
table's rows inside their tbody), so expat, in C, can build the same tree in under a
millisecond: elements of HTML without a namespace, `svg` and what it holds in the SVG
namespace with its `xmlns` attribute in the XMLNS one, whitespace between `<html>` and
`<head>` dropped and whitespace after `</body>` kept at the end of the body (tests compare
the two trees for every kind of report in English, Finnish and Persian).

`html_tree` accepts only the markup on which the two parsers agree, and gives None for
anything else, which the caller leaves to tinyhtml5 (as it does a user's own HTML template,
pdf_render):
- what expat refuses: an HTML entity such as `&nbsp;`, a character XML forbids, `<br>`;
- a doctype other than `<!DOCTYPE html>`, CDATA, comments, processing instructions;
- markup an HTML parser rebuilds: a self-closed element that is not void (`<div/>`), a row
  straight under `<table>` (it adds a tbody), a cell outside a row, a block inside `<p>` or
  text inside a table outside its cells (it moves them), a list item outside its list, a
  heading in a heading, a link in a link, HTML inside SVG, and the elements it treats
  specially (`pre` drops its first line break, `base` sets the document's address);
- names it changes: upper-case ones (it lowercases them; SVG's `viewBox` it restores) and
  prefixed attributes such as `xlink:href`;
- text XML reads otherwise: a tab or line break inside an attribute value (XML makes it a
  space), a character reference other than the `&#34;` and `&#39;` of jinja's escaping
  (HTML reads `&#128;`–`&#159;` as Windows-1252), any reference inside `<style>` (raw text
  to HTML).
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element
from xml.parsers import expat

SVG = "{http://www.w3.org/2000/svg}"
XMLNS_ATTRIBUTE = "{http://www.w3.org/2000/xmlns/}xmlns"
WHITESPACE = " \t\n\f\r"  # HTML's whitespace

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
PHRASING = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "dfn", "em", "i", "img"}
    | {"kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u"}
    | {"var", "wbr"}
)
SPECIAL = frozenset(
    {"base", "listing", "math", "noscript", "plaintext", "pre", "script", "select"}
    | {"template", "textarea"}
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr"})
DEFINITION_LIST = frozenset({"dl"})
LIST_PARENTS = {"li": frozenset({"ul", "ol", "menu"}), "dt": DEFINITION_LIST, "dd": DEFINITION_LIST}
SVG_ELEMENTS = frozenset(
    {"g", "path", "polyline", "polygon", "line", "rect", "circle", "ellipse", "text", "tspan"}
)
SVG_CASED_ATTRIBUTES = frozenset({"viewBox", "preserveAspectRatio"})

_BREAK_IN_ATTRIBUTE = re.compile(r"=\"[^\"]*[\t\n\r]|='[^']*[\t\n\r]")
_OTHER_REFERENCE = re.compile(r"&#(?!34;|39;)")
_REFERENCE_IN_STYLE = re.compile(r"<style\b[^>]*>[^<]*&")


def html_tree(html: str) -> Element | None:
    """The root `html` element as tinyhtml5 would give it, or None where expat cannot
    parse `html` or an HTML parser could build something else (module docstring)."""
    if any(p.search(html) for p in (_BREAK_IN_ATTRIBUTE, _OTHER_REFERENCE, _REFERENCE_IN_STYLE)):
        return None
    data = html.encode("utf-8", "surrogatepass")
    parser = expat.ParserCreate("utf-8")
    builder = _Builder(data, parser)
    parser.buffer_text = True  # one text event per run of text, not one per line
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.text
    parser.StartDoctypeDeclHandler = builder.doctype
    parser.CommentHandler = builder.other
    parser.ProcessingInstructionHandler = builder.other
    parser.StartCdataSectionHandler = builder.other
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return None
    # text after the root element reaches no handler: expat allows only whitespace there
    # (comments and instructions are refused above), and an HTML parser puts it at the
    # body's end
    after_root = html[len(html.rstrip(WHITESPACE)) :]
    builder.after_root = after_root.replace("\r\n", "\n").replace("\r", "\n")
    return builder.html_root()


def element_shape(element: Element) -> tuple[Any, ...]:
    """An element with everything WeasyPrint reads of it, its children included: two
    trees are alike for WeasyPrint when their shapes are equal."""
    children = tuple(element_shape(child) for child in element)
    return element.tag, dict(element.attrib), element.text, element.tail, children


class _Builder:
    def __init__(self, data: bytes, parser: expat.XMLParserType) -> None:
        self.data = data
        self.parser = parser
        self.open: list[Element] = []
        self.root: Element | None = None
        self.after_root = ""  # whitespace after </html>: an HTML parser puts it in the body
        self.unlike = False  # markup on which an HTML parser would differ

    def doctype(self, name: str, system: str | None, public: str | None, subset: int) -> None:
        if name != "html" or system or public or subset:
            self.unlike = True

    def other(self, *_: object) -> None:
        self.unlike = True

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        parent = self.open[-1].tag if self.open else None
        if tag == "svg" or (parent is not None and parent.startswith(SVG)):
            element = self._svg_element(tag, attributes)
        else:
            element = Element(tag, attributes)
            if not self._html_alike(tag, attributes, parent):
                self.unlike = True
        if self.open:
            self.open[-1].append(element)
        else:
            self.root = element
        self.open.append(element)

    def _svg_element(self, tag: str, attributes: dict[str, str]) -> Element:
        if tag != "svg" and tag not in SVG_ELEMENTS:
            self.unlike = True  # HTML inside SVG, or a name an HTML parser re-cases
        names = set(attributes) - {"xmlns"}
        if any(":" in n or (n != n.lower() and n not in SVG_CASED_ATTRIBUTES) for n in names):
            self.unlike = True
        if "xmlns" in attributes:
            attributes = {
                (XMLNS_ATTRIBUTE if name == "xmlns" else name): value
                for name, value in attributes.items()
            }
        return Element(SVG + tag, attributes)

    def _html_alike(self, tag: str, attributes: dict[str, str], parent: str | None) -> bool:
        """Whether an HTML parser would put this element where expat does, as it is."""
        if tag != tag.lower() or tag in SPECIAL:
            return False
        if any(":" in n or n != n.lower() or n == "xmlns" for n in attributes):
            return False
        if tag not in VOID and self._self_closed():
            return False
        if tag == "tr" and parent not in ("thead", "tbody", "tfoot"):
            return False
        if tag in ("td", "th") and parent != "tr":
            return False
        if tag in LIST_PARENTS and parent not in LIST_PARENTS[tag]:
            return False
        if tag in HEADINGS and parent in HEADINGS:
            return False
        open_tags = {element.tag for element in self.open}
        if tag not in PHRASING and "p" in open_tags:
            return False
        return not (tag == "a" and "a" in open_tags)

    def _self_closed(self) -> bool:
        """Whether the start tag just read ends in `/>` (jinja escapes `>` in values)."""
        end = self.data.find(b">", self.parser.CurrentByteIndex)
        return self.data[end - 1 : end] == b"/"

    def end(self, tag: str) -> None:
        self.open.pop()

    def text(self, data: str) -> None:
        if not self.open:  # before the root element: an HTML parser ignores it too
            return
        parent = self.open[-1]
        if parent.tag in TABLE_PARTS and data.strip(WHITESPACE):
            self.unlike = True  # an HTML parser moves it out of the table
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + data
        else:
            parent.text = (parent.text or "") + data

    def html_root(self) -> Element | None:
        root = self.root
        if self.unlike or root is None or root.tag != "html" or len(root) != 2:
            return None
        head, body = root
        if head.tag != "head" or body.tag != "body":
            return None
        if not all(map(_blank, (root.text, head.tail, body.tail))):
            return None
        root.text = None  # an HTML parser ignores whitespace before <head>
        trailing = (body.tail or "") + self.after_root
        body.tail = None
        if trailing:  # … and puts whitespace after </body> at the body's end
            if len(body):
                body[-1].tail = (body[-1].tail or "") + trailing
            else:
                body.text = (body.text or "") + trailing
        return root


def _blank(text: str | None) -> bool:
    return text is None or not text.strip(WHITESPACE)
