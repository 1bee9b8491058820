"""The renderer warmed up in a PDF worker as it starts, before its first report.

Everything a worker's first report would otherwise load is loaded here: the stylesheet is
parsed and the fonts found (`pdf_render.renderer`), the report template compiled in the
report language, the fonts' coverage read for the glyph check, Babel's locale data
loaded by formatting an amount, and Pango's caches filled by rendering one small page
that sets text in the stylesheet's sizes and weights and in the scripts the reports
print (Latin, Arabic script, the digits and signs). That is about half a second, which
the monthly job spends while it stores the files and computes the totals
(`reports.pdf.EarlyWorkers`) instead of in its first reports.
A failure here only costs that time: the first real report then says what is wrong.

`ready_to_render` also tunes the garbage collector for the work that follows (`settle_collector`).
"""

from __future__ import annotations

import gc
import logging

from roi_reports.config import Config
from roi_reports.fonts import covered, stylesheet_families
from roi_reports.reports.formatting import format_metric
from roi_reports.reports.pdf_render import renderer, report_template, template_dirs

# young-generation threshold in rendering workers (Python 3.11 and 3.12 default: 700)
RENDER_GC_THRESHOLD = 10_000

# the report's text styles (report.css), one element each
WARM_PAGE = """<html><body>
<div class="running-title">ROI · warm</div><div class="running-latest">2026-10-31</div>
<p class="eyebrow">ROI report</p><h1>ROI 12,345.67 € −3.4% ▲▼▶ –</h1>
<p class="period">Lämmin käynnistys · بازگشت سرمایه ۱۲٬۳۴۵ · <b>warm</b></p>
<section class="flags"><h2>Flags</h2><ul><li>Google Ads: ROAS 22.73×</li></ul></section>
<table class="kpis"><tr><td class="kpi kpi-good"><span class="kpi-label">Cost</span>
<span class="kpi-value">€68,807.58</span>
<span class="kpi-change">▲ +€20,129.42 (+41.4%)</span>
<span class="kpi-note">2025-11: €48,678.16</span></td></tr></table>
<figure class="chart"><figcaption>ROI % by channel</figcaption><div class="chart-frame">
<div class="axis-name">ROI (%)</div><div class="plot bars"><div class="tick">6,000.0%</div>
<div class="value">2,173.1%</div></div><table class="x-labels"><tr><td>LinkedIn</td></tr>
</table><p class="legend"><span class="swatch"></span>Revenue</p></div></figure>
<section class="table-block"><h2>By channel</h2><table><thead><tr><th>Channel</th>
<th class="num">ROI %</th></tr></thead><tbody><tr><td>Webinars</td>
<td class="num good">1,697.7%</td></tr></tbody></table><p class="more">and 38 more</p>
<p class="empty">No targets</p></section>
<section class="definitions"><h2>How</h2><dl><dt>Cost</dt><dd>sum of cost</dd></dl>
<p class="example">Example</p></section>
<section class="quality"><ul class="warnings"><li>sheet 'Results', row 2</li></ul>
<p class="inputs">Inputs: a.xlsx (sha256 118650c6d1ed…)</p></section>
</body></html>"""


def warm_up(config: Config | None = None) -> None:
    """Load what the reports of `config` (default: the shipped templates, in English)
    need before the first one; errors are left for the first report to tell."""
    config = config or Config()
    language = config.report.language
    try:
        dirs = template_dirs(config)
        tools = renderer(dirs)
        covered(stylesheet_families([tools.stylesheet]))
        report_template(dirs, language)
        format_metric("revenue", 12345.67, config.report.currency, language)
        document = tools.html_class(string=WARM_PAGE, url_fetcher=tools.fetcher)
        document.render(stylesheets=[tools.css], font_config=tools.font_config).write_pdf()
    except Exception:  # the renderer's own errors surface with the first report
        logging.getLogger(__name__).debug("renderer warm-up failed", exc_info=True)


def settle_collector() -> None:
    """Tune the cyclic garbage collector for a process that renders reports from now on.

    At Python's defaults (a young-generation threshold of 700 on Python 3.11 and 3.12)
    the collector spends about 30 ms of a 250 ms report: a report allocates over 20,000
    objects that live a while (boxes, styles, Pango layouts), so it runs some 30 times a
    report, and every few reports its full pass walks the 150,000 objects of the
    warmed-up modules (WeasyPrint, pandas, the fonts) as well. Freezing what exists after
    the warm-up moves those out of its reach, and a threshold of 10,000 makes it run a
    few times a report. Most of what a report leaves is in cycles, so the worker collects
    after each one (`collect_report_garbage`): together about 7 ms a report, and a
    worker holds one report's leftovers at most.
    """
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(RENDER_GC_THRESHOLD, middle, oldest)


def collect_report_garbage() -> None:
    """After a report in a settled worker: collect what it left in cycles (its boxes and
    their Pango layouts). With the warm-up frozen this walks only that report's objects;
    left to the thresholds, the leftovers of many reports would wait in the oldest
    generation for a full pass a job may never reach."""
    gc.collect()


def ready_to_render(config: Config | None = None) -> None:
    """A process that will render `config`'s reports: warmed up, its collector settled."""
    warm_up(config)
    settle_collector()
