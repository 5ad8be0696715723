"""Fixtures of the number verifier: a small hand-built ledger and the seed case (衡山县妇联 2023)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assistant.ledger.facts import Fact, Ledger

REPO = Path(__file__).resolve().parents[2]
SEED_DIR = REPO / "evals" / "cases" / "hengshan-fulian-2023"
SEED_REFERENCE = SEED_DIR / "reference.md"
SEED_FIGURES = SEED_DIR / "figures.yaml"
SEED_ORIGINAL = Path("/work/shared/reference/hengshan-fulian-2023-report.txt")


def small_ledger() -> Ledger:
    """The budget part of the seed case, built by hand (labels as the calculator writes them)."""
    ledger = Ledger()
    d = Decimal
    ledger.extend(
        [
            Fact("final.income.total", d("155.32"), "万元", "决算收入", ("决算总收入", "总收入")),
            Fact("final.expenditure.total", d("155.29"), "万元", "决算支出", ("决算总支出", "总支出")),
            Fact("final.expenditure.basic", d("61.41"), "万元", "决算基本支出", ("基本支出",)),
            Fact("final.expenditure.project", d("93.88"), "万元", "决算项目支出", ("项目支出",)),
            Fact("final.expenditure.basic_share", d("61.41") / d("155.29") * 100, "%", "决算基本支出占比", ("基本支出占比", "基本支出")),
            Fact("final.expenditure.project_share", d("93.88") / d("155.29") * 100, "%", "决算项目支出占比", ("项目支出占比", "项目支出")),
            Fact("final.income.change_vs_budget", d("115.54"), "万元", "决算收入较年初预算增减", ("较预算",), signed_change=True),
            Fact("three_public.change_vs_budget", d("-0.41"), "万元", "“三公”经费决算较预算增减", ("较预算", "节约"), signed_change=True),
            Fact("budget.expenditure.project", d("3"), "万元", "年初预算项目支出", ("项目支出",)),
            Fact("staffing.authorized_admin", d("4"), "人", "行政编制人数", ("行政编制",)),
            Fact("staffing.authorized_institution", d("2"), "人", "事业编制人数", ("事业编制",)),
            Fact("staffing.fiscal_supported", d("3"), "人", "财政补助开支人数", ("财政补助开支",)),
            Fact("assets.fixed_assets_utilization", d("100"), "%", "固定资产利用率", ("资产使用率",)),
        ]
    )
    return ledger


@pytest.fixture
def ledger() -> Ledger:
    return small_ledger()


NOTES = (
    "举办了为期2天的“领头雁”培训班，培训县乡村三级妇联干部共220余人。",
    "组织评选出“三八红旗集体”8个、“三八红旗手”12名、“最美妇联人”8名。",
    "妇女儿童维权工作站共接待群众来信来访31件，妥善处理来访来信29件，目前还有2件正在处理中。",
    "筹集助学金近12万元，较上年增加3人。",
)


@pytest.fixture
def notes() -> tuple[str, ...]:
    return NOTES


@pytest.fixture(scope="session")
def seed():
    """(text, ledger, notes) of the seed case, from the real figures file and calculator."""
    from assistant.figures import load_figures
    from assistant.ledger.calculator import note_texts
    from assistant.scoring import build_scored_ledger

    figures = load_figures(SEED_FIGURES)
    return SEED_REFERENCE.read_text(encoding="utf-8"), build_scored_ledger(figures), note_texts(figures)


# ---- real published excerpts (../shared/real/, read in place, never copied into the project) ----

REAL_CASES_DIR = REPO / "evals" / "real"
REAL_ENV = "ASSISTANT_REAL_DIR"


def real_dir() -> Path | None:
    """The folder of real excerpts: $ASSISTANT_REAL_DIR, else shared/real beside the repository (or
    beside any folder above it, for a worktree checked out deeper), else None."""
    import os

    configured = os.environ.get(REAL_ENV, "").strip()
    if configured:
        path = Path(configured)
        return path if path.is_dir() else None
    for parent in REPO.parents:
        candidate = parent / "shared" / "real"
        if (candidate / "INDEX.md").is_file():
            return candidate
    return None


def require_real_dir() -> Path:
    found = real_dir()
    if found is None:
        pytest.skip(f"真实报告节选目录不存在（../shared/real/，或环境变量 {REAL_ENV}），跳过真实文本测试")
    return found


def excerpt_text(path: Path) -> str:
    """An excerpt without its '# source: URL' line (metadata, not report text)."""
    text = path.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    return rest if first.startswith("# source:") else text


def real_case(name: str):
    """(ledger, notes) of evals/real/<name>.yaml, built by the real calculator."""
    from assistant.figures import load_figures
    from assistant.ledger.calculator import note_texts
    from assistant.scoring import build_scored_ledger

    figures = load_figures(REAL_CASES_DIR / f"{name}.yaml")
    return build_scored_ledger(figures), note_texts(figures)
