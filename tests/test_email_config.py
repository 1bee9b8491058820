"""`[email]` and `[[stakeholders]]` settings, and the `send-test` command."""

from __future__ import annotations

import tomllib

import pytest

from roi_reports.config import EmailConfig, Stakeholder, load_config, parse_config
from roi_reports.delivery.messages import header_line
from roi_reports.errors import ConfigError
from roi_reports.resources import config_template
from tests.helpers import run_cli
from tests.smtp_server import RecordingHandler, free_port, plain_body, smtp_server


def stakeholder(**fields):
    return {"stakeholders": [{"name": "Aino Virtanen", "email": "aino@example.com", **fields}]}


def test_defaults_send_nothing():
    config = parse_config({})
    assert config.email == EmailConfig()
    assert config.email.enabled is False
    assert config.stakeholders == ()


def test_stakeholder_scope_is_parsed_and_normalised():
    config = parse_config(stakeholder(scope="Employee: Aino Virtanen", formats=["pdf", "xlsx"]))
    assert config.stakeholders == (
        Stakeholder(
            "Aino Virtanen", "aino@example.com", "employee:Aino Virtanen", None, ("pdf", "xlsx")
        ),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": {"enabled": True}}, "enabled = true needs a sender"),
        ({"email": {"sendr": "a@example.com"}}, "unknown setting [email] sendr"),
        ({"email": {"security": "tls"}}, "choose one of 'none', 'starttls', 'ssl'"),
        ({"email": {"enabled": "yes"}}, "expected true or false"),
        ({"email": {"sender": "reports"}}, "[email] sender = 'reports' is not a valid email"),
        ({"email": {"password_env": "hunter2!"}}, "give the name of an environment variable"),
        ({"email": {"subject": "{{ title"}}, "[email] subject is not a valid template"),
        ({"email": {"subject": "{{ titel }}"}}, "'titel' is undefined; use {{ title }}"),
        ({"email": {"subject": "ROI\r\nBcc: all@example.com"}}, "contains a line break"),
        ({"email": {"max_attachment_mb": 0}}, "max_attachment_mb = 0.0: use a positive number"),
        (stakeholder(name="Aino\nBcc: x@example.com"), "name contains a line break"),
        ({"report": {"title": "ROI\x00x"}}, "[report] title contains the control character U+0000"),
        (stakeholder(name="Aino\x0bVirtanen"), "name contains the control character U+000B at"),
        (stakeholder(name="Aino\x0cVirtanen"), "name contains the control character U+000C at"),
        (stakeholder(name="Aino\x1cVirtanen"), "name contains the control character U+001C at"),
        (stakeholder(name="Aino\x1dVirtanen"), "name contains the control character U+001D at"),
        (stakeholder(name="Aino\x1eVirtanen"), "name contains the control character U+001E at"),
        (stakeholder(name="Aino\u2028Virtanen"), "name contains a line break"),
        ({"email": {"max_per_day": 0}}, "max_per_day = 0: use a positive whole number"),
        ({"email": {"max_per_minute": 1.5}}, "[email] max_per_minute: expected a whole number"),
        (stakeholder(email="aino@example.com\r\nBcc: x@example.com"), "not a valid email"),
        (stakeholder(email="Aino <aino@example.com>"), "not a valid email"),
        (stakeholder(scope="region:Sales"), "unknown scope 'region:Sales'"),
        (stakeholder(language="sv"), "choose one of 'en', 'fi', 'fa'"),
        (stakeholder(formats=["pdf", "docx"]), 'use one or both of "pdf", "xlsx"'),
        (stakeholder(phone="123"), "unknown setting [stakeholders #1] phone"),
        ({"stakeholders": [{"name": "Aino"}]}, "[stakeholders #1] needs email"),
        ({"stakeholders": {"name": "Aino"}}, "its own [[stakeholders]] table"),
    ],
)
def test_bad_settings_name_the_key(data, message):
    with pytest.raises(ConfigError) as error:
        parse_config(data)
    assert message in str(error.value)


