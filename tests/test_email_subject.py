"""The email subject is in the recipient's language, and stays one safe header line.

`{{ title }}` is `[report] title_<language>` when given, else the shipped title
translated, else the configured title as written. Messages go through the real SMTP
test server on 127.0.0.1 (tests/smtp_server.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from roi_reports.config import Config, parse_config
from roi_reports.errors import ConfigError
from tests.helpers import pdf_text, run_cli
from tests.smtp_server import RecordingHandler, plain_body, smtp_server
from tests.test_email import PERIOD, run

READERS = [
    {"name": "Leena Laine", "email": "leena@example.com", "language": "en"},
    {"name": "Aino Virtanen", "email": "aino@example.com", "language": "fi"},
    {"name": "Sara Ahmadi", "email": "sara@example.com", "language": "fa"},
]


def config(port: int, report: dict[str, Any], subject: str | None = None) -> Config:
    email: dict[str, Any] = {
        "enabled": True,
        "host": "127.0.0.1",
        "port": port,
        "sender": "reports@example.com",
        "timeout_s": 5,
        "retries": 0,
    }
    if subject is not None:
        email["subject"] = subject
    return parse_config({"report": report, "email": email, "stakeholders": READERS})


def subjects(tmp_path: Path, report: dict[str, Any], subject: str | None = None) -> dict:
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    pdf = folder / "executive-summary.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        results = run(config(server.port, report, subject), {"all": [pdf]}, tmp_path)
    assert [r.status for r in results] == ["sent"] * 3
    return {r.rcpt_tos[0]: r.message for r in handler.messages}


def test_the_shipped_title_is_translated_for_each_recipient(tmp_path):
    got = subjects(tmp_path, {"title": "Marketing ROI"})
    assert {to: m["Subject"] for to, m in got.items()} == {
        "leena@example.com": "Marketing ROI — 2026-10",
        "aino@example.com": "Markkinoinnin ROI — 2026-10",
        "sara@example.com": "بازگشت سرمایهٔ بازاریابی — ۲۰۲۶-۱۰",
    }
    assert "Hei Aino Virtanen" in plain_body(got["aino@example.com"])  # body and subject agree


def test_the_default_title_is_translated_too(tmp_path):
    got = subjects(tmp_path, {})  # no title: "ROI report"
    assert got["leena@example.com"]["Subject"] == "ROI report — 2026-10"
    assert got["aino@example.com"]["Subject"] == "ROI-raportti — 2026-10"
    # in Persian digits, as the Persian reports print the period
    assert got["sara@example.com"]["Subject"] == "گزارش بازگشت سرمایه — ۲۰۲۶-۱۰"


def test_a_title_per_language_and_ones_own_title_as_written(tmp_path):
    report = {"title": "Nordic sales ROI", "title_fi": "Pohjoismaiden myynnin ROI"}
    got = subjects(tmp_path, report, subject="[report] {{ title }} {{ period }}")
    assert {to: m["Subject"] for to, m in got.items()} == {
        "leena@example.com": "[report] Nordic sales ROI 2026-10",
        "aino@example.com": "[report] Pohjoismaiden myynnin ROI 2026-10",
        "sara@example.com": "[report] Nordic sales ROI ۲۰۲۶-۱۰",  # no title_fa: as written
    }


@pytest.mark.parametrize("key", ["title", "title_fi", "title_fa", "title_en"])
def test_a_title_with_a_line_break_is_refused_when_the_config_loads(key):
    with pytest.raises(ConfigError) as refused:
        parse_config({"report": {key: "ROI\r\nBcc: everyone@example.com"}})
    assert str(refused.value) == f"[report] {key} contains a line break; write it on one line"


def test_the_subject_is_one_header_line_whatever_a_name_brings(tmp_path):
    """Titles, names and scopes go into the subject: runs of white space fold into one
    space, so nothing can start a header line (line breaks are refused before, at load)."""
    got = subjects(tmp_path, {"title_fi": "Tiimi    ROI"}, subject="{{ title }} — {{ scope }}")
    message = got["aino@example.com"]
    assert message["Subject"] == "Tiimi ROI — koko tiimi"
    assert message.get_all("Bcc") is None and len(got) == 3


@pytest.mark.pdf
def test_the_monthly_job_sends_subjects_and_pdfs_in_each_language(tmp_path):
    """End to end: each recipient's subject and PDF title in their language; no annualised
    ROI in an email or a PDF of a month (see tests/test_annualised.py)."""
    root = tmp_path / "team"
    assert run_cli("init", str(root)).exit_code == 0
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        text = (root / "roi-reports.toml").read_text(encoding="utf-8")
        text = text.replace("[output]\n", '[output]\npdf_scopes = ["all"]\n')
        text += f'\n[email]\nhost = "127.0.0.1"\nport = {server.port}\n'
        text += 'sender = "reports@example.com"\nretries = 0\n'
        for reader in READERS:
            text += "\n[[stakeholders]]\n" + "".join(f'{k} = "{v}"\n' for k, v in reader.items())
        (root / "roi-reports.toml").write_text(text, encoding="utf-8")
        result = run_cli("run", "--dir", str(root), "--period", PERIOD, "--send")
    assert result.exit_code == 0, result.output
    got = {r.rcpt_tos[0]: r.message for r in handler.messages}
    assert got["aino@example.com"]["Subject"] == "Markkinoinnin ROI — 2026-10"
    assert got["sara@example.com"]["Subject"] == "بازگشت سرمایهٔ بازاریابی — ۲۰۲۶-۱۰"
    persian = plain_body(got["sara@example.com"])
    assert "۲۰۲۶-۱۰" in persian and "2026-10" not in persian  # the period as her PDF prints it
    for message in got.values():
        assert not _annualised_named(plain_body(message))
    finnish = root / "out" / PERIOD / "pdf" / "fi" / "executive-summary.pdf"
    text = pdf_text(finnish)
    assert "Markkinoinnin ROI" in text
    assert not _annualised_named(text)


def _annualised_named(text: str) -> set[str]:
    """The words for "annualised" (en, fi, fa) that occur in `text`."""
    lowered = text.lower()
    return {w for w in ("annualis", "vuositaso", "سالانه") if w in lowered}
