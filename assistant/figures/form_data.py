"""Form data: the figures as the user is typing them, and how that becomes a `Figures` model.

The entry form keeps a *raw* tree that mirrors the figures model: nested dicts and lists whose leaves
are the text the user typed (booleans stay booleans). Nothing in it is ever thrown away because it
does not validate; `validate_raw` turns a copy into model data and maps each pydantic error back to
the field path it belongs to, with the same Chinese message as the YAML reader.

Everything is driven by the pydantic model's fields and their annotations (kind of value, optional or
required, nested model or list), never by attribute names, so a field added to the model shows up in
the form with no change here.
"""

from __future__ import annotations

import datetime as dt
import types
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Optional, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from assistant.figures.model import Figures
from assistant.figures.yaml_io import FiguresError, describe_validation_error, figures_from_data

SCALAR = "scalar"
MODEL = "model"
LIST_STR = "list_str"
LIST_MODEL = "list_model"

_SCALAR_TYPES = (Decimal, int, str, bool, dt.date)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a model, classified for the form."""

    name: str
    title: str
    kind: str  # scalar | model | list_str | list_model
    type: Any  # the scalar type (Decimal, int, str, bool, date or an Enum class) or the model class
    optional: bool  # None is allowed (an Optional[...] annotation)
    required: bool  # no default: must be filled in
    default: Any = None

    @property
    def is_number(self) -> bool:
        return self.kind == SCALAR and self.type in (Decimal, int)

    @property
    def choices(self) -> tuple[str, ...]:
        """The values an Enum field accepts, as typed in the form."""
        if self.kind == SCALAR and isinstance(self.type, type) and issubclass(self.type, Enum):
            return tuple(member.value for member in self.type)
        return ()


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip Optional[...] and Annotated[...]; returns (inner annotation, optional)."""
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation, optional


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _scalar_type(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    for kind in _SCALAR_TYPES:
        # bool before int matters only for isinstance; here the annotation is the class itself.
        if annotation is kind:
            return kind
    return str


def field_specs(model: type[BaseModel]) -> list[FieldSpec]:
    specs = []
    for name, info in model.model_fields.items():
        annotation, optional = _unwrap(info.annotation)
        default = None if info.is_required() or info.default_factory is not None else info.default
        if isinstance(default, Enum):
            default = default.value
        if get_origin(annotation) is list:
            inner, _ = _unwrap(get_args(annotation)[0])
            if _is_model(inner):
                specs.append(FieldSpec(name, info.title or name, LIST_MODEL, inner, optional, info.is_required()))
            else:
                specs.append(FieldSpec(name, info.title or name, LIST_STR, str, optional, info.is_required()))
        elif _is_model(annotation):
            specs.append(FieldSpec(name, info.title or name, MODEL, annotation, optional, info.is_required()))
        else:
            specs.append(
                FieldSpec(name, info.title or name, SCALAR, _scalar_type(annotation), optional, info.is_required(), default)
            )
    return specs


def is_flat(model: type[BaseModel]) -> bool:
    """A model whose fields are all single values (a row of a table, a simple form)."""
    return all(spec.kind == SCALAR for spec in field_specs(model))


def grid_row_model(model: type[BaseModel]) -> Optional[type[BaseModel]]:
    """If every field of `model` is the same flat model, that model: the block is then a table
    whose rows are the fields and whose columns are the inner fields (三公 stages, project funds)."""
    specs = field_specs(model)
    if len(specs) < 2 or any(spec.kind != MODEL for spec in specs):
        return None
    inner = {spec.type for spec in specs}
    if len(inner) != 1:
        return None
    only = inner.pop()
    return only if is_flat(only) else None


# --- model data → raw -----------------------------------------------------------------------------


def _leaf_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def blank_raw(model: type[BaseModel]) -> dict:
    return raw_from_data(model, {})


def raw_from_data(model: type[BaseModel], data: Any) -> dict:
    """The raw form tree for `data` (a dict as read from YAML, possibly invalid): every field of the
    model present, leaves as text. Values that do not fit the model's shape are kept as text."""
    data = data if isinstance(data, dict) else {}
    raw: dict[str, Any] = {}
    for spec in field_specs(model):
        value = data.get(spec.name)
        if spec.kind == SCALAR:
            if spec.type is bool:
                raw[spec.name] = value if isinstance(value, bool) else bool(spec.default)
            else:
                raw[spec.name] = _leaf_text(value if value is not None else spec.default)
        elif spec.kind == MODEL:
            raw[spec.name] = raw_from_data(spec.type, value)
        elif spec.kind == LIST_STR:
            items = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
            raw[spec.name] = [_leaf_text(item) for item in items]
        else:
            items = value if isinstance(value, list) else []
            raw[spec.name] = [raw_from_data(spec.type, item) for item in items]
    return raw


def raw_from_figures(figures: BaseModel) -> dict:
    return raw_from_data(type(figures), figures.model_dump(mode="python"))


def unknown_fields(model: type[BaseModel], data: Any, path: tuple = ()) -> list[tuple]:
    """Paths in `data` that the model does not know (they cannot be kept in the form)."""
    if not isinstance(data, dict):
        return []
    specs = {spec.name: spec for spec in field_specs(model)}
    found: list[tuple] = []
    for key, value in data.items():
        spec = specs.get(key)
        if spec is None:
            found.append((*path, key))
        elif spec.kind == MODEL:
            found.extend(unknown_fields(spec.type, value, (*path, key)))
        elif spec.kind == LIST_MODEL and isinstance(value, list):
            for i, item in enumerate(value):
                found.extend(unknown_fields(spec.type, item, (*path, key, i)))
    return found


# --- raw → model data -----------------------------------------------------------------------------


def clean_number_text(text: str) -> str:
    """Full-width digits and points (１２．５) as typed with a Chinese input method → ASCII."""
    return unicodedata.normalize("NFKC", text).strip()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def data_from_raw(model: type[BaseModel], raw: Any) -> Optional[dict]:
    """Model data for a raw tree; blank leaves are left out (None, never 0). Returns None when
    nothing at all was entered in this block."""
    raw = raw if isinstance(raw, dict) else {}
    data: dict[str, Any] = {}
    entered = False
    for spec in field_specs(model):
        value = raw.get(spec.name)
        if spec.kind == SCALAR:
            if spec.type is bool:
                if isinstance(value, bool):
                    data[spec.name] = value
                    entered = entered or value != bool(spec.default)
                continue
            if _is_blank(value):
                continue
            text = str(value)
            data[spec.name] = clean_number_text(text) if spec.is_number else text.strip()
            # A default (≥ in a new indicator row) is not something the user entered.
            entered = entered or spec.default is None or data[spec.name] != _leaf_text(spec.default)
        elif spec.kind == MODEL:
            inner = data_from_raw(spec.type, value)
            if inner is not None:
                data[spec.name] = inner
                entered = True
            elif spec.required:
                data[spec.name] = {}  # so that the missing inner fields are named one by one
        elif spec.kind == LIST_STR:
            items = [str(item).strip() for item in (value or []) if not _is_blank(item)]
            if items:
                data[spec.name] = items
                entered = True
        else:
            rows = []
            for item in value or []:
                row = data_from_raw(spec.type, item)
                if row is not None:
                    rows.append(row)
            if rows:
                data[spec.name] = rows
                entered = True
    return data if entered else None


def figures_data_from_raw(raw: Any) -> dict:
    return data_from_raw(Figures, raw) or {"meta": {}}


# --- validation -----------------------------------------------------------------------------------


def path_key(path: tuple | list) -> str:
    """The dotted form of a field path, as `Finding.fields` and `Fact.inputs` write it."""
    return ".".join(str(p) for p in path)


@dataclass
class FormResult:
    figures: Optional[Figures]
    field_errors: dict[str, list[str]] = field(default_factory=dict)  # dotted path → messages
    messages: list[str] = field(default_factory=list)  # every problem, in order

    @property
    def ok(self) -> bool:
        return self.figures is not None

    def errors_under(self, prefix: str) -> list[tuple[str, str]]:
        """(path, message) for every error at `prefix` or below it."""
        found = []
        for key, messages in self.field_errors.items():
            if key == prefix or key.startswith(prefix + ".") or not prefix:
                found.extend((key, m) for m in messages)
        return found


def validate_raw(raw: Any) -> FormResult:
    """The figures for the raw tree, or the Chinese errors per field; the raw tree is not changed."""
    data = figures_data_from_raw(raw)
    try:
        Figures.model_validate(data)
    except ValidationError as exc:
        result = FormResult(None)
        for err, message in zip(exc.errors(), describe_validation_error(exc)):
            result.field_errors.setdefault(path_key(err.get("loc", ())), []).append(message)
            result.messages.append(message)
        return result
    try:
        figures = figures_from_data(data)
    except FiguresError as exc:  # out-of-range numbers: named in the messages
        return FormResult(None, {}, list(exc.messages))
    return FormResult(figures)
