"""Form widgets built from the figures model: one editor for any model, list or table.

The editors read and write the raw tree (text as typed) of `assistant.figures.form_data`. Widget keys carry
the form version and the field path, so a new version (after loading a file, adding or deleting an
item) rebuilds every widget from the raw tree. A widget whose state Streamlit has dropped (its tab
was closed) is rebuilt from the raw tree too, which always holds the latest input.

Adding and deleting items changes the paths of the items after them, so these actions are queued
and applied after the whole form has been read (`apply_pending`), then the form is rebuilt.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Optional

import streamlit as st
from pydantic import BaseModel

from assistant.figures.form_data import (
    LIST_MODEL,
    LIST_STR,
    MODEL,
    SCALAR,
    FieldSpec,
    FormResult,
    blank_raw,
    field_specs,
    grid_row_model,
    is_flat,
    path_key,
)
from assistant.ui import state

if TYPE_CHECKING:  # pandas loads with the first table: a page with none does not wait for it
    import pandas as pd

S = st.session_state
_PENDING = "_form_pending"
_REGISTRY = "_form_widgets"
_PLACEHOLDERS = {"Decimal": "数字", "int": "整数", "date": "日期，如 2024-06-10"}


def widget_key(path: tuple) -> str:
    return f"form{state.form_version()}:{path_key(path)}"


def _register(key: str, kind: str, path: tuple, model: Any = None) -> None:
    """Remember what a widget edits, so its value can be read back before the form is validated."""
    S.setdefault(_REGISTRY, {})[key] = (kind, path, model)


def _seed(key: str, value: Any) -> None:
    """Give a widget its value from the raw tree unless it already holds the user's input."""
    if key not in S:
        S[key] = value


def show_errors(messages: list[str]) -> None:
    for message in messages:
        st.markdown(f":red[{message}]")


def _label(spec: FieldSpec) -> str:
    return f"{spec.title} *" if spec.required else spec.title


def _placeholder(spec: FieldSpec) -> str:
    return _PLACEHOLDERS.get(getattr(spec.type, "__name__", ""), "")


_derived_cache: dict[int, dict[str, str]] = {}


def derived_totals(result: FormResult) -> dict[str, str]:
    """Totals left blank that the calculator derives from their parts (dotted path → value text),
    for the figures of this form pass; computed once per pass."""
    key = id(result)
    if key not in _derived_cache:
        _derived_cache.clear()
        found: dict[str, str] = {}
        if result.figures is not None:
            from assistant.ledger.numbers import format_number
            from assistant.ledger.sums import derive_totals

            _, derivations = derive_totals(result.figures)
            found = {path: format_number(d.value, trim=True) for path, d in derivations.items()}
        _derived_cache[key] = found
    return _derived_cache[key]


# --- single values --------------------------------------------------------------------------------


def scalar_input(spec: FieldSpec, raw: dict, path: tuple, result: FormResult, *, long_text: bool = False) -> None:
    here = (*path, spec.name)
    key = widget_key(here)
    _register(key, "scalar", here)
    value = raw.get(spec.name)
    if spec.type is bool:
        _seed(key, bool(value))
        raw[spec.name] = st.checkbox(_label(spec), key=key)
    elif spec.choices:
        options = list(spec.choices)
        if spec.optional or spec.default is None:
            options.insert(0, "")
        if value and value not in options:
            options.append(value)  # an invalid value from a file stays visible (and is reported)
        _seed(key, value if value in options else (spec.default or options[0]))
        raw[spec.name] = st.selectbox(_label(spec), options, key=key, format_func=lambda v: v or "（未选择）")
    else:
        _seed(key, "" if value is None else str(value))
        widget = st.text_area if long_text else st.text_input
        derived = derived_totals(result).get(path_key(here))
        # A blank total whose parts are all entered: shown as derived (分项之和), left blank in the data.
        placeholder = f"未填写，按分项之和推算为 {derived}" if derived is not None else _placeholder(spec)
        raw[spec.name] = widget(_label(spec), key=key, placeholder=placeholder)
    show_errors(result.field_errors.get(path_key(here), []))


def lines_input(spec: FieldSpec, raw: dict, path: tuple, result: FormResult) -> None:
    """A list of texts: one item per line."""
    here = (*path, spec.name)
    key = widget_key(here)
    _register(key, "lines", here)
    _seed(key, "\n".join(raw.get(spec.name) or []))
    text = st.text_area(f"{spec.title}（每行一项）", key=key, height=160)
    raw[spec.name] = [line.strip() for line in text.splitlines() if line.strip()]
    show_errors([m for _, m in result.errors_under(path_key(here))])


# --- tables ---------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _column_config(specs: list[FieldSpec]) -> dict:
    config = {}
    for spec in specs:
        if spec.type is bool:
            config[spec.title] = st.column_config.CheckboxColumn(_label(spec), default=bool(spec.default))
        elif spec.choices:
            config[spec.title] = st.column_config.SelectboxColumn(_label(spec), options=list(spec.choices), default=spec.default)
        else:
            config[spec.title] = st.column_config.TextColumn(_label(spec), default="")
    return config


