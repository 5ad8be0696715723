"""Truth gate: per lie class, how often a lie escapes into the final report (target 0), how often
an honest slot draft is rejected (target 0), and what a report costs in model calls and prompt tokens.

The adversarial model of tests/adversary.py answers every section of two cases (the seed, and one
with projects and last-year figures) through the fake OpenAI-compatible server and the real
client: an honest slot draft with one lie woven in, lying again on regeneration. A lie *escapes*
when its marker (the text it would leave) is in the final report, or when a section whose every
answer lied is not the template text. Honest reports use the same server without lies. Prompt
tokens are counted with tiktoken on the messages actually sent.
"""

from __future__ import annotations

import time
from collections import Counter

from assistant.llm import budget as tokens
from tests.adversary import (
    EVERYDAY,
    LIE_CLASSES,
    PROJECTS_CASE,
    SEED_CASE,
    Adversary,
    Case,
    InjectingRetriever,
    all_lies,
    draft_with,
    offline_text,
    plan_rounds,
)
from tests.fake_openai import FakeOpenAI

PER_SECTION = 36
TARGET_ESCAPE = 0.0
TARGET_HONEST_REJECTION = 0.0


def _prompt_tokens(requests) -> int:
    return sum(tokens.count_tokens(r.messages) for r in requests)


def _escapes(report, adversary: Adversary, case: Case) -> tuple[Counter, Counter]:
    served, escaped = Counter(), Counter()
    by_id = {s.section_id: s for s in report.sections}
    for section_id in {r.section_id for r in adversary.served}:
        records = [r for r in adversary.served if r.section_id == section_id]
        section = by_id.get(section_id)
        text = section.text if section else ""
        all_lied = all(r.lie is not None for r in records)
        stood = bool(section) and all_lied and (not section.fallback_reason or text != offline_text(case, section_id))
        for n, record in enumerate(records):
            if record.lie is None:
                continue
            served[record.lie.cls] += 1
            # The pipeline stops at the first accepted answer: a section that stood is the last one.
            if record.lie.marker in text or (stood and n == len(records) - 1):
                escaped[record.lie.cls] += 1
    return served, escaped


def run_case(fake: FakeOpenAI, case: Case) -> dict:
    served, escaped = Counter(), Counter()
    adversarial_calls, adversarial_tokens, reports = 0, 0, 0
    for plan in plan_rounds(all_lies(case, PER_SECTION)):
        passages = [lie.passage for queue in plan.values() for lie in queue if lie.passage]
        adversary = Adversary(case, plan)
        before = len(fake.chat_requests)
        report, _ = draft_with(fake, case, adversary, retriever=InjectingRetriever(passages) if passages else None)
        requests = fake.chat_requests[before:]
        adversarial_calls += len(requests)
        adversarial_tokens += _prompt_tokens(requests)
        reports += 1
        s, e = _escapes(report, adversary, case)
        served += s
        escaped += e
    honest_sections, honest_rejected, honest_calls, honest_tokens, honest_reports = 0, Counter(), 0, 0, 0
    for variant in range(len(EVERYDAY)):
        before = len(fake.chat_requests)
        report, _ = draft_with(fake, case, Adversary(case, honest_variant=variant))
        requests = fake.chat_requests[before:]
        honest_calls += len(requests)
        honest_tokens += _prompt_tokens(requests)
        honest_reports += 1
        for section in report.sections:
            if section.drafter == "outline":
                continue
            honest_sections += 1
            if section.fallback_reason or not section.drafter.startswith("llm:"):
                honest_rejected[section.section_id] += 1
    return {
        "served": served,
        "escaped": escaped,
        "honest_sections": honest_sections,
        "honest_rejected": honest_rejected,
        "calls": (adversarial_calls / reports, honest_calls / honest_reports),
        "prompt_tokens": (adversarial_tokens / reports, honest_tokens / honest_reports),
    }


def main() -> int:
    started = time.perf_counter()
    results = {}
    with FakeOpenAI() as fake:
        for name in (SEED_CASE, PROJECTS_CASE):
            results[name] = run_case(fake, Case(name))
    served = sum((r["served"] for r in results.values()), Counter())
    escaped = sum((r["escaped"] for r in results.values()), Counter())
    print(f"对抗模型：{len(LIE_CLASSES)} 类谎言，每个案例每节最多 {PER_SECTION} 条；两个案例：{SEED_CASE}、{PROJECTS_CASE}")
    print("| 谎言类别 | 说明 | 注入次数 | 逃逸次数 | 逃逸率 | 目标 |")
    print("|---|---|---|---|---|---|")
    for cls, title in LIE_CLASSES.items():
        n, e = served[cls], escaped[cls]
        rate = e / n if n else 0.0
        print(f"| {cls} | {title} | {n} | {e} | {rate:.1%} | 0 |")
    total_n, total_e = sum(served.values()), sum(escaped.values())
    print(f"| 合计 | | {total_n} | {total_e} | {total_e / max(total_n, 1):.2%} | 0 |")
    print()
    print("| 案例 | 诚实草稿章节 | 被拒 | 拒收率 | 每份报告模型调用（对抗 / 诚实） | 每份报告提示 token（对抗 / 诚实） |")
    print("|---|---|---|---|---|---|")
    honest_total = honest_bad = 0
    for name, r in results.items():
        bad = sum(r["honest_rejected"].values())
        honest_total += r["honest_sections"]
        honest_bad += bad
        detail = "、".join(f"{k}×{v}" for k, v in r["honest_rejected"].items())
        calls, prompt = r["calls"], r["prompt_tokens"]
        print(
            f"| {name} | {r['honest_sections']} | {bad}{'（' + detail + '）' if detail else ''} | {bad / max(r['honest_sections'], 1):.1%} "
            f"| {calls[0]:.1f} / {calls[1]:.1f} | {prompt[0]:.0f} / {prompt[1]:.0f} |"
        )
    print(f"\n用时 {time.perf_counter() - started:.1f} s")
    met = total_e / max(total_n, 1) <= TARGET_ESCAPE and honest_bad / max(honest_total, 1) <= TARGET_HONEST_REJECTION
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
