"""Evaluation cases: `evals/cases/<id>/` with figures.yaml, reference.md and case.yaml.

case.yaml is small: the unit, the year, the outline the reference follows, and optionally the
reference headings whose figures form the "budget sections" (seed: 部门预算情况 … 资产管理情况), whose
figure recall is reported on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Optional

import yaml

from assistant.figures.model import Figures
from assistant.figures import load_figures
from assistant.figures.yaml_io import FiguresError
from assistant.offline import REPO_ROOT

CASES_DIR = REPO_ROOT / "evals" / "cases"
CASE_FILE = "case.yaml"
FIGURES_FILE = "figures.yaml"
REFERENCE_FILE = "reference.md"


class CaseError(Exception):
    """A case that cannot be loaded; the message is Chinese."""


@dataclass(frozen=True)
class CaseInfo:
    unit: str
    year: int
    outline: str = "seed"
    budget_sections: tuple[str, ...] = ()
    description: str = ""


@dataclass
class Case:
    id: str
    path: Path
    info: CaseInfo

    @cached_property
    def figures(self) -> Figures:
        try:
            return load_figures(self.path / FIGURES_FILE)
        except FiguresError as exc:
            raise CaseError(f"评估用例 {self.id} 的数据文件有误：" + "；".join(exc.messages)) from exc

    @cached_property
    def reference(self) -> str:
        path = self.path / REFERENCE_FILE
        if not path.exists():
            raise CaseError(f"评估用例 {self.id} 缺少参考报告 {REFERENCE_FILE}")
        return path.read_text(encoding="utf-8")

    @property
    def outline(self) -> str:
        return self.info.outline


def list_case_ids(cases_dir: Optional[Path] = None) -> list[str]:
    """Every directory under the cases folder holding a figures file, sorted."""
    root = Path(cases_dir) if cases_dir else CASES_DIR
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / FIGURES_FILE).exists())


def _read_info(case_id: str, path: Path) -> CaseInfo:
    file = path / CASE_FILE
    if not file.exists():
        raise CaseError(f"评估用例 {case_id} 缺少 {CASE_FILE}（单位、年度、提纲）")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CaseError(f"评估用例 {case_id} 的 {CASE_FILE} 不是有效的 YAML：{exc}") from exc
    if not isinstance(data, dict):
        raise CaseError(f"评估用例 {case_id} 的 {CASE_FILE} 应为一组“字段: 值”")
    missing = [name for name in ("unit", "year") if name not in data]
    if missing:
        raise CaseError(f"评估用例 {case_id} 的 {CASE_FILE} 缺少字段：{'、'.join(missing)}")
    unknown = set(data) - {"unit", "year", "outline", "budget_sections", "description"}
    if unknown:
        raise CaseError(f"评估用例 {case_id} 的 {CASE_FILE} 有无法识别的字段：{'、'.join(sorted(unknown))}")
    try:
        year = int(data["year"])
    except (TypeError, ValueError):
        raise CaseError(f"评估用例 {case_id} 的 {CASE_FILE} 中 year 应为年份数字") from None
    sections = data.get("budget_sections") or ()
    if not isinstance(sections, (list, tuple)):
        raise CaseError(f"评估用例 {case_id} 的 {CASE_FILE} 中 budget_sections 应为标题列表")
    return CaseInfo(
        unit=str(data["unit"]),
        year=year,
        outline=str(data.get("outline") or "seed"),
        budget_sections=tuple(str(s) for s in sections),
        description=str(data.get("description") or ""),
    )


def load_case(case_id: str, cases_dir: Optional[Path] = None) -> Case:
    root = Path(cases_dir) if cases_dir else CASES_DIR
    path = root / case_id
    if not (path / FIGURES_FILE).exists():
        known = "、".join(list_case_ids(root)) or "无"
        raise CaseError(f"找不到评估用例 {case_id}（已有：{known}）")
    return Case(case_id, path, _read_info(case_id, path))


def load_cases(case_ids: Optional[list[str]] = None, cases_dir: Optional[Path] = None) -> list[Case]:
    ids = list(case_ids) if case_ids else list_case_ids(cases_dir)
    if not ids:
        raise CaseError("没有可用的评估用例：evals/cases/ 下没有含 figures.yaml 的目录")
    return [load_case(case_id, cases_dir) for case_id in ids]
