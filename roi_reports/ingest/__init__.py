"""Ingest: input files → validated canonical tables (SPEC §2).

The path of a file, one concern a module, in the order a file goes through them:

- `filechecks` — limits checked before parsing (size, rows, zip bombs, unsaved formulas)
- `formats` — which files are read; decoding and delimiter sniffing; sheets → rows of cells
- `tables` — `read_file`: where each table's header is, which kind of table it is
- `preamble` — what surrounds a table: title lines above, totals and footers below
- `presets` — the layouts of ad-platform, CRM and shop exports, as data
- `schemas` — canonical sheets and columns with their aliases, header matching
- `values` — cell text → numbers, dates, periods, currencies
- `normalise` — raw tables → typed canonical frames, currency conversion
- `rules` — the row rules every table is checked against
- `dataset` — files → one `Dataset`, the hand-off to the pipeline

Data flows one way: ingest uses the shared `periods`, the metric names and the fine sums
(`Dataset.fine`), and never imports reports, delivery or jobs.
"""
