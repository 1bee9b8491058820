"""Unknown is not zero: values a file does not carry are null, partial sums are said.

The Google Ads fixture is a lead-generation campaign report without `Conv. value`
(tests/fixtures/exports/README.md). Its figures, summed by hand from the file:
12 rows; clicks 729; conversions 21 (Leads 16, Brand 5); cost 316.74 (Leads 265.87,
Brand 50.87).
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from roi_reports import compute_metrics, load_dataset
from roi_reports.config import Config, ReportConfig
from roi_reports.ingest.dataset import read_dataset
from roi_reports.pipeline import resolve_period
from roi_reports.reports.headline import Headlines, headline_from_model
from roi_reports.reports.model import Scope, build_report_model
from roi_reports.reports.pdf_display import build_page
from tests.helpers import cli_json, make_dataset, pdf_text, run_cli, write_workbook

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
LEADGEN = FIXTURES / "google_ads_leadgen.csv"
REL = 1e-12


def close(actual: object, expected: float) -> bool:
    return isinstance(actual, float | int) and math.isclose(actual, expected, rel_tol=REL)


def test_lead_gen_google_ads_export_counts_conversions_and_leaves_revenue_null():
    [total] = cli_json("metrics", str(LEADGEN))
    assert total["conversions"] == 21 and total["contacts"] == 729
    assert close(total["cost"], 316.74)
    assert close(total["cpa"], 316.74 / 21)
    assert close(total["conversion_rate_pct"], 21 / 729 * 100)
    for unknown in ("revenue", "net_profit", "roi_pct", "roas", "avg_ticket"):
        assert total[unknown] is None, unknown
    for unknown in ("break_even_conversions", "annualized_roi_pct", "annualized_roi_simple_pct"):
        assert total[unknown] is None, unknown
    assert total["results_rows"] == 12 and total["revenue_unknown_rows"] == 12
    assert total["revenue_unknown_in"] == "google_ads_leadgen.csv"
    assert total["contacts_unknown_rows"] == 0 and total["contacts_unknown_in"] is None
    by_campaign = {r["campaign"]: r for r in cli_json("metrics", "--by", "campaign", str(LEADGEN))}
    assert by_campaign["Leads - Search"]["conversions"] == 16
    assert close(by_campaign["Leads - Search"]["cost"], 265.87)
    assert by_campaign["Brand - Search"]["conversions"] == 5
    assert by_campaign["Brand - Search"]["revenue"] is None


def test_validate_says_what_is_unknown_and_why():
    result = run_cli("validate", str(LEADGEN))
    assert result.exit_code == 0, result.output
    assert "no conversion value column: revenue unknown for 12 rows" in result.output
    assert "OK: 1 file(s) valid, 24 result and cost rows" in result.output


def test_a_team_sheet_without_revenue_is_still_an_error(tmp_path):
    path = write_workbook(
        tmp_path / "team.xlsx",
        {"results": [["Date", "Channel", "Contacts", "Conversions"], ["2026-10-01", "X", 5, 1]]},
    )
    result = run_cli("validate", str(path))
    assert result.exit_code == 1
    assert "required column missing" in result.output and "revenue" in result.output


@pytest.fixture
def crm(tmp_path):
    """A team's CRM sheet with the revenue of the Google Ads channel: 5 deals, 2 000."""
    return write_workbook(
        tmp_path / "crm.xlsx",
        {
            "results": [
                ["Date", "Channel", "Contacts", "Conversions", "Revenue"],
                ["2026-10-02", "Google Ads", 30, 3, 1200],
                ["2026-10-05", "Google Ads", 20, 2, 800],
            ]
        },
    )


