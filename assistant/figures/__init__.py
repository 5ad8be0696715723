"""Stage 1 — figures: what the user entered.

`model` is the pydantic model (Chinese labels as field titles; None = absent, 0 = a real zero);
`yaml_io` reads and writes the canonical YAML file; `excel_io` the Excel template and its importer;
`form_data` the flat form the app edits. YAML and Excel I/O share only `yaml_io`'s validation layer;
`load_figures` here picks the reader by file type, so neither imports the other's reader.
"""

from __future__ import annotations

from pathlib import Path

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def load_figures(path: str | Path):
    """Read a figures file (YAML, or an Excel template by its suffix); raises FiguresError with
    Chinese messages. Imports the reader it needs only, so loading the model stays light."""
    path = Path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        from assistant.figures.excel_io import load_excel

        return load_excel(path)
    from assistant.figures.yaml_io import load_yaml_file

    return load_yaml_file(path)
