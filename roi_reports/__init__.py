"""roi-reports: trustworthy ROI reports from a team's results and cost spreadsheets.

The public API is small: load a config, read workbooks into a dataset, compute metrics.

Its names are imported when first used (PEP 562), so importing a light module of the
package (`roi_reports.workers`, say) does not import pandas: the `roi-reports` command
starts its worker processes' forkserver before it imports the rest (`launch.py`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from roi_reports.config import Config, ReportConfig, load_config
    from roi_reports.errors import ConfigError, InputError, RoiReportsError
    from roi_reports.metrics import METRICS, Metric
    from roi_reports.periods import Period, parse_period
    from roi_reports.pipeline import Dataset, compute_metrics, load_dataset

__version__ = "0.1.0"

_HOMES = {
    "Config": "roi_reports.config",
    "ReportConfig": "roi_reports.config",
    "load_config": "roi_reports.config",
    "ConfigError": "roi_reports.errors",
    "InputError": "roi_reports.errors",
    "RoiReportsError": "roi_reports.errors",
    "METRICS": "roi_reports.metrics",
    "Metric": "roi_reports.metrics",
    "Period": "roi_reports.periods",
    "parse_period": "roi_reports.periods",
    "Dataset": "roi_reports.pipeline",
    "compute_metrics": "roi_reports.pipeline",
    "load_dataset": "roi_reports.pipeline",
}

__all__ = [
    "METRICS",
    "Config",
    "ConfigError",
    "Dataset",
    "InputError",
    "Metric",
    "Period",
    "ReportConfig",
    "RoiReportsError",
    "__version__",
    "compute_metrics",
    "load_config",
    "load_dataset",
    "parse_period",
]


if not TYPE_CHECKING:  # type checkers see the imports above, and flag a misspelt name

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module 'roi_reports' has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # looked up once
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
