"""Reading and writing figures files (YAML is canonical) with messages a finance officer understands.

The reader is bounded and strict, because figures files arrive from other people:
- a byte limit (MAX_FILE_BYTES) checked before reading, a nesting limit (MAX_DEPTH) and a value
  count (MAX_NODES) checked while composing, so neither a huge file, nor 1,000 nested brackets, nor
  a megabyte of "1," costs more than a few seconds;
- anchors and aliases (&a / *a) are refused at their line: nothing is ever expanded, so a
  "billion laughs" file is rejected at its first anchor;
- a key written twice in one block is refused with both lines (PyYAML silently keeps the last);
- YAML 1.2 core rules for plain scalars: numbers are decimal numbers written as such (1:30, 0x1F,
  0o17, 1_000 stay text, so a number field reports them), booleans are true/false only;
- floats are read as `Decimal` straight from their text (39.78 never passes through a binary
  float); a number with more digits or a larger exponent than any report needs is refused at its
  line (5,000 digits, 1e999999999, 1e-999999999);
- dates that do not exist (2024-02-30) reach validation as text and are reported at their field;
- files in GBK/GB18030 (common on government machines) are decoded too, but a UTF-8 file with a
  damaged byte is reported at its position instead of being read as GB18030 mojibake.
Every failure raises `FiguresError` carrying Chinese messages that name the line or the field;
PyYAML's and pydantic's English never reaches the user. The file itself is never modified.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from assistant.atomic_files import write_text_atomic
from assistant.figures.model import Figures, _inner_model, label_for_path

# A figures file is a few dozen KB; 4 MB leaves room for years of notes and refuses a 50 MB list
# before it is read.
MAX_FILE_BYTES = 4 * 1024 * 1024
# The model nests about 6 levels (projects → indicators → fields); 40 is far beyond any real file.
MAX_DEPTH = 40
# Values (numbers, texts, lists, blocks) in one file: the seed case has about 300, a department with
# a hundred projects of ten indicators some 20,000. PyYAML composes about 15,000 a second, so this
# also bounds the time a file of many tiny values (a 4 MB "[1,1,1,…]") can take.
MAX_NODES = 60_000
# One text (a duty, a note, a reason) and one list: beyond these a file is a paste accident, and
# the drafter and the .docx writer would choke on it (Word and lxml limit one text node).
MAX_TEXT_CHARS = 32_767  # also what one Excel cell holds
MAX_LIST_ITEMS = 2_000
MAX_TOTAL_TEXT_CHARS = 1_000_000
# Digits and decimal places a number may carry: amounts in 万元 have at most 15 digits before the
# point, rates a handful after it; Decimal's default context keeps 28 significant digits.
MAX_NUMBER_DIGITS = 28
MAX_DECIMAL_PLACES = 10


class FiguresError(Exception):
    """Input that cannot become a Figures model; `messages` are Chinese, one per problem."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def _where(mark: Any) -> str:
    return f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else "某处"


