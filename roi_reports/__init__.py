"""roi-reports: trustworthy ROI reports from a team's results and cost spreadsheets.

The public API is small: load a config, read workbooks into a dataset, compute metrics.
"""

from roi_reports.config import Config, ReportConfig, load_config
from roi_reports.errors import ConfigError, InputError, RoiReportsError
from roi_reports.metrics import METRICS, Metric
from roi_reports.periods import Period, parse_period
from roi_reports.pipeline import Dataset, compute_metrics, load_dataset

__version__ = "0.1.0"

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
