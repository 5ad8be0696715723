"""Report options that change how figures are derived, with documented defaults.

Localities differ (DOMAIN.md §3): the 执行率 denominator is the 全年预算数 in the national table,
the 调整后预算 in Sichuan and the 年初预算 in Haidian; the "三公" change rate is computed on final
accounts or on budgets. These choices live here, never as literals in the calculator.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field


class ReportSettings(BaseModel):
    execution_denominator: Literal["full_year", "initial"] = Field(
        "full_year", title="预算执行率分母", description="full_year：全年（调整后）预算数；initial：年初预算数"
    )
    three_public_basis: Literal["final", "budget"] = Field(
        "final", title="“三公”经费变动率口径", description="final：按决算数同比；budget：按预算数同比"
    )
    # Each part is published rounded to 0.01 万元, so a sum of parts may differ from its printed total
    # by rounding alone; differences beyond this are input errors.
    sum_tolerance: Decimal = Field(Decimal("0.01"), title="合计校验容差（万元）")
    share_tolerance: Decimal = Field(Decimal("0.01"), title="占比合计容差（百分点）")
    outline: str = Field("seed", title="报告提纲")


DEFAULT_SETTINGS = ReportSettings()