def test_crm_revenue_fills_in_the_ad_exports_channel_as_a_partial_sum(crm):
    [row] = compute_metrics(load_dataset([LEADGEN, crm], Config()), by="channel").to_dict("records")
    assert row["channel"] == "Google Ads"
    assert row["revenue"] == 2000 and row["conversions"] == 26
    assert close(row["net_profit"], 2000 - 316.74)
    assert close(row["roi_pct"], (2000 - 316.74) / 316.74 * 100)
    assert close(row["roas"], 2000 / 316.74)
    assert close(row["avg_ticket"], 2000 / 5)  # the CRM's deals, not the 26 conversions
    assert row["break_even_conversions"] == 1  # ceil(316.74 / 400)
    assert close(row["cpa"], 316.74 / 26)
    assert (row["results_rows"], row["revenue_unknown_rows"]) == (14, 12)
    assert row["revenue_unknown_in"] == "google_ads_leadgen.csv"


# Hand-made rows for the rule on mixed groups (contacts unknown come from CRM exports)
MIXED = [
    # Google Ads export: contacts known, revenue unknown
    {"channel": "Google Ads", "contacts": 60.0, "conversions": 3.0, "revenue": None},
    {"channel": "Google Ads", "contacts": 40.0, "conversions": 1.0, "revenue": None},
    # CRM deals of the same channel: revenue known, contacts unknown
    {"channel": "Google Ads", "contacts": None, "conversions": 2.0, "revenue": 900.0},
    {"channel": "Google Ads", "contacts": None, "conversions": 1.0, "revenue": 300.0},
    # a channel that knows everything
    {"channel": "LinkedIn", "contacts": 50.0, "conversions": 5.0, "revenue": 1000.0},
    # a channel that knows neither
    {"channel": "Fairs", "contacts": None, "conversions": 4.0, "revenue": None},
]
MIXED_COSTS = [
    {"channel": "Google Ads", "category": "ads", "amount": 400.0},
    {"channel": "LinkedIn", "category": "ads", "amount": 200.0},
    {"channel": "Fairs", "category": "fairs", "amount": 100.0},
    {"channel": "Radio", "category": "ads", "amount": 50.0},  # costs only
]


@pytest.fixture
def mixed():
    rows = [r | {"file": "crm.csv" if r["contacts"] is None else "ads.csv"} for r in MIXED]
    rows[-1]["file"] = "fairs.csv"
    table = compute_metrics(make_dataset(rows, MIXED_COSTS), by="channel")
    return {r["channel"]: r for r in table.to_dict("records")}


def test_a_mixed_group_sums_its_known_rows_and_pairs_ratios_with_them(mixed):
    ads = mixed["Google Ads"]
    assert ads["revenue"] == 1200 and ads["contacts"] == 100 and ads["conversions"] == 7
    assert close(ads["roi_pct"], (1200 - 400) / 400 * 100)
    assert close(ads["roas"], 3.0)
    assert close(ads["conversion_rate_pct"], 4 / 100 * 100)  # the CRM's 3 deals left out
    assert close(ads["cost_per_contact"], 4.0)
    assert close(ads["avg_ticket"], 1200 / 3)  # only the deals that carry revenue
    assert ads["break_even_conversions"] == 1  # ceil(400 / 400)
    assert close(ads["cpa"], 400 / 7)
    assert (ads["revenue_unknown_rows"], ads["revenue_unknown_in"]) == (2, "ads.csv")
    assert (ads["contacts_unknown_rows"], ads["contacts_unknown_in"]) == (2, "crm.csv")


def test_a_group_that_knows_nothing_is_null_and_a_costs_only_group_is_zero(mixed):
    fairs = mixed["Fairs"]
    assert fairs["conversions"] == 4 and fairs["cost"] == 100 and close(fairs["cpa"], 25.0)
    for name in ("revenue", "contacts", "net_profit", "roi_pct", "roas", "avg_ticket"):
        assert pd.isna(fairs[name]), name
    for name in ("conversion_rate_pct", "cost_per_contact", "break_even_conversions"):
        assert pd.isna(fairs[name]), name
    assert fairs["revenue_unknown_in"] == fairs["contacts_unknown_in"] == "fairs.csv"
    radio = mixed["Radio"]  # no results rows: nothing was earned, which is known
    assert radio["revenue"] == 0 and radio["results_rows"] == 0
    assert radio["roi_pct"] == -100 and pd.isna(radio["revenue_unknown_in"])
    linkedin = mixed["LinkedIn"]
    assert linkedin["revenue_unknown_rows"] == linkedin["contacts_unknown_rows"] == 0


