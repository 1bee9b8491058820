"""The naive baseline's PDFs: what a straightforward first implementation would write.

Frozen on purpose, and self-contained: it imports nothing of roi-reports' renderer, so
every gain of the real renderer shows in `make bench` instead of speeding up both sides.
It stands for the obvious design: for each report, filter the rows of its scope, add them
up in a Python loop per group, draw the two charts with matplotlib (SVG), and render a
fresh jinja2 template of the same content with a fresh WeasyPrint document (KPI cards,
the ROI chart, the trend chart, the channel, employee and campaign tables, definitions,
data quality). No caching between reports, no bounds on the tables.
"""

from __future__ import annotations

import base64
import io
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

SUMS = ("contacts", "conversions", "revenue", "cost")
KPIS: tuple[str, ...] = ("cost", "revenue", "net_profit", "roi_pct", "roas", "conversions")
KPIS = (*KPIS, "conversion_rate_pct", "cpa")
LABELS = {
    "cost": "Cost",
    "revenue": "Revenue",
    "net_profit": "Net profit",
    "roi_pct": "ROI %",
    "roas": "ROAS",
    "conversions": "Conversions",
    "conversion_rate_pct": "Conversion rate %",
    "cpa": "Cost per acquisition",
    "contacts": "Contacts",
}
TEMPLATE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
@page { size: A4; margin: 20mm 15mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); } }
body { font-family: "Noto Sans", sans-serif; font-size: 9pt; }
h1 { color: #0b3d63; } h2 { color: #0b3d63; font-size: 11pt; }
.kpis { display: flex; flex-wrap: wrap; gap: 6pt; }
.kpi { width: 23%; border: 0.6pt solid #ddd; border-top: 3pt solid #999; padding: 4pt; }
.value { font-size: 13pt; font-weight: bold; }
table { width: 100%; border-collapse: collapse; font-size: 8pt; }
th, td { border-bottom: 0.4pt solid #ddd; padding: 2pt 4pt; text-align: right; }
th:first-child, td:first-child { text-align: left; }
img { width: 100%; }
</style></head><body>
<h1>{{ heading }}</h1><p>Period {{ period }}, compared with {{ previous }}</p>
<div class="kpis">{% for card in cards %}<div class="kpi"><div>{{ card.label }}</div>
<div class="value">{{ card.value }}</div><div>{{ previous }}: {{ card.previous }}</div>
</div>{% endfor %}</div>
{% for chart in charts %}<h2>{{ chart.title }}</h2><img src="{{ chart.src }}">{% endfor %}
{% for table in tables %}<h2>{{ table.title }}</h2><table><tr>{% for h in table.headers %}
<th>{{ h }}</th>{% endfor %}</tr>{% for row in table.rows %}<tr>{% for cell in row %}
<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</table>{% endfor %}
<h2>How these are computed</h2><dl>{% for name, rule in definitions %}<dt>{{ name }}</dt>
<dd>{{ rule }}</dd>{% endfor %}</dl>
<h2>Data quality</h2><p>No data-quality warnings.</p>
</body></html>"""
DEFINITIONS = (
    ("Net profit", "revenue − cost"),
    ("ROI %", "net profit / cost × 100 (null when cost is 0)"),
    ("ROAS", "revenue / cost (null when cost is 0)"),
    ("Conversion rate %", "conversions / contacts × 100 (null when contacts is 0)"),
    ("Cost per acquisition", "cost / conversions (null when conversions is 0)"),
)


def _ratio(top: float, bottom: float, scale: float = 1.0) -> float | None:
    return top / bottom * scale if bottom else None


def metrics(sums: dict[str, float]) -> dict[str, float | None]:
    net = sums["revenue"] - sums["cost"]
    return {
        **sums,
        "net_profit": net,
        "roi_pct": _ratio(net, sums["cost"], 100),
        "roas": _ratio(sums["revenue"], sums["cost"]),
        "conversion_rate_pct": _ratio(sums["conversions"], sums["contacts"], 100),
        "cpa": _ratio(sums["cost"], sums["conversions"]),
    }


def text(value: float | None) -> str:
    return "–" if value is None else f"{value:,.2f}"


def group_sums(results: pd.DataFrame, costs: pd.DataFrame, month: str) -> dict[str, Any]:
    """One Python loop over the scope's rows: sums per month, and per channel, employee
    and campaign within `month`."""
    found: dict[str, Any] = {
        key: defaultdict(lambda: dict.fromkeys(SUMS, 0.0))
        for key in ("month", "channel", "employee", "campaign")
    }
    for frame, kind in ((results, "results"), (costs, "costs")):
        for row in frame.to_dict("records"):
            day = pd.Timestamp(row["Date"])
            row_month = f"{day.year:04d}-{day.month:02d}"
            keys: dict[str, Any] = {"month": row_month}
            if row_month == month:
                for dimension in ("channel", "employee", "campaign"):
                    value = row[dimension.capitalize()]
                    keys[dimension] = None if value != value else value  # NaN: unassigned
            for dimension, key in keys.items():
                group = found[dimension][key]
                if kind == "results":
                    for name in ("contacts", "conversions", "revenue"):
                        group[name] += row[name.capitalize()]
                else:
                    group["cost"] += row["Amount"]
    return found


def svg_uri(figure: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode()).decode()


def charts(found: dict[str, Any], key: str) -> list[dict[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted(str(n) for n in found[key] if isinstance(n, str))
    roi = [metrics(found[key][n])["roi_pct"] or 0.0 for n in names]
    figure, axes = plt.subplots(figsize=(7, 2.3))
    axes.bar(range(len(names)), roi)
    axes.set_xticks(range(len(names)), names, rotation=20 if len(names) > 4 else 0)
    axes.set_ylabel("ROI (%)")
    bars = {"title": f"ROI % by {key}", "src": svg_uri(figure)}
    months = sorted(found["month"])[-12:]
    figure, axes = plt.subplots(figsize=(7, 2.3))
    for name in ("revenue", "cost"):
        axes.plot(months, [found["month"][m][name] for m in months], marker="o", label=name)
    axes.legend()
    return [bars, {"title": "Revenue vs cost by month", "src": svg_uri(figure)}]


def table(found: dict[str, Any], key: str, columns: Sequence[str]) -> dict[str, Any]:
    rows = []
    for name in sorted(found[key], key=lambda n: (not isinstance(n, str), str(n))):
        values = metrics(found[key][name])
        rows.append([name if isinstance(name, str) else "(unassigned)"])
        rows[-1] += [text(values[c]) for c in columns]
    return {"title": f"By {key}", "headers": [key, *(LABELS[c] for c in columns)], "rows": rows}


def report_html(
    scope: tuple[str, str], results: pd.DataFrame, costs: pd.DataFrame, period: str
) -> str:
    import jinja2

    kind, name = scope
    previous = str(pd.Period(period, "M") - 1)
    if kind != "all":
        column = kind.capitalize()
        results, costs = results[results[column] == name], costs[costs[column] == name]
    found = group_sums(results, costs, period)
    now, before = metrics(found["month"][period]), metrics(found["month"][previous])
    cards = [{"label": LABELS[k], "value": text(now[k]), "previous": text(before[k])} for k in KPIS]
    tables = [table(found, "channel", KPIS)]
    if kind != "employee":
        tables.append(table(found, "employee", ("revenue", "cost", "roi_pct", "conversions")))
    tables.append(table(found, "campaign", ("cost", "revenue", "roi_pct", "roas", "conversions")))
    environment = jinja2.Environment(autoescape=True)  # fresh for every report
    return environment.from_string(TEMPLATE).render(
        title="ROI report",
        heading="Executive summary" if kind == "all" else f"{kind.capitalize()}: {name}",
        period=period,
        previous=previous,
        cards=cards,
        charts=charts(found, "employee" if kind == "channel" else "channel"),
        tables=tables,
        definitions=DEFINITIONS,
    )


def report_scopes(config_path: Path, results: pd.DataFrame) -> list[tuple[str, str]]:
    """The executive summary, every channel, and every stakeholder's employee report."""
    config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    scopes = [("all", ""), *(("channel", str(c)) for c in sorted(results["Channel"].unique()))]
    for person in config.get("stakeholders", []):
        kind, _, name = person["scope"].partition(":")
        if (kind, name) not in scopes:
            scopes.append((kind, name))
    return scopes


def render_naive_pdfs(
    results: Sequence[pd.DataFrame],
    costs: Sequence[pd.DataFrame],
    config: Path,
    period: str,
    out: Path,
) -> int:
    """Every report, one after another in this process, each from scratch."""
    from weasyprint import HTML

    out.mkdir(parents=True, exist_ok=True)
    all_results, all_costs = pd.concat(results), pd.concat(costs)
    scopes = report_scopes(config, all_results)
    for number, scope in enumerate(scopes):
        html = report_html(scope, all_results, all_costs, period)
        HTML(string=html).write_pdf(out / f"naive-{number:04d}.pdf")
    return len(scopes)
