"""Small figures builders for the scoring tests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from assistant.figures.model import Figures

D = Decimal
HERE = Path(__file__).resolve().parent
FULL_CASE = HERE / "full_case.yaml"
FULL_CASE_SCORES = HERE / "full_case_scores.yaml"  # entered 社会效益/满意度 scores
SEED_CASE = HERE.parent.parent / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"


def project_figures(funds: dict | None = None, indicators: list[dict] | None = None, **project) -> Figures:
    """Figures with one project; amounts and indicators as given."""
    return Figures.model_validate(
        {
            "meta": {"unit_name": "测试单位", "year": 2023},
            "projects": [
                {"name": "测试项目", "funds": {"total": funds or {}}, "indicators": indicators or [], **project}
            ],
        }
    )


def indicator(name: str, level1: str = "产出指标", **fields) -> dict:
    return {"level1": level1, "level2": "数量指标", "name": name, **fields}


def full_set(weights: tuple[int, ...] = (50, 30, 10)) -> list[dict]:
    """Three met indicators, one per default tier, with the given 分值."""
    return [
        indicator("产出", "产出指标", target=10, actual=10, weight=weights[0]),
        indicator("效益", "效益指标", target=10, actual=10, weight=weights[1]),
        indicator("满意度", "满意度指标", target=90, actual=95, weight=weights[2]),
    ]
