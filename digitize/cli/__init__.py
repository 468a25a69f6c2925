"""The `digitize` command line, one module per command group; each command parses its options,
calls one library function and prints what it returns.

- `app`: the Typer app, global options (--version, --ui-lang), the order of the commands, `main`
- `options`: the option types commands share; `group`: how a command is declared
- `output`: consoles, tables, JSON, progress, logs, masking of personal data in what is printed
- `errors`: typed errors to one sentence and an exit code; `batch`: signing identity and a run
  with a progress bar, shared by the commands that run the pipeline
- commands: `run` (run, watch, report), `desk` (scan, separator, split, doctor, init), `ocr`
  (ocr, extract, review), `sign` (sign, renew), `verify`, `bundle` (bundle, upload), `index`
  (find, reuse, forget, index rebuild), `schema` (schema export, schema legacy)
"""


