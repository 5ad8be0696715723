"""Outlines are data: `prompts/outlines/<name>.yaml`, validated on load.

An outline names its sections in order with their level; the exporter numbers headings by level
(一、 （一） 1. （1）), so no heading in the data or in drafted text carries a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.interface import OutlineSection
from assistant.offline import REPO_ROOT

OUTLINES_DIR = REPO_ROOT / "prompts" / "outlines"
MODES = {"figures", "notes", "container"}


class OutlineError(ValueError):
    pass


@dataclass(frozen=True)
class Outline:
    name: str
    title: str
    preamble: str
    appendix: tuple[str, ...]
    sections: tuple[OutlineSection, ...]

    def section(self, section_id: str) -> OutlineSection:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    @property
    def writable(self) -> tuple[OutlineSection, ...]:
        return tuple(s for s in self.sections if s.mode != "container")


def available_outlines() -> list[str]:
    return sorted(p.stem for p in OUTLINES_DIR.glob("*.yaml"))


def load_outline_file(path: Path) -> Outline:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise OutlineError(f"提纲文件 {Path(path).name} 无法读取：{exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise OutlineError(f"提纲文件 {Path(path).name} 缺少 sections 列表。")
    sections = []
    seen: set[str] = set()
    previous_level = 0
    for i, raw in enumerate(data["sections"], start=1):
        try:
            section = OutlineSection(
                id=str(raw["id"]),
                heading=str(raw["heading"]),
                level=int(raw["level"]),
                mode=str(raw.get("mode", "figures")),
                facts=tuple(raw.get("facts") or ()),
                notes=tuple(raw.get("notes") or ()),
                template=str(raw.get("template", raw["id"])),
                prompt=str(raw.get("prompt", "section.md")),
                query=str(raw.get("query", raw["heading"])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise OutlineError(f"提纲第{i}节缺少 id、heading 或 level：{raw!r}") from exc
        if section.id in seen:
            raise OutlineError(f"提纲中章节 id “{section.id}”重复。")
        if section.mode not in MODES:
            raise OutlineError(f"章节“{section.heading}”的 mode 应为 figures、notes 或 container。")
        if not 1 <= section.level <= 4 or section.level > previous_level + 1:
            raise OutlineError(f"章节“{section.heading}”的层级 {section.level} 不合理（只能逐级加深，最多4级）。")
        previous_level = section.level
        seen.add(section.id)
        sections.append(section)
    return Outline(
        name=str(data.get("name", Path(path).stem)),
        title=str(data.get("title", "{year}年度部门整体支出绩效自评报告")),
        preamble=str(data.get("preamble", "")),
        appendix=tuple(data.get("appendix") or ()),
        sections=tuple(sections),
    )


@lru_cache(maxsize=8)
def load_outline(name: str = "seed") -> Outline:
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return load_outline_file(path)
    candidate = OUTLINES_DIR / f"{name}.yaml"
    if not candidate.exists():
        raise OutlineError(f"没有名为“{name}”的提纲；可选：{'、'.join(available_outlines())}。")
    return load_outline_file(candidate)
