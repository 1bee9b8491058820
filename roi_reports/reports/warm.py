"""The renderer warmed up in a PDF worker as it starts, before its first report.

The shipped stylesheet is parsed, the fonts are loaded and Pango's caches are filled by
rendering one small page in the scripts the reports print (Latin, Arabic script, the
digits and signs): about a second, which the monthly job spends while it computes the
totals (`reports.pdf.start_workers`) instead of in the first report.
A failure here only costs that second: the first real report then says what is wrong.
"""

from __future__ import annotations

import logging

from roi_reports.reports.pdf_render import renderer
from roi_reports.resources import template_root

WARM_PAGE = (
    "<html><body><h1>ROI 12,345.67 € −3.4% ▲▼▶ –</h1>"
    "<p>Lämmin käynnistys · بازگشت سرمایه ۱۲٬۳۴۵ · <b>warm</b></p>"
    "<table><tr><th>a</th><td>1</td></tr></table></body></html>"
)


def warm_up() -> None:
    try:
        tools = renderer([template_root().resolve()])
        document = tools.html_class(string=WARM_PAGE, url_fetcher=tools.fetcher)
        document.render(stylesheets=[tools.css], font_config=tools.font_config).write_pdf()
    except Exception:  # the renderer's own errors surface with the first report
        logging.getLogger(__name__).debug("renderer warm-up failed", exc_info=True)