def _editor(key: str, build: Callable[[], pd.DataFrame], **kwargs) -> pd.DataFrame:
    """A data editor whose base table is built from the raw tree when the editor is (re)created;
    afterwards the base stays fixed and the editor's own state holds the edits."""
    base_key = f"{key}:base"
    if key not in S or base_key not in S:
        S[base_key] = build()
    return st.data_editor(S[base_key], key=key, width="stretch", **kwargs)


def _row_value(spec: FieldSpec, cell: Any) -> Any:
    if spec.type is bool:
        return bool(cell) if cell is not None and not (isinstance(cell, float) and math.isnan(cell)) else bool(spec.default)
    return _cell_text(cell)


def _rows_from_records(model: type[BaseModel], records: list[dict]) -> list[dict]:
    specs = field_specs(model)
    items = []
    for record in records:
        item = blank_raw(model)
        item.update({s.name: _row_value(s, record.get(s.title)) for s in specs})
        items.append(item)
    return items


def _grid_from_records(model: type[BaseModel], block: dict, records: list[dict]) -> None:
    row_model = grid_row_model(model)
    inner = field_specs(row_model)
    for o, record in zip(field_specs(model), records):
        target = block.setdefault(o.name, blank_raw(row_model))
        for s in inner:
            target[s.name] = _row_value(s, record.get(s.title))


def _edited_records(base: pd.DataFrame, edits: Any) -> Optional[list[dict]]:
    """The editor's rows (by column title) from its base table and its edit state; None if the
    state is not in the expected shape (the editor's return value is used then)."""
    if not isinstance(edits, dict):
        return None
    columns = list(base.columns)

    def column(name: Any) -> Optional[str]:
        if name in columns:
            return name
        text = str(name)
        return columns[int(text)] if text.isdigit() and int(text) < len(columns) else None

    records = base.to_dict("records")
    try:
        for position, changes in (edits.get("edited_rows") or {}).items():
            for name, value in changes.items():
                target = column(name)
                if target is not None and int(position) < len(records):
                    records[int(position)][target] = value
        deleted = {int(p) for p in edits.get("deleted_rows") or []}
        records = [r for i, r in enumerate(records) if i not in deleted]
        for added in edits.get("added_rows") or []:
            row = {c: None for c in columns}
            row.update({column(k): v for k, v in added.items() if column(k) is not None})
            records.append(row)
    except (TypeError, ValueError, AttributeError):
        return None
    return records


def _set_path(raw: dict, path: tuple, value: Any) -> None:
    target: Any = raw
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def sync_from_widgets() -> None:
    """Copy what the widgets hold now into the raw tree, before it is validated and drawn: errors
    then describe this run's input, not the previous one's."""
    prefix = f"form{state.form_version()}:"
    registry = S.get(_REGISTRY, {})
    for key in [k for k in registry if not k.startswith(prefix)]:
        registry.pop(key)  # widgets of an older version of the form
    raw = state.form()
    for key, (kind, path, model) in registry.items():
        if key not in S:
            continue  # not on screen this time: the raw tree already holds its last value
        try:
            if kind == "scalar":
                _set_path(raw, path, S[key])
            elif kind == "lines":
                _set_path(raw, path, [line.strip() for line in str(S[key]).splitlines() if line.strip()])
            elif f"{key}:base" in S:
                records = _edited_records(S[f"{key}:base"], S[key])
                if records is None:
                    continue
                if kind == "rows":
                    _set_path(raw, path, _rows_from_records(model, records))
                else:
                    block = raw
                    for step in path:
                        block = block[step]
                    _grid_from_records(model, block, records)
        except (KeyError, IndexError, TypeError):
            continue  # the item was removed meanwhile; its widget goes with the next version


def rows_table(spec: FieldSpec, raw: dict, path: tuple, result: FormResult, *, title: bool = True) -> None:
    """A list of flat items as a table with one row per item (rows can be added and deleted)."""
    here = (*path, spec.name)
    specs = field_specs(spec.type)

    def build() -> pd.DataFrame:
        import pandas as pd

        rows = [{s.title: (item.get(s.name) if s.type is bool else item.get(s.name, "")) for s in specs} for item in raw.get(spec.name) or []]
        return pd.DataFrame(rows, columns=[s.title for s in specs])

    if title:
        st.markdown(f"**{spec.title}**")
    st.caption("可直接在表格中修改；在最后一行下方添加新行，选中行后可删除。")
    _register(widget_key(here), "rows", here, spec.type)
    edited = _editor(widget_key(here), build, num_rows="dynamic", column_config=_column_config(specs), hide_index=True)
    raw[spec.name] = _rows_from_records(spec.type, edited.to_dict("records"))
    show_errors([m for _, m in result.errors_under(path_key(here))])