class _Refused(yaml.YAMLError):
    """A YAML construct this reader refuses; carries its Chinese message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- YAML 1.2 core schema (plain scalars only; quoted scalars are always text) ------------------


class _Resolver12(BaseResolver):
    yaml_implicit_resolvers: dict = {}


_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$")
for _tag, _regex, _first in (
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
    ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
    ("tag:yaml.org,2002:timestamp", _DATE, "0123456789"),
):
    _Resolver12.add_implicit_resolver(_tag, _regex, list(_first))


class _BoundedComposer(Composer):
    """Refuses anchors and aliases (so nothing is ever expanded) and nesting beyond MAX_DEPTH."""

    _depth = 0
    _nodes = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(f"{_where(event.start_mark)}：文件中的数据项超过 {MAX_NODES} 个，数据文件不应有这么多内容，请检查是否粘贴了多余的内容。")
        if isinstance(event, AliasEvent):
            raise _Refused(
                f"{_where(event.start_mark)}使用了 YAML 别名“*{event.anchor}”：本助手不读取锚点和别名（&… / *…），请把内容直接写出。"
            )
        if getattr(event, "anchor", None) is not None:
            raise _Refused(
                f"{_where(event.start_mark)}定义了 YAML 锚点“&{event.anchor}”：本助手不读取锚点和别名（&… / *…），请把内容直接写出。"
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"{_where(event.start_mark)}嵌套层次超过 {MAX_DEPTH} 层：数据文件不应有这么深的结构，请检查缩进或括号。")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Constructor(SafeConstructor):
    def construct_mapping(self, node, deep=False):
        if isinstance(node, MappingNode):
            seen: dict[str, Any] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise _Refused(f"{_where(key_node.start_mark)}的字段名不是文字：字段名应写成“名称: 值”。")
                if key_node.value in seen:
                    first = seen[key_node.value]
                    raise _Refused(
                        f"{_where(key_node.start_mark)}重复填写了字段“{key_node.value}”（第{first.line + 1}行已填写过）：请删去其中一处。"
                    )
                seen[key_node.value] = key_node.start_mark
                # A field name is text as typed: "0E0:" or "yes:" must not become a number or a bool,
                # which would then be shown as Decimal('0') or True in a message.
                key_node.tag = "tag:yaml.org,2002:str"
        return super().construct_mapping(node, deep=deep)

    def _check_number(self, node, text: str) -> None:
        digits = sum(ch.isdigit() for ch in text.split("e")[0].split("E")[0])
        shown = text if len(text) <= 30 else text[:12] + "…" + text[-6:]
        if digits > MAX_NUMBER_DIGITS:
            raise _Refused(f"{_where(node.start_mark)}的数字“{shown}”有 {digits} 位，超出可处理的范围：请检查是否多输入了数字。")

    def construct_yaml_int(self, node):
        text = self.construct_scalar(node)
        self._check_number(node, text)
        return int(text)

    def construct_yaml_float(self, node):
        text = self.construct_scalar(node)
        lowered = text.lower()
        if lowered.endswith((".inf", ".nan")):
            # Read so that validation rejects them with the field's name ("应为有限数字").
            return Decimal("NaN") if lowered.endswith("nan") else Decimal("-Infinity" if text.startswith("-") else "Infinity")
        self._check_number(node, text)
        # 1e999999999 and 1e-999999999 are fine Decimals; validation names their field as too
        # large or too precise before any arithmetic sees them.
        return Decimal(text)

    def construct_yaml_timestamp(self, node):
        # A date that does not exist (2024-02-30) stays text, so validation names its field.
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError, AttributeError, TypeError):
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)
_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


class _Loader(Reader, Scanner, Parser, _BoundedComposer, _Constructor, _Resolver12):
    def __init__(self, stream):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _BoundedComposer.__init__(self)
        _Constructor.__init__(self)
        _Resolver12.__init__(self)


# PyYAML's problems in Chinese; matched by their start, since some carry the offending token.
_YAML_PROBLEMS = (
    ("mapping values are not allowed", "此处不能出现冒号“:”（值中含冒号时请给整个值加引号）"),
    ("could not find expected ':'", "缺少冒号“:”（应写成“名称: 值”）"),
    ("found character '\\t'", "含有制表符（Tab）：请改用空格缩进"),
    ("found a tab character", "含有制表符（Tab）：请改用空格缩进"),
    ("found character", "含有不能出现在此处的符号（如 @ ` % 开头的值请加引号）"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合，文件可能不完整"),
    ("found unknown escape character", "双引号内有无法识别的反斜杠转义：请改用单引号或删去反斜杠"),
    ("expected escape sequence", "双引号内有无法识别的反斜杠转义：请改用单引号或删去反斜杠"),
    ("found unexpected ':'", "此处不能出现冒号“:”（值中含冒号时请给整个值加引号）"),
    ("did not find expected key", "缩进不一致或缺少冒号"),
    ("did not find expected '-' indicator", "列表项（- 开头的行）缩进不一致"),
    ("did not find expected node content", "缺少内容（逗号、冒号或短横线后没有值）"),
    ("did not find expected ',' or ']'", "方括号 [ ] 内的列表格式错误"),
    ("did not find expected ',' or '}'", "花括号 { } 内的格式错误"),
    ("expected ',' or ']'", "方括号 [ ] 内的列表格式错误"),
    ("expected ',' or '}'", "花括号 { } 内的格式错误"),
    ("expected <block end>", "缩进不一致"),
    ("expected a single document", "文件中有多份文档（以 --- 分隔）：只能有一份"),
    ("expected <document start>", "文件中有多份文档或多余的内容"),
    ("expected alphabetic or numeric character", "锚点或别名（& *）的写法有误"),
    ("expected a comment or a line break", "此处应换行（多余的内容请删去或加引号）"),
    ("could not determine a constructor", "使用了不支持的 YAML 标签（! 开头的写法）"),
    ("found unhashable key", "字段名不是文字"),
    ("found undefined tag handle", "使用了不支持的 YAML 标签（! 开头的写法）"),
    ("found duplicate", "YAML 指令重复"),
    ("found incompatible YAML document", "YAML 版本声明不受支持"),
    ("expected a mapping", "此处应为一组“名称: 值”"),
    ("while scanning", "格式错误"),
)


def _yaml_problem_zh(problem: str | None) -> str:
    problem = (problem or "").strip()
    for prefix, chinese in _YAML_PROBLEMS:
        if problem.startswith(prefix):
            return chinese
    return "格式错误"


def _line_column(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"第{line}行第{column}列"


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    # SafeDumper quotes any text a YAML 1.1 reader would take for a number, date or boolean, a
    # superset of what this reader's YAML 1.2 rules would, so such text reads back as text.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_multi_representer(Enum, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v.value))


def _utf8_damage(raw: bytes) -> UnicodeDecodeError | None:
    """The first decoding error of a file that is UTF-8 but for a few damaged bytes, else None.
    GBK text read as UTF-8 fails at almost every Chinese character and has next to no valid
    multi-byte sequence; a UTF-8 file with one flipped byte is the other way round."""
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        body.decode("utf-8")
        return None
    except UnicodeDecodeError as first:
        decoded = body.decode("utf-8", errors="replace")
        bad = decoded.count("\ufffd")
        good = sum(1 for ch in decoded if ord(ch) > 0x7F and ch != "\ufffd")
        if good >= 2 and good >= 4 * bad:
            return first
        return None


def decode_bytes(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, a superset of GBK and GB2312. A UTF-8 file
    with damaged bytes is reported at the first one rather than read as GB18030 gibberish."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode" as Windows Notepad saves it
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise FiguresError(["文件是 UTF-16 编码但已损坏：请另存为 UTF-8 编码的文本文件。"]) from None
    damage = _utf8_damage(raw)
    if damage is not None:
        offset = damage.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        before = raw[:offset].decode("utf-8-sig", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        at_end = offset >= len(raw) - 3 and damage.reason.startswith("unexpected end")
        what = "文件末尾的字符不完整，文件可能被截断" if at_end else "有损坏的字节（不是有效的 UTF-8 字符）"
        raise FiguresError([f"第{line}行第{column}列（第{offset + 1}个字节）{what}：请在原文件中核对这一处，改正后另存为 UTF-8。"])
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        pass
    raise FiguresError(["文件编码无法识别：既不是 UTF-8 也不是 GBK 编码的文本（也可能不是文本文件）。请另存为 UTF-8 编码的文本文件。"])


def parse_yaml_text(text: str) -> Any:
    """YAML text to plain data (dicts, lists, str, int, Decimal, date), bounded; FiguresError
    with the line and column in Chinese on anything this reader refuses."""
    if len(text) > MAX_FILE_BYTES:
        raise FiguresError([f"文件过大（{len(text)} 个字符，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB）：数据文件不应有这么多内容，请检查是否粘贴了多余的内容。"])
    loader = None
    try:
        loader = _Loader(text)  # the reader checks for control characters here
        return loader.get_single_data()
    except _Refused as exc:
        raise FiguresError([exc.message]) from None
    except ReaderError as exc:
        shown = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise FiguresError([f"不是有效的 YAML 文件：{_line_column(text, exc.position)}含有不允许的控制字符（{shown}），请删除。"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = _yaml_problem_zh(getattr(exc, "problem", None))
        raise FiguresError([f"不是有效的 YAML 文件：{_where(mark)}{problem}。"]) from None
    except RecursionError:
        raise FiguresError([f"文件嵌套层次过深：请检查缩进或括号（上限 {MAX_DEPTH} 层）。"]) from None
    finally:
        if loader is not None:
            loader.dispose()


_DATE_TYPES = ("date_from_datetime_parsing", "date_parsing", "date_type", "date_from_datetime_inexact")
_PYDANTIC_MESSAGES = {
    "missing": "必填项缺失",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "整数部分位数过多",
    "int_parsing": "应为整数",
    "int_parsing_size": "整数位数过多",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "greater_than_equal": "不能为负数",
    "greater_than": "应大于零",
    "less_than_equal": "超出允许的最大值",
    "less_than": "超出允许的最大值",
    "date_from_datetime_parsing": "应为日期（如 2024-06-10）",
    "date_from_datetime_inexact": "应为日期（如 2024-06-10），不含时间",
    "date_parsing": "应为日期（如 2024-06-10）",
    "date_type": "应为日期（如 2024-06-10）",
    "string_type": "应为文字",
    "string_too_long": "文字过长",
    "string_unicode": "含有无效的字符（如双引号中的 \\ud800 转义），请删除",
    "string_too_short": "不能为空",
    "list_type": "应为列表",
    "too_long": "条目过多",
    "too_short": "条目过少",
    "model_type": "应为一组字段",
    "model_attributes_type": "应为一组字段",
    "dict_type": "应为一组字段",
    "bool_parsing": "应为 true 或 false（表示是/否）",
    "bool_type": "应为 true 或 false（表示是/否）",
    "enum": "取值不在可选范围内",
    "literal_error": "取值不在可选范围内",
    "extra_forbidden": "不是可识别的字段（请检查拼写）",
    "finite_number": "应为有限数字",
    "none_required": "应留空",
    "frozen_field": "不能修改",
}
_CJK = re.compile(r"[\u3400-\u9fff]")
_ISO_DAY = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$")


def _reason(err: dict) -> str:
    kind = err.get("type", "")
    given = err.get("input")
    if kind in _DATE_TYPES and isinstance(given, str) and _ISO_DAY.match(given):
        return "不是存在的日期（请核对月份和日期，如 2 月没有 30 日）"
    if kind in ("value_error", "assertion_error"):
        # A validator of the model may speak Chinese; PyYAML/pydantic English is never shown.
        message = str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return message if _CJK.search(message) else "取值无效"
    return _PYDANTIC_MESSAGES.get(kind, "取值无效")


def _shown(given: Any) -> str:
    if given is None:
        return "空值"
    if isinstance(given, bool):
        return "true" if given else "false"  # as written in YAML
    if isinstance(given, Decimal) and not given.is_finite():
        return ".nan" if given.is_nan() else ("-.inf" if given.is_signed() else ".inf")  # as written in YAML
    text = given if isinstance(given, str) else str(given)
    if len(text) > 40:
        text = text[:30] + f"…（共 {len(text)} 字）"
    return f"“{text}”" if isinstance(given, str) else text


def describe_validation_error(exc: ValidationError) -> list[str]:
    messages = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        label = label_for_path(loc) or "文件"
        given = err.get("input")
        # Numbers are shown as typed (39.78, not Decimal('39.78')); text in quotes so blanks show.
        shown = "" if err.get("type") == "missing" or isinstance(given, (dict, list)) else f"（填写的是：{_shown(given)}）"
        messages.append(f"字段“{label}”{_reason(err)}{shown}。")
    return messages


# Far beyond any budget (10^15 万元): a larger number is a typing slip, and one with a huge exponent
# (1e999999) would overflow the calculator's Decimal arithmetic.
MAX_NUMBER = Decimal("1e15")
# Compared by exponent, not abs(): abs(Decimal("1e999999999")) overflows the default context.
_MAX_ADJUSTED = MAX_NUMBER.adjusted()


def range_problems(model: BaseModel, path: tuple[Any, ...] = ()) -> list[tuple[tuple, str]]:
    """(field path, message) for each number too large or too precise for any report."""
    problems: list[tuple[tuple, str]] = []
    for name in type(model).model_fields:
        value, here = getattr(model, name), (*path, name)
        if isinstance(value, Decimal) and value and value.is_finite() and value.adjusted() >= _MAX_ADJUSTED:
            shown = _shown(format(value, "f") if value.adjusted() < 40 else str(value))
            problems.append((here, f"字段“{label_for_path(here)}”数值过大（填写的是：{shown}），请检查单位和小数点。"))
        elif isinstance(value, Decimal) and value and value.is_finite() and value.as_tuple().exponent < -MAX_DECIMAL_PLACES:
            problems.append((here, f"字段“{label_for_path(here)}”小数位数过多（填写的是：{_shown(str(value))}），最多 {MAX_DECIMAL_PLACES} 位小数。"))
        elif isinstance(value, BaseModel):
            problems.extend(range_problems(value, here))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    problems.extend(range_problems(item, (*here, i)))
    return problems


def _out_of_range(model: BaseModel, path: tuple[Any, ...]) -> list[str]:
    return [message for _, message in range_problems(model, path)]


def size_problem_paths(data: Any) -> list[tuple[tuple, str]]:
    """(field path, message) for texts and lists too large for a report (MAX_TEXT_CHARS,
    MAX_LIST_ITEMS, in total MAX_TOTAL_TEXT_CHARS); checked before validation so a 50 MB paste
    costs one pass over it and never reaches the drafter or the .docx writer."""
    problems: list[tuple[tuple, str]] = []
    total = 0
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack and len(problems) < 20:
        path, value = stack.pop()
        if isinstance(value, str):
            total += len(value)
            if len(value) > MAX_TEXT_CHARS:
                problems.append((path, f"字段“{label_for_path(path) or '文件'}”的文字过长（{len(value)} 字，上限 {MAX_TEXT_CHARS} 字）：请精简或分成几条。"))
        elif isinstance(value, dict):
            stack.extend(((*path, key), item) for key, item in reversed(list(value.items())))
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                problems.append((path, f"字段“{label_for_path(path) or '文件'}”的条目过多（{len(value)} 条，上限 {MAX_LIST_ITEMS} 条）：请检查是否粘贴了多余的内容。"))
                continue
            stack.extend(((*path, i), item) for i, item in reversed(list(enumerate(value))))
    if total > MAX_TOTAL_TEXT_CHARS and not problems:
        problems.append(((), f"文件中的文字合计过多（{total} 字，上限 {MAX_TOTAL_TEXT_CHARS} 字）：请精简工作记录等长文字。"))
    return problems


def size_problems(data: Any) -> list[str]:
    return [message for _, message in size_problem_paths(data)]


def figures_from_data(data: Any) -> Figures:
    if data is None or data == "":
        raise FiguresError(["文件为空：没有任何数据。"])
    if not isinstance(data, dict):
        raise FiguresError(["文件内容应为一组“字段: 值”，例如以 meta: 开头。"])
    too_big = size_problems(data)
    if too_big:
        raise FiguresError(too_big)
    try:
        figures = Figures.model_validate(data)
    except ValidationError as exc:
        raise FiguresError(describe_validation_error(exc)) from exc
    too_large = _out_of_range(figures, ())
    if too_large:
        raise FiguresError(too_large)
    return figures


def read_limited(path: str | Path, limit: int = MAX_FILE_BYTES, what: str = "文件") -> bytes:
    """A file's bytes, refusing one over `limit` before reading it (and anything not a file)."""
    path = Path(path)
    try:
        if path.is_dir():
            raise FiguresError([f"无法读取文件 {path.name}：这是文件夹，不是{what}。"])
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise FiguresError([f"无法读取文件 {path.name}：找不到该文件（{path}）。"]) from None
    except OSError as exc:
        raise FiguresError([f"无法读取文件 {path.name}：{exc.strerror or exc}。"]) from None
    if len(raw) > limit:
        raise FiguresError([f"{path.name} 过大（超过 {limit // (1024 * 1024)} MB）：{what}不应有这么多内容，请检查是否选错了文件。"])
    return raw


