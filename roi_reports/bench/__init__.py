"""`make bench`: the monthly job at a million rows, side by side with a naive baseline.

`python -m roi_reports.bench` generates deterministic inputs under `.bench/` (once), then
times each variant in its own child process and prints wall time and peak memory.
"""
