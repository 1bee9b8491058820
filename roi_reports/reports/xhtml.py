"""A report's HTML as an element tree, built by expat when the HTML is well-formed XML.

WeasyPrint parses HTML with tinyhtml5, an HTML5 parser written in Python: 14 ms of a
250 ms report. The shipped templates print well-formed XHTML (void elements closed, each
table's rows inside their tbody), so expat, in C, builds the same tree in under a
millisecond. `html_tree` builds what tinyhtml5 builds for such a document: elements of
HTML without a namespace, `svg` and what it holds in the SVG namespace with its `xmlns`
attribute in the XMLNS one, whitespace between `<html>` and `<head>` dropped and whitespace
after `</body>` kept at the end of the body (tests compare the two trees for every kind of
report in English, Finnish and Persian). What expat refuses (an HTML entity such as
`&nbsp;`, a control character that XML forbids, an unclosed `<br>`) gives None, and the
caller leaves the HTML to tinyhtml5; so does a user's own HTML template, which may rely
on what an HTML parser adds (pdf_render).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element
from xml.parsers import expat

SVG = "{http://www.w3.org/2000/svg}"
XMLNS_ATTRIBUTE = "{http://www.w3.org/2000/xmlns/}xmlns"
WHITESPACE = " \t\n\f\r"  # HTML's whitespace


def html_tree(html: str) -> Element | None:
    """The root `html` element as tinyhtml5 would give it, or None where expat cannot
    parse `html` or an HTML parser would build something else (text outside the body)."""
    builder = _Builder()
    parser = expat.ParserCreate()
    parser.buffer_text = True  # one text event per run of text, not one per line
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.text
    parser.CommentHandler = builder.other
    parser.ProcessingInstructionHandler = builder.other
    try:
        parser.Parse(html, True)
    except expat.ExpatError:
        return None
    # expat reports no text after the root element: it can only be whitespace (expat
    # refuses anything else), which an HTML parser puts at the body's end
    after_root = html[len(html.rstrip(WHITESPACE)) :]
    builder.after_root = after_root.replace("\r\n", "\n").replace("\r", "\n")
    return builder.html_root()


class _Builder:
    def __init__(self) -> None:
        self.open: list[Element] = []
        self.root: Element | None = None
        self.after_root = ""  # whitespace after </html>: an HTML parser puts it in the body
        self.unlike = False  # a comment or processing instruction: left to an HTML parser

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        in_svg = tag == "svg" or (self.open and self.open[-1].tag.startswith(SVG))
        if in_svg:
            tag = SVG + tag
            if "xmlns" in attributes:
                attributes = {
                    (XMLNS_ATTRIBUTE if name == "xmlns" else name): value
                    for name, value in attributes.items()
                }
        element = Element(tag, attributes)
        if self.open:
            self.open[-1].append(element)
        else:
            self.root = element
        self.open.append(element)

    def end(self, tag: str) -> None:
        self.open.pop()

    def other(self, *_: str) -> None:
        self.unlike = True

    def text(self, data: str) -> None:
        if not self.open:  # before the root element: an HTML parser ignores it too
            return
        parent = self.open[-1]
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