def grid_table(spec: FieldSpec, raw: dict, path: tuple, result: FormResult, row_model: type[BaseModel], *, title: bool = True) -> None:
    """A block whose fields are all the same flat model: rows are the fields, columns the inner fields."""
    here = (*path, spec.name)
    outer = field_specs(spec.type)
    inner = field_specs(row_model)
    block = raw.setdefault(spec.name, blank_raw(spec.type))

    def build() -> pd.DataFrame:
        import pandas as pd

        rows = [{s.title: (block.get(o.name) or {}).get(s.name, "") for s in inner} for o in outer]
        return pd.DataFrame(rows, columns=[s.title for s in inner], index=[o.title for o in outer])

    if title:
        st.markdown(f"**{spec.title}**")
    _register(widget_key(here), "grid", here, spec.type)
    edited = _editor(widget_key(here), build, num_rows="fixed", column_config=_column_config(inner))
    _grid_from_records(spec.type, block, edited.to_dict("records"))
    show_errors([m for _, m in result.errors_under(path_key(here))])


# --- whole models ---------------------------------------------------------------------------------


def render_model(model: type[BaseModel], raw: dict, path: tuple, result: FormResult, *, columns: int = 3) -> None:
    """Every field of `model`, in the model's order: single values in a grid of `columns`."""
    specs = field_specs(model)
    flat = is_flat(model)
    group: list[FieldSpec] = []

    def flush() -> None:
        if not group:
            return
        # In a mixed block, optional free texts get room to write (reasons, goals, notes).
        short = [s for s in group if flat or s.type is not str or s.required]
        long = [s for s in group if s not in short]
        for start in range(0, len(short), columns):
            cells = st.columns(columns)
            for cell, spec in zip(cells, short[start : start + columns]):
                with cell:
                    scalar_input(spec, raw, path, result)
        for spec in long:
            scalar_input(spec, raw, path, result, long_text=True)
        group.clear()

    for spec in specs:
        if spec.kind == SCALAR:
            group.append(spec)
            continue
        flush()
        render_field(spec, raw, path, result)
    flush()


def render_field(spec: FieldSpec, raw: dict, path: tuple, result: FormResult, *, title: bool = True) -> None:
    """One field; `title=False` where the field's title is already shown (a top-level part)."""
    if spec.kind == SCALAR:
        scalar_input(spec, raw, path, result, long_text=spec.type is str and not spec.required)
    elif spec.kind == LIST_STR:
        lines_input(spec, raw, path, result)
    elif spec.kind == MODEL:
        row_model = grid_row_model(spec.type)
        if row_model is not None:
            grid_table(spec, raw, path, result, row_model, title=title)
            return
        if title:
            st.markdown(f"**{spec.title}**")
        render_model(spec.type, raw.setdefault(spec.name, blank_raw(spec.type)), (*path, spec.name), result)
    elif spec.kind == LIST_MODEL:
        if is_flat(spec.type):
            rows_table(spec, raw, path, result, title=title)
        else:
            item_list(spec, raw, path, result)


def _item_name(model: type[BaseModel], item: dict) -> str:
    """The item's first required text, to tell the items apart in their headers."""
    for spec in field_specs(model):
        if spec.kind == SCALAR and spec.required and spec.type is str:
            return str(item.get(spec.name) or "").strip()
    return ""


def item_list(spec: FieldSpec, raw: dict, path: tuple, result: FormResult) -> None:
    """A list of structured items (projects, work areas): one bordered block each, add and delete."""
    here = (*path, spec.name)
    items = raw.setdefault(spec.name, [])
    for i, item in enumerate(items):
        with st.container(border=True):
            head, action = st.columns([5, 1])
            name = _item_name(spec.type, item)
            head.markdown(f"**{spec.title} 第{i + 1}项**" + (f"：{name}" if name else ""))
            if action.button("删除此项", key=f"{widget_key((*here, i))}:delete"):
                queue(lambda items=items, i=i: items.pop(i))
            render_model(spec.type, item, (*here, i), result)
    if st.button(f"添加{spec.title}", key=f"{widget_key(here)}:add"):
        queue(lambda items=items, model=spec.type: items.append(blank_raw(model)))


def queue(action: Callable[[], Any]) -> None:
    S.setdefault(_PENDING, []).append(action)


def apply_pending() -> bool:
    """Run the queued add/delete actions (after every widget has been read); True if any ran."""
    actions = S.pop(_PENDING, [])
    for action in actions:
        action()
    if actions:
        state.bump_form_version()
    return bool(actions)


def section_specs() -> list[FieldSpec]:
    from assistant.figures.model import Figures

    return field_specs(Figures)


def render_section(spec: FieldSpec, result: FormResult) -> None:
    """One top-level part of the figures."""
    raw = state.form()
    if spec.kind == MODEL and grid_row_model(spec.type) is None:
        render_model(spec.type, raw.setdefault(spec.name, blank_raw(spec.type)), (spec.name,), result)
    else:
        render_field(spec, raw, (), result, title=False)


def error_count(result: FormResult, prefix: str) -> int:
    return len(result.errors_under(prefix))


def first_error_path(result: FormResult) -> Optional[str]:
    return next(iter(result.field_errors), None)
