"""Which ledger keys the calculator can produce, and why a given one is absent for some figures.

The set is found by running the calculator on a sample `Figures` with every field filled (numbers 1,
one project, one indicator), so it follows `assistant.ledger.calculator` as it evolves instead of a copied list.
Numbered segments are normalised (`project.1.execution_rate` → `project.{n}.execution_rate`).

`base_ledger` is the calculator's ledger (no score facts): the scoring stage adds those itself, so a
profile check never recurses into scoring and the command line scores with its own profile.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Optional

from pydantic import BaseModel

from assistant.ledger.calculator import build_ledger
from assistant.ledger.facts import Fact, Ledger
from assistant.figures.model import Figures, label_for_path
from assistant.scoring.model import quoted
from assistant.ledger.settings import DEFAULT_SETTINGS, ReportSettings

# Keys the scoring package itself adds before it scores (see assistant.scoring.completion).
COMPLETION_KEY = "performance.completion_rate"
SCORING_INPUT_KEYS = frozenset({COMPLETION_KEY})

def base_ledger(figures: Figures, settings: ReportSettings | None = None) -> Ledger:
    """The calculator's ledger without any scoring facts."""
    return build_ledger(figures, settings or DEFAULT_SETTINGS)


_NUMBERED = re.compile(r"(?<=\.)\d+(?=\.|$)")


def normalize_key(key: str) -> str:
    return _NUMBERED.sub("{n}", key.strip())


def _sample_value(annotation: Any, flag: bool = True) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union or (origin is not None and type(None) in args):
        inner = [a for a in args if a is not type(None)]
        return _sample_value(inner[0], flag) if inner else None
    if origin is typing.Annotated:
        return _sample_value(args[0], flag)
    if origin is list:
        return [_sample_value(args[0], flag)] if args else []
    if origin is dict:
        return {}
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return _sample_data(annotation, flag)
        if issubclass(annotation, Enum):
            # The second sample takes the second choice (指标方向 ≤), so keys of either direction are known.
            members = list(annotation)
            return members[0 if flag else min(1, len(members) - 1)]
        if issubclass(annotation, bool):
            return flag
        if issubclass(annotation, Decimal):
            return Decimal(1)
        if issubclass(annotation, int):
            return 1
        if issubclass(annotation, str):
            return "样例"
        if issubclass(annotation, dt.date):
            return dt.date(2000, 1, 1)
    return None


def _sample_data(model: type[BaseModel], flag: bool = True) -> dict:
    return {name: _sample_value(info.annotation, flag) for name, info in model.model_fields.items()}


@lru_cache(maxsize=8)
def _sample_ledgers(settings_json: str) -> tuple[Ledger, ...]:
    # Two samples, every yes/no field on and then off (and the first, then the second choice of each
    # list of choices): a flag can switch a fact on (重点项目) or off (本年无政府采购), a direction adds
    # its own facts (≤ indicators have a 节约率), and together they make every key.
    settings = ReportSettings.model_validate_json(settings_json)
    return tuple(base_ledger(Figures.model_validate(_sample_data(Figures, flag)), settings) for flag in (True, False))


def sample_facts(settings: ReportSettings | None = None) -> dict[str, Fact]:
    """Normalised key → a sample fact (label, formula, input fields) for every key the calculator makes."""
    facts: dict[str, Fact] = {}
    for ledger in _sample_ledgers((settings or DEFAULT_SETTINGS).model_dump_json()):
        for fact in ledger:
            facts.setdefault(normalize_key(fact.key), fact)
    return facts


def known_ledger_keys(settings: ReportSettings | None = None) -> frozenset[str]:
    return frozenset(sample_facts(settings)) | SCORING_INPUT_KEYS


def is_known_key(key: str, settings: ReportSettings | None = None) -> bool:
    return normalize_key(key) in known_ledger_keys(settings)


def _value_at(figures: Figures, dotted: str) -> Optional[Any]:
    value: Any = figures
    for step in dotted.split("."):
        if value is None:
            return None
        if step.isdigit():
            index = int(step)
            if not isinstance(value, list) or index >= len(value):
                return None
            value = value[index]
        else:
            value = getattr(value, step, None)
    return value


def _field_path(dotted: str) -> tuple:
    return tuple(int(s) if s.isdigit() else s for s in dotted.split("."))


def describe_missing(key: str, figures: Figures, ledger: Ledger, settings: ReportSettings | None = None) -> str:
    """Why `key` has no value, in Chinese, naming the fields to fill in."""
    if key in ledger.missing:
        return ledger.missing[key].reason
    sample = sample_facts(settings).get(normalize_key(key))
    if sample is None:
        return f"台账中没有{quoted(key)}"
    absent = [label_for_path(_field_path(f)) for f in sample.inputs if _value_at(figures, f) is None]
    if absent:
        return f"缺少{'、'.join(f'{quoted(a)}' for a in absent)}（{sample.label} = {sample.formula}）"
    return f"缺少计算{sample.label}所需的数据（{sample.label} = {sample.formula}）"
