"""The commands of `roi-reports`, registered on the group in `roi_reports/cli.py`."""