def test_the_total_applies_the_same_rule():
    rows = [r | {"file": "x.csv"} for r in MIXED]
    [total] = compute_metrics(make_dataset(rows, MIXED_COSTS)).to_dict("records")
    assert total["revenue"] == 2200 and total["contacts"] == 150
    assert total["conversions"] == 16
    assert close(total["conversion_rate_pct"], (4 + 5) / 150 * 100)
    assert close(total["avg_ticket"], 2200 / (3 + 5))
    assert close(total["roi_pct"], (2200 - 750) / 750 * 100)
    assert (total["revenue_unknown_rows"], total["contacts_unknown_rows"]) == (3, 3)


def test_gross_profit_basis_is_unaffected_by_unknown_revenue():
    rows = [
        {"channel": "A", "contacts": 10.0, "conversions": 2.0, "revenue": None,
         "gross_profit": 300.0},
        {"channel": "A", "contacts": 10.0, "conversions": 3.0, "revenue": 500.0,
         "gross_profit": 200.0},
    ]  # fmt: skip
    config = Config(report=ReportConfig(profit_basis="gross_profit"))
    costs = [{"channel": "A", "category": "ads", "amount": 250.0}]
    [row] = compute_metrics(make_dataset(rows, costs), config).to_dict("records")
    assert row["net_profit"] == 250 and close(row["roi_pct"], 100.0)
    assert row["break_even_conversions"] == 3  # ceil(250 / (500 / 5))
    assert row["revenue"] == 500 and close(row["avg_ticket"], 500 / 3)


NOTE_ALL = (
    "revenue unknown for 12 of 12 results rows (no conversion value column in "
    "google_ads_leadgen.csv)"
)
NOTE_PART = (
    "revenue is partial, unknown for 12 of 14 results rows (no conversion value column in "
    "google_ads_leadgen.csv)"
)


def test_the_metrics_table_says_which_figures_are_unknown_or_partial(crm):
    alone = run_cli("metrics", "--by", "channel", str(LEADGEN))
    assert alone.exit_code == 0
    [line] = [x for x in alone.stdout.splitlines() if x.startswith("Google Ads")]
    assert line.split()[2:5] == ["21", "316.74", "–"]  # conversions, cost, revenue
    assert f"Note: channel Google Ads: {NOTE_ALL}" in alone.stderr
    mixed = run_cli("metrics", "--by", "channel", str(LEADGEN), str(crm))
    assert f"Note: channel Google Ads: {NOTE_PART}" in mixed.stderr
    complete = run_cli("metrics", "--by", "channel", str(crm))
    assert "Note:" not in complete.stderr