def load_yaml_file(path: str | Path) -> Figures:
    """Read a YAML figures file; raises FiguresError with Chinese messages."""
    return figures_from_yaml_text(decode_bytes(read_limited(path, what="数据文件")))


def figures_from_yaml_text(text: str) -> Figures:
    return figures_from_data(parse_yaml_text(text))


def text_warnings(text: str) -> list[str]:
    """Signs that a file that parsed is not whole: a last line without its line break usually
    means the file was cut off while copying or downloading. Warnings, not errors: a hand-edited
    file may lack the final line break too."""
    stripped = text.rstrip(" \t")
    if stripped and not stripped.endswith(("\n", "\r")):
        last = stripped.splitlines()[-1].strip()
        shown = last if len(last) <= 30 else last[:30] + "…"
        line = stripped.count("\n") + 1
        return [f"文件最后一行（第{line}行“{shown}”）没有换行符：文件可能不完整（复制或下载时被截断），请核对文件末尾的内容。"]
    return []


def figures_to_data(figures: Figures) -> dict:
    """Plain data (Decimal kept) without unset optional parts, in field order."""
    return figures.model_dump(mode="python", exclude_none=True, exclude_defaults=False)


def dump_yaml(figures: Figures) -> str:
    return dump_yaml_data(figures_to_data(figures))


def dump_yaml_data(data: dict) -> str:
    """Plain figures data (as validated, or as imported with some fields left empty) as YAML."""
    data = _plain_dates(data, Figures)
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
    write_text_atomic(path, dump_yaml(figures))
