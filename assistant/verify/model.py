"""What the verifier finds: a `Figure` (one numeric mention with its class) and the class names.

Offsets are character offsets into the text the caller passed in (not into any normalised copy).
A range ("30-40人") is one figure: `value` is its low end, `low`/`high` hold both ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Classes. Only FIGURE must be traced to a source; the others are numerals that state no quantity.
FIGURE = "figure"
DATE = "date"
DOC_NUMBER = "doc_number"
ORDINAL = "ordinal"
LIST_MARKER = "list_marker"
NAMED_TERM = "named_term"
TITLE = "title"
IDENTIFIER = "identifier"
INDEFINITE = "indefinite"
CAPTION = "caption"
CONTACT = "contact"
PART_COUNT = "part_count"

CLASS_NAMES = {
    FIGURE: "数字",
    DATE: "日期",
    DOC_NUMBER: "文号",
    ORDINAL: "序数",
    LIST_MARKER: "序号",
    NAMED_TERM: "专有名词",
    TITLE: "书名号内标题",
    IDENTIFIER: "编号或代码",
    INDEFINITE: "泛指数量（“一”加量词）",
    CAPTION: "表、图、附件编号",
    CONTACT: "电话、传真或邮编",
    PART_COUNT: "行文结构（几个方面）",
}

# Qualifiers
APPROX = "approx"
BOUND = "bound"
RANGE = "range"


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    text: str
    value: Decimal | None = None
    unit: str = ""
    qualifier: str | None = None
    qualifier_text: str = ""
    low: Decimal | None = None
    high: Decimal | None = None
    cls: str = FIGURE
    reason: str = ""  # for non-figures: which rule decided, in Chinese
    # As written, before any multiplier: 1.2 in "1.2万人" (value 12000, scale 10000, places 1).
    shown: Decimal | None = None
    shown_high: Decimal | None = None
    places: int = 0
    scale: Decimal = Decimal(1)
    # Offsets in the scanning copy of the text, for context look-ups.
    scan_start: int = field(default=0, compare=False, repr=False)
    scan_end: int = field(default=0, compare=False, repr=False)

    @property
    def is_figure(self) -> bool:
        return self.cls == FIGURE

    @property
    def is_range(self) -> bool:
        return self.high is not None

    def to_dict(self) -> dict:
        data = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "class": self.cls,
            "value": None if self.value is None else str(self.value),
            "unit": self.unit,
            "qualifier": self.qualifier,
        }
        if self.qualifier_text:
            data["qualifier_text"] = self.qualifier_text
        if self.is_range:
            data["low"] = str(self.low)
            data["high"] = str(self.high)
        if self.reason:
            data["reason"] = self.reason
        return data