def test_the_workbook_leaves_unknown_cells_empty_and_says_why(tmp_path):
    out = tmp_path / "summary.xlsx"
    result = run_cli("excel", "--period", "2026-10", "-o", str(out), str(LEADGEN))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    sheet = book["By channel"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Google Ads")
    values = dict(zip(header, row, strict=False))
    assert values["Revenue"] is None and values["ROI %"] is None and values["ROAS"] is None
    assert values["Conversions"] == 21 and math.isclose(values["Cost"], 316.74)
    lines = [r[0] for r in book["Data quality"].iter_rows(values_only=True) if r[0]]
    start = lines.index("Unknown and partial figures")
    assert lines[start + 2 : start + 4] == [
        f"Whole team: {NOTE_ALL}",
        f"channel Google Ads: {NOTE_ALL}",
    ]
    rules = [
        r for r in book["Data quality"].iter_rows(values_only=True) if r[6] == "revenue unknown"
    ]
    assert len(rules) == 1 and rules[0][7].startswith(
        "no conversion value column: revenue unknown for 12 rows"
    )
    summary = [r[0] for r in book["Summary"].iter_rows(values_only=True) if r[0]]
    caveat = summary.index(f"Whole team: {NOTE_ALL}")  # right under the key figures
    # under the key figures and the note on their last (annualised ROI of a month)
    assert summary[caveat - 2] == "Annualised ROI %"
    assert summary[caveat - 1].startswith("Annualised ROI %: – because")
    definitions = [r[0] for r in book["Definitions"].iter_rows(values_only=True) if r[0]]
    assert any(str(line).startswith("Unknown is not zero:") for line in definitions)


@pytest.mark.pdf
def test_the_pdf_prints_a_dash_and_says_what_is_unknown(tmp_path, crm):
    result = run_cli("pdf", "--period", "2026-10", "-o", str(tmp_path), str(LEADGEN))
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "executive-summary.pdf", layout=True)
    flat = " ".join(text.split())
    assert "Unknown and partial figures" in flat
    assert f"Whole team: {NOTE_ALL}" in flat
    lines = [line.split() for line in text.splitlines() if line.strip()]
    cards = lines.index(["COST", "REVENUE", "NET", "PROFIT", "ROI", "%"])
    assert lines[cards + 1] == ["€316.74", "–", "–", "–"]  # cost, revenue, net profit, ROI


# Invariants over random rows: unknown values (None), credit notes (negative money)
CENTS = st.integers(min_value=-200_000, max_value=5_000_000).map(lambda c: c / 100)
RESULT_ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "date": st.dates(date(2026, 1, 1), date(2026, 3, 31)),
            "channel": st.sampled_from(["Fairs", "LinkedIn", "Google Ads"]),
            "contacts": st.one_of(st.none(), st.integers(0, 500).map(float)),
            "conversions": st.integers(0, 50).map(float),
            "revenue": st.one_of(st.none(), CENTS),
        }
    ),
    min_size=1,
    max_size=25,
)
COST_ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "date": st.dates(date(2026, 1, 1), date(2026, 3, 31)),
            "channel": st.one_of(st.none(), st.sampled_from(["Fairs", "LinkedIn", "Radio"])),
            "category": st.sampled_from(["ads", "travel"]),
            "amount": CENTS,
        }
    ),
    min_size=1,
    max_size=15,
)


def known_sum(rows: list[dict], column: str) -> float:
    values = [r[column] for r in rows if r[column] is not None]
    return math.fsum(values) if values else math.nan


def expected_ratio(numerator: float, denominator: float) -> float:
    if math.isnan(denominator) or denominator == 0:
        return math.nan
    return numerator / denominator


def same(actual: float, expected: float) -> bool:
    if math.isnan(expected):
        return pd.isna(actual)
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-6)


@given(RESULT_ROWS, COST_ROWS)
def test_each_group_follows_the_rule_for_unknown_values(results, costs):
    table = compute_metrics(make_dataset(results, costs), by="channel").set_index("channel")
    for channel in {r["channel"] for r in results}:
        mine = [r for r in results if r["channel"] == channel]
        row = table.loc[channel]
        revenue, contacts = known_sum(mine, "revenue"), known_sum(mine, "contacts")
        with_contacts = math.fsum(r["conversions"] for r in mine if r["contacts"] is not None)
        with_revenue = math.fsum(r["conversions"] for r in mine if r["revenue"] is not None)
        assert same(row["revenue"], revenue) and same(row["contacts"], contacts)
        assert same(row["conversion_rate_pct"], expected_ratio(with_contacts * 100, contacts))
        assert same(row["avg_ticket"], expected_ratio(revenue, with_revenue))
        assert row["revenue_unknown_rows"] == sum(r["revenue"] is None for r in mine)
        assert row["contacts_unknown_rows"] == sum(r["contacts"] is None for r in mine)


