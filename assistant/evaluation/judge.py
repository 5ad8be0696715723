"""Optional LLM judge: a configured model scores a draft against the reference on a Chinese rubric
(规范性, 完整性, 准确性, 简洁性; integers 1–5). Off unless asked for (`eval --judge`) and a model is
configured; the prompt is the file prompts/eval_judge.md.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Optional

from assistant.evaluation.cases import Case
from assistant.evaluation.harness import EvaluationError, JudgeFn

JUDGE_PROMPT = "eval_judge.md"
# Rubric key in the model's answer → metric key in the evaluation rows.
RUBRIC = {"规范性": "judge_norms", "完整性": "judge_completeness", "准确性": "judge_accuracy", "简洁性": "judge_concision"}
_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


def parse_scores(answer: str) -> dict[str, Any]:
    """Scores from the model's answer: the first JSON object in it, each rubric score an integer
    1–5 (anything else becomes None). `judge_comment` holds the model's reason or the problem."""
    match = _JSON_OBJECT.search(answer or "")
    empty: dict[str, Any] = {key: None for key in RUBRIC.values()}
    if match is None:
        return {**empty, "judge_comment": "评审回答中没有 JSON 评分"}
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return {**empty, "judge_comment": "评审回答的 JSON 无法解析"}
    if not isinstance(data, dict):
        return {**empty, "judge_comment": "评审回答的 JSON 不是对象"}
    scores: dict[str, Any] = {}
    for name, key in RUBRIC.items():
        value = data.get(name)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        scores[key] = float(value) if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5 else None
    scores["judge_comment"] = str(data.get("理由") or "")
    return scores


def judge_messages(case: Case, draft_markdown: str) -> list[dict[str, str]]:
    from assistant.drafting.prompting import load_prompt, render

    template = load_prompt(JUDGE_PROMPT)
    values = {"unit_name": case.info.unit, "year": case.info.year, "reference": case.reference, "draft": draft_markdown}
    return [{"role": "system", "content": render(template.system, values)}, {"role": "user", "content": render(template.user, values)}]


def make_judge(model_settings: Optional[Any] = None) -> JudgeFn:
    """A judge calling the configured model; raises EvaluationError when none is configured. A failed
    call scores None for that case (with the reason in judge_comment) rather than stopping the run."""
    from assistant.llm.client import ModelError, ModelSettings, complete

    try:
        settings = model_settings or ModelSettings.from_env()
    except ModelError as exc:
        raise EvaluationError(str(exc)) from exc
    if not settings.configured:
        raise EvaluationError("大模型评审需要先配置模型：请设置 ASSISTANT_MODEL（以及 OPENAI_BASE_URL、OPENAI_API_KEY）。")

    def judge(case: Case, draft_markdown: str) -> dict[str, Any]:
        try:
            completion = asyncio.run(complete(settings, judge_messages(case, draft_markdown)))
        except ModelError as exc:
            return {**{key: None for key in RUBRIC.values()}, "judge_comment": f"评审调用失败：{exc}"}
        return parse_scores(completion.text)

    return judge
