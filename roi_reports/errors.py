"""The exception types a user of roi-reports can meet.

Each carries a message written for the user (what, where, how to fix) and the process
exit code of SPEC §6, so the CLI can map any of them to one line and the right status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roi_reports.validation import ValidationReport


class RoiReportsError(Exception):
    """Base class: a problem the user can fix; printed as one line, no traceback."""

    exit_code = 1


class ConfigError(RoiReportsError):
    """The config file is missing, unreadable, or has an unknown key or a wrong type."""

    exit_code = 2


class UsageError(RoiReportsError):
    """Arguments that cannot work together (bad period text, unknown dimension, …)."""

    exit_code = 2


class InputError(RoiReportsError):
    """Input files failed validation; `report` lists every problem found."""

    exit_code = 1

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(report.summary())


class DeliveryError(RoiReportsError):
    """An email could not be delivered (e.g. `send-test` against a refusing server)."""

    exit_code = 1