@given(RESULT_ROWS, COST_ROWS, st.sampled_from(["none", "revenue", "cost", "contacts", "even"]))
def test_credit_notes_and_unknowns_keep_every_cent_of_shared_costs(results, costs, mode):
    config = Config(report=ReportConfig(shared_costs=mode))
    dataset = make_dataset(results, costs)
    by_channel = compute_metrics(dataset, config, by="channel")
    [total] = compute_metrics(dataset, config).to_dict("records")
    expected = round(math.fsum(c["amount"] for c in costs) * 100)
    assert round(by_channel["cost"].sum() * 100) == expected == round(total["cost"] * 100)
    # the total's known revenue is the known revenue of the groups with results rows
    assert same(total["revenue"], known_sum(results, "revenue"))
    with_results = by_channel[by_channel["results_rows"] > 0]
    assert same(with_results["revenue"].sum(min_count=1), known_sum(results, "revenue"))


def test_headline_figures_say_partial(crm):
    from roi_reports.periods import parse_period
    from roi_reports.reports.headline import headline_figures
    from roi_reports.reports.model import build_report_model

    dataset = load_dataset([LEADGEN, crm], Config())
    model = build_report_model(dataset, Config(), parse_period("2026-10"))
    figures = {f.label: f.value for f in headline_figures(model, "en")}
    assert figures["Revenue"] == "€2,000.00 (partial)"
    assert figures["ROI %"] == "531.4% (partial)"
    assert figures["Cost"] == "€316.74" and figures["Conversions"] == "26"
    alone = build_report_model(load_dataset([LEADGEN], Config()), Config(), parse_period("2026-10"))
    assert {f.label: f.value for f in headline_figures(alone, "fi")}["Liikevaihto"] == "–"


SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture(scope="module")
def sample_team():
    """The sample workbook and its employees sheet, read once."""
    files = [SAMPLE_DIR / "roi-sample.xlsx", SAMPLE_DIR / "employees.csv"]
    return read_dataset(files, Config())


@pytest.mark.parametrize("language", ["en", "fi", "fa"])
def test_a_scope_report_says_the_costs_it_leaves_out(sample_team, language):
    """Unshared, a channel's figures hold only the cost rows naming a channel, a team's or
    an employee's only those naming an employee: the report says how much the period's
    other costs are, rather than showing silently less."""
    unshared = Config(report=ReportConfig(language=language))
    period = resolve_period("2026-10", unshared.report)
    costs = sample_team.costs
    october = costs[(costs["start"] >= "2026-10-01") & (costs["start"] <= "2026-10-31")]

    def blank(column: str) -> float:  # summed from the sheet: October's rows without one
        return october.loc[october[column].isna(), "amount"].sum()

    assert blank("employee") == pytest.approx(8267.20394334)
    assert blank("channel") == pytest.approx(2106.91, abs=0.005)
    amounts = {
        "employee": {"en": "€8,267.20", "fi": "8 267,20 €", "fa": "€ ۸٬۲۶۷٫۲۰"},
        "channel": {"en": "€2,106.91", "fi": "2 106,91 €", "fa": "€ ۲٬۱۰۶٫۹۱"},
    }

    def unknowns(config: Config, scope: Scope) -> tuple[str, ...]:
        page = build_page(build_report_model(sample_team, config, period, scope), config)
        return tuple(line.replace("\u00a0", " ").replace("\u200e", "") for line in page.unknowns)

    for scope, key in (
        (Scope("team", "North"), "employee"),
        (Scope("employee", "Aino Virtanen"), "employee"),
        (Scope("channel", "LinkedIn"), "channel"),
    ):
        first = unknowns(unshared, scope)[0]
        assert amounts[key][language] in first and "shared_costs" in first
    assert not any("shared_costs" in line for line in unknowns(unshared, Scope()))
    shared = Config(report=ReportConfig(language=language, shared_costs="revenue"))
    assert not any("shared_costs" in line for line in unknowns(shared, Scope("team", "North")))


