import pytest

from roi_reports.config import load_config
from roi_reports.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "roi-reports.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file():
    config = load_config(None)
    assert config.report.currency == "EUR"
    assert config.report.shared_costs == "none"
    assert config.report.investment_categories is None


def test_full_report_section(tmp_path):
    config = load_config(
        write(
            tmp_path,
            """
[report]
currency = "usd"
language = "fi"
profit_basis = "gross_profit"
investment_categories = ["purchase", "ads"]
shared_costs = "even"
hurdle_roi_pct = 50
fiscal_year_start = 7
timezone = "Europe/Helsinki"
title = "Myynnin ROI"

[columns]
"Kulut" = "amount"
""",
        )
    )
    report = config.report
    assert report.currency == "USD"
    assert report.investment_categories == ("purchase", "ads")
    assert report.hurdle_roi_pct == 50.0
    assert config.columns == {"Kulut": "amount"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[report]\ncurency = 'EUR'\n", "unknown setting \\[report\\] curency"),
        ("[report]\nshared_costs = 'some'\n", "shared_costs = 'some': choose one of"),
        ("[report]\nhurdle_roi_pct = 'high'\n", "hurdle_roi_pct: expected a number"),
        ("[report]\nfiscal_year_start = 13\n", "fiscal_year_start = 13"),
        ("[report]\ninvestment_categories = 'ads'\n", "expected a list of strings"),
        ("[report]\ntimezone = 'Mars/Base'\n", "not an IANA time zone"),
        ("[report]\ncurrency = 'euro'\n", "3-letter ISO code"),
        ("[reprot]\n", "unknown section \\[reprot\\]"),
        ("[columns]\n'Kulut' = 'spend'\n", "unknown column"),
        ("[report\n", "not valid TOML"),
    ],
)
def test_errors_name_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
