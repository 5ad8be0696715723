"""Which of the user's notes an outline section draws on, and where each lives in `Figures`.

An outline section names note fields (`notes: [work_notes]`); each field maps to groups of note items
(a goal area's title heads its items). Items are tied to their index in `note_texts(figures)` (from 1),
which is how note slots are numbered (`【note.<index>.<n>】`, see assistant/drafting/slots.py).
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.drafting.slots import NoteSlots
from assistant.figures.model import Figures, FinalAccounts, field_label

# A group: (label, items); an item is one or more note texts shown joined by "：" (改进措施 title：detail).
NoteGroups = list[tuple[str, list[str]]]
PartGroups = list[tuple[str, list[list[str]]]]


def _duties(f: Figures) -> PartGroups:
    return [(field_label(Figures, "duties"), [[d] for d in f.duties])]


def _work_notes(f: Figures) -> PartGroups:
    # One group per goal area: the area's title heads its items, as the user arranged them.
    return [(area.title, [[item] for item in area.items]) for area in f.work_notes]


def _problems(f: Figures) -> PartGroups:
    return [(field_label(Figures, "problems"), [[p] for p in f.problems])]


def _improvements(f: Figures) -> PartGroups:
    return [(field_label(Figures, "improvements"), [[i.title, i.detail] if i.detail else [i.title] for i in f.improvements])]


def _other_notes(f: Figures) -> PartGroups:
    return [(field_label(Figures, "other_notes"), [[f.other_notes]] if f.other_notes else [])]


def _variance_reasons(f: Figures) -> PartGroups:
    text = f.final.variance_reasons
    return [(field_label(FinalAccounts, "variance_reasons"), [[text]] if text else [])]


def _added_projects(f: Figures) -> PartGroups:
    return [(field_label(FinalAccounts, "added_projects"), [[p] for p in f.final.added_projects])]


NOTE_SOURCES: dict[str, Callable[[Figures], PartGroups]] = {
    "duties": _duties,
    "work_notes": _work_notes,
    "problems": _problems,
    "improvements": _improvements,
    "other_notes": _other_notes,
    "variance_reasons": _variance_reasons,
    "added_projects": _added_projects,
}


class NoteSourceError(ValueError):
    """An outline section names a note field that does not exist."""


def section_parts(section, figures: Figures) -> PartGroups:
    """The section's note groups; each item as its parts, blank parts dropped, empty groups dropped."""
    groups: PartGroups = []
    for name in section.notes:
        source = NOTE_SOURCES.get(name)
        if source is None:
            raise NoteSourceError(f"章节“{section.heading}”引用了未知的材料字段 {name}")
        for label, items in source(figures):
            kept = [[p.strip() for p in item if p and p.strip()] for item in items]
            kept = [item for item in kept if item]
            if kept:
                groups.append((label, kept))
    return groups


def section_note_indices(section, figures: Figures, notes: NoteSlots) -> list[int]:
    """Indices (from 1) of the notes the section uses, group labels (goal-area titles) included."""
    indices: list[int] = []
    for label, items in section_parts(section, figures):
        for text in [label, *(p for item in items for p in item)]:
            index = notes.index_of(text)
            if index is not None and index not in indices:
                indices.append(index)
    return indices