@pytest.mark.parametrize("language", ["en", "fi", "fa"])
def test_a_scope_report_says_the_shared_costs_nobody_could_take(tmp_path, language):
    """Shared costs go to the groups active in their own month. December's agency fee,
    naming no channel or employee, finds nobody there (no row of December names a
    channel or employee yet): it stays unassigned, and a quarter's channel or employee
    report, and its email, say they leave it out instead of showing silently less."""
    costs = [
        ["Date", "Channel", "Employee", "Category", "Amount"],
        ["2026-10-05", "LinkedIn", "Aino", "ads", 500],
        ["2026-11-05", "Fairs", "Ben", "booth", 800],
        ["2026-11-20", None, None, "agency", 1000],  # shared: Ben alone was active
        ["2026-12-01", None, None, "agency", 1234.5],  # nobody active in December
    ]
    results = [
        ["Date", "Channel", "Employee", "Contacts", "Conversions", "Revenue"],
        ["2026-10-05", "LinkedIn", "Aino", 40, 4, 4000],
        ["2026-11-05", "Fairs", "Ben", 30, 3, 6000],
    ]
    workbook = write_workbook(tmp_path / "q4.xlsx", {"results": results, "costs": costs})
    config = Config(report=ReportConfig(language=language, shared_costs="revenue"))
    dataset = load_dataset([workbook], config)
    period = resolve_period("2026-Q4", config.report)
    amount = {"en": "€1,234.50", "fi": "1 234,50 €", "fa": "€ ۱٬۲۳۴٫۵۰"}[language]

    def report(scope: Scope) -> tuple[float, list[str]]:
        model = build_report_model(dataset, config, period, scope)
        lines = build_page(model, config).unknowns
        return model.kpi("cost"), [
            line.replace("\u00a0", " ").replace("\u200e", "") for line in lines
        ]

    ben_cost, ben_lines = report(Scope("employee", "Ben"))
    assert close(ben_cost, 800 + 1000)  # November's fee is his, December's is nobody's
    assert amount in ben_lines[0] and "shared_costs" not in ben_lines[0]
    assert ("could not be shared out" in ben_lines[0]) == (language == "en")  # translated
    fairs_cost, fairs_lines = report(Scope("channel", "Fairs"))
    assert close(fairs_cost, 800 + 1000) and amount in fairs_lines[0]
    total_cost, total_lines = report(Scope())  # the summary counts it, in "(unassigned)"
    assert close(total_cost, 500 + 800 + 1000 + 1234.5)
    assert not any(amount in line for line in total_lines)
    # unshared, the same report names the whole of the costs naming no employee
    unshared = Config(report=ReportConfig(language=language))
    model = build_report_model(
        load_dataset([workbook], unshared), unshared, period, Scope("employee", "Ben")
    )
    assert close(model.cost_left_out, 1000 + 1234.5)
    assert "shared_costs" in build_page(model, unshared).unknowns[0]

    # the email quotes the same figures, and says what they leave out
    label = {"en": "Costs left out", "fi": "Pois jätetyt kulut", "fa": "هزینه‌های حساب‌نشده"}
    for scope in (Scope("employee", "Ben"), Scope("channel", "Fairs")):
        figures = Headlines(dataset, config, period)(scope.label, language)
        model = build_report_model(dataset, config, period, scope)
        assert figures == headline_from_model(model, language)
        assert amount in figures[label[language]].replace("\u00a0", " ").replace("\u200e", "")
    assert label[language] not in Headlines(dataset, config, period)("all", language)

    # a December cost row naming an employee makes her active: she takes the fee
    costs.append(["2026-12-03", "LinkedIn", "Aino", "ads", 100])
    busy = write_workbook(tmp_path / "busy.xlsx", {"results": results, "costs": costs})
    dataset = load_dataset([busy], config)
    aino = build_report_model(dataset, config, period, Scope("employee", "Aino"))
    assert close(aino.kpi("cost"), 500 + 100 + 1234.5) and aino.cost_left_out == 0
    assert not any(amount in line for line in report(Scope("employee", "Ben"))[1])
