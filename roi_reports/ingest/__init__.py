"""Ingest: input files → validated canonical tables (SPEC §2).

The path of a file, one concern a module, in the order a file goes through them:

- `filechecks` — limits checked before parsing (size, rows, zip bombs, unsaved formulas)
- `formats` — which files are read; decoding and delimiter sniffing; sheets → rows of cells
- `tables` — `read_file`, the entry point: a file's sheets, each handed to `frames`
- `layout` — where a sheet's header row is, which kind of table it is, which preset reads
  it; the "no data table" problem that names the closest header
- `frames` — a located table → raw canonical frames (`raw`: what reading yields)
- `preamble` — what surrounds a table: title lines above, totals and footers below
- `presets` — the layouts of ad-platform, CRM and shop exports, as data
- `platform_cells` — how an export's own cells read: blanks as 0, per-row ranges
- `defaults` — what a table leaves out: channel, the export's own period, currency
- `export_period` — the reporting range an export states, mapped onto a period
- `schemas` — canonical sheets and columns with their aliases
- `headers` — header cells → canonical columns (aliases, `[columns]`, currency suffixes)
- `values` — cell text → numbers, dates, periods, currencies
- `normalise` — raw tables → typed canonical frames, currency conversion
- `records` — row-per-record CRM and shop exports → one conversion per won record
- `rules` — the row rules every table is checked against
- `people` — row checks of the employees and stakeholders sheets (a bad row stops one person)
- `dataset` — files → one `Dataset`, the hand-off to the pipeline
- `inspect` — how each file is read, for `roi-reports inspect`

Data flows one way: ingest uses the shared `periods`, the metric names and the fine sums
(`Dataset.fine`), and never imports reports, delivery or jobs.
"""
