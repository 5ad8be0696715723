"""Reading and writing figures files (YAML is canonical) with messages a finance officer understands.

YAML floats are read as `Decimal` straight from their text, so 39.78 never passes through a binary
float. Files in GBK/GB18030 (common on government machines) are decoded too. Every failure raises
`FiguresError` carrying Chinese messages that name the field; the file itself is never modified.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from assistant.figures.model import Figures, _inner_model, label_for_path


class FiguresError(Exception):
    """Input that cannot become a Figures model; `messages` are Chinese, one per problem."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


class _DecimalLoader(yaml.SafeLoader):
    pass


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        # .inf and .nan (and base-60 1:30.5) are YAML floats too: read them the standard way so that
        # validation rejects the non-finite ones with the field's name instead of crashing here.
        return loader.construct_yaml_float(node)


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_multi_representer(Enum, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v.value))


def decode_bytes(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, a superset of GBK and GB2312."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FiguresError(["文件编码无法识别：请另存为 UTF-8 或 GBK 编码的文本文件。"])


def parse_yaml_text(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_DecimalLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else "某处"
        problem = getattr(exc, "problem", None) or "格式错误"
        raise FiguresError([f"不是有效的 YAML 文件：{where}{problem}。"]) from exc


_PYDANTIC_MESSAGES = {
    "missing": "必填项缺失",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "greater_than_equal": "不能为负数",
    "date_from_datetime_parsing": "应为日期（如 2024-06-10）",
    "date_parsing": "应为日期（如 2024-06-10）",
    "date_type": "应为日期（如 2024-06-10）",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "model_type": "应为一组字段",
    "model_attributes_type": "应为一组字段",
    "dict_type": "应为一组字段",
    "bool_parsing": "应为 true 或 false（表示是/否）",
    "bool_type": "应为 true 或 false（表示是/否）",
    "enum": "取值不在可选范围内",
    "extra_forbidden": "不是可识别的字段（请检查拼写）",
    "finite_number": "应为有限数字",
}


def describe_validation_error(exc: ValidationError) -> list[str]:
    messages = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        label = label_for_path(loc) or "文件"
        reason = _PYDANTIC_MESSAGES.get(err.get("type", ""), err.get("msg", "取值无效"))
        given = err.get("input")
        # Numbers are shown as typed (39.78, not Decimal('39.78')); text in quotes so blanks show.
        given_text = f"“{given}”" if isinstance(given, str) else str(given)
        shown = "" if err.get("type") == "missing" or isinstance(given, (dict, list)) else f"（填写的是：{given_text}）"
        messages.append(f"字段“{label}”{reason}{shown}。")
    return messages


# Far beyond any budget (10^15 万元): a larger number is a typing slip, and one with a huge exponent
# (1e999999) would overflow the calculator's Decimal arithmetic.
MAX_NUMBER = Decimal("1e15")


def _out_of_range(model: BaseModel, path: tuple[Any, ...]) -> list[str]:
    messages: list[str] = []
    for name in type(model).model_fields:
        value, here = getattr(model, name), (*path, name)
        if isinstance(value, Decimal) and abs(value) >= MAX_NUMBER:
            messages.append(f"字段“{label_for_path(here)}”数值过大（填写的是：{value}），请检查单位和小数点。")
        elif isinstance(value, BaseModel):
            messages.extend(_out_of_range(value, here))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    messages.extend(_out_of_range(item, (*here, i)))
    return messages


def figures_from_data(data: Any) -> Figures:
    if data is None or data == "":
        raise FiguresError(["文件为空：没有任何数据。"])
    if not isinstance(data, dict):
        raise FiguresError(["文件内容应为一组“字段: 值”，例如以 meta: 开头。"])
    try:
        figures = Figures.model_validate(data)
    except ValidationError as exc:
        raise FiguresError(describe_validation_error(exc)) from exc
    too_large = _out_of_range(figures, ())
    if too_large:
        raise FiguresError(too_large)
    return figures


def load_yaml_file(path: str | Path) -> Figures:
    """Read a YAML figures file; raises FiguresError with Chinese messages."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FiguresError([f"无法读取文件 {path.name}：{exc.strerror or exc}。"]) from exc
    return figures_from_yaml_text(decode_bytes(raw))


def figures_from_yaml_text(text: str) -> Figures:
    return figures_from_data(parse_yaml_text(text))


def figures_to_data(figures: Figures) -> dict:
    """Plain data (Decimal kept) without unset optional parts, in field order."""
    return figures.model_dump(mode="python", exclude_none=True, exclude_defaults=False)


def dump_yaml(figures: Figures) -> str:
    data = _plain_dates(figures_to_data(figures), Figures)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _plain_dates(value: Any, model: Any = None) -> Any:
    """Dates as ISO text, so the YAML reads the same in any editor; blocks with nothing entered are
    left out where reading them back gives the same empty block (a block with a default). An optional
    block entered empty (procurement: {}) is kept, since leaving it out would read back as None."""
    if isinstance(value, dict):
        fields = getattr(model, "model_fields", {})
        cleaned = {}
        for key, item in value.items():
            info = fields.get(key)
            item = _plain_dates(item, _inner_model(info.annotation) if info else None)
            if item == {} and info is not None and info.default_factory is not None:
                continue
            cleaned[key] = item
        return cleaned
    if isinstance(value, list):
        return [_plain_dates(v, model) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def save_yaml(figures: Figures, path: str | Path) -> None:
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(dump_yaml(figures), encoding="utf-8")
    tmp.replace(path)