def test_a_control_character_in_the_title_is_a_one_line_error(tmp_path):
    path = tmp_path / "roi-reports.toml"
    path.write_text('[report]\ntitle = "Marketing\\u0000ROI"\n', encoding="utf-8")
    result = run_cli("send-test", "--to", "me@example.com", "--config", str(path))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {path}: [report] title contains the control character U+0000 at position 10; "
        "remove it\n"
    )


def test_rendered_header_text_keeps_one_line_and_no_controls():
    assert header_line("Q4\x00 report\x1e for\tAino\r\n") == "Q4 report for Aino"
    assert header_line("گزارش\u200cها") == "گزارش\u200cها"  # a Persian ZWNJ stays


def test_same_person_and_scope_twice_is_an_error():
    person = {"name": "Aino", "email": "aino@example.com", "scope": "all"}
    with pytest.raises(ConfigError, match="listed twice"):
        parse_config({"stakeholders": [person, {**person, "email": "AINO@example.com"}]})


def test_config_template_examples_are_valid_when_uncommented():
    lines = []
    for line in config_template().splitlines():
        body = line[2:] if line.startswith("# ") else line
        is_setting = body.startswith("[") or ("=" in body.split("#")[0])
        lines.append(body if line.startswith("# ") and is_setting else line)
    config = parse_config(tomllib.loads("\n".join(lines)))
    assert config.email.password_env == "ROI_SMTP_PASSWORD"
    assert config.stakeholders[0].scope == "employee:Aino Virtanen"


def write_config(tmp_path, port, extra=""):
    path = tmp_path / "roi-reports.toml"
    path.write_text(
        f"""
[email]
host = "127.0.0.1"
port = {port}
sender = "reports@example.com"
retries = 0
timeout_s = 5
{extra}
""",
        encoding="utf-8",
    )
    return path


def test_send_test_delivers_one_message(tmp_path):
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        result = run_cli(
            "send-test",
            "--to",
            "me@example.com",
            "--config",
            str(write_config(tmp_path, server.port)),
        )
    assert result.exit_code == 0, result.output
    assert "Sent a test message to me@example.com" in result.output
    assert [m.rcpt_tos for m in handler.messages] == [["me@example.com"]]
    assert "[email] settings work" in plain_body(handler.messages[0].message)


def test_send_test_reports_a_refusal_in_one_line(tmp_path):
    handler = RecordingHandler(answers=["554 5.7.1 Relay denied"])
    with smtp_server(handler) as server:
        result = run_cli(
            "send-test",
            "--to",
            "me@example.com",
            "--config",
            str(write_config(tmp_path, server.port)),
        )
    assert result.exit_code == 1
    assert result.output.startswith("Error: test message to me@example.com not delivered")
    assert "554 5.7.1 Relay denied" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_send_test_rejects_a_bad_address(tmp_path):
    result = run_cli(
        "send-test", "--to", "not-an-address", "--config", str(write_config(tmp_path, free_port()))
    )
    assert result.exit_code == 2
    assert "--to 'not-an-address' is not an email address" in result.output


def test_send_test_never_prints_the_password(tmp_path, monkeypatch):
    secret = "correct horse battery staple"
    monkeypatch.setenv("ROI_TEST_SMTP_PASSWORD", secret)
    extra = 'username = "reports@example.com"\npassword_env = "ROI_TEST_SMTP_PASSWORD"'
    handler = RecordingHandler()
    # The server offers no AUTH without TLS, so the login fails; the message must not leak.
    with smtp_server(handler) as server:
        path = write_config(tmp_path, server.port, extra)
        result = run_cli("send-test", "--to", "me@example.com", "--config", str(path))
    assert result.exit_code == 1
    assert secret not in result.output
    assert "Error:" in result.output


def test_send_test_names_a_missing_password_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("ROI_TEST_SMTP_PASSWORD", raising=False)
    extra = 'username = "reports@example.com"\npassword_env = "ROI_TEST_SMTP_PASSWORD"'
    config = load_config(write_config(tmp_path, free_port(), extra))
    assert config.email.password_env == "ROI_TEST_SMTP_PASSWORD"
    result = run_cli(
        "send-test", "--to", "me@example.com", "--config", str(tmp_path / "roi-reports.toml")
    )
    assert result.exit_code == 2
    assert "environment variable ROI_TEST_SMTP_PASSWORD" in result.output
