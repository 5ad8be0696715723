"""Evaluation output: the terminal table, the Markdown report and the HTML report with SVG charts.

The charts are plain inline SVG written here (no plotting library, nothing fetched when the page
opens): one grouped bar chart per case with a bar per backend for each rate metric, and one for the
means over all cases.
"""

from __future__ import annotations

import html
import unicodedata
from pathlib import Path
from typing import Any, Optional, Sequence

from assistant.evaluation.compare import VERDICT_ZH, Delta
from assistant.evaluation.harness import METRIC_BY_KEY, METRICS, EvalRun

PALETTE = ("#2f6db5", "#d9822b", "#3a9a5b", "#b5473a", "#7a5bb5", "#8c8c8c")
MAX_LISTED = 30  # figures listed per case in the reports


# --- values and plain tables ---------------------------------------------------------------------


def format_metric(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    metric = METRIC_BY_KEY.get(key)
    kind = metric.kind if metric else ""
    if kind == "count":
        return str(int(value))
    if kind == "rate":
        return f"{float(value) * 100:.1f}%"
    if kind in ("ratio", "score"):
        return f"{float(value):.2f}"
    return str(value)


def format_change(delta: Delta) -> str:
    change = delta.change
    if change is None:
        return VERDICT_ZH[delta.verdict]
    metric = METRIC_BY_KEY.get(delta.metric)
    if metric and metric.kind == "rate":
        text = f"{change * 100:+.1f}个百分点"
    elif metric and metric.kind == "count":
        text = f"{int(round(change)):+d}"
    else:
        text = f"{change:+.2f}"
    return f"{text}（{VERDICT_ZH[delta.verdict]}）"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table aligned for a terminal (Chinese characters count double)."""
    widths = [max(_width(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = ["  ".join(_pad(str(cell), w) for cell, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_pad(str(cell), w) for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def _case_table(run: EvalRun) -> tuple[list[str], list[list[str]]]:
    keys = run.metric_keys
    header = ["用例", "起草方式", *(METRIC_BY_KEY[k].label for k in keys), "通过"]
    rows = []
    for row in run.rows:
        cells = [row["case"], row["backend"], *(format_metric(k, row.get(k)) for k in keys)]
        cells.append("是" if row["passed"] else ("否：" + row["error"] if row["error"] else "否"))
        rows.append(cells)
    return header, rows


def _summary_table(run: EvalRun) -> tuple[list[str], list[list[str]]]:
    keys = run.metric_keys
    header = ["起草方式", "用例数", *(METRIC_BY_KEY[k].label for k in keys)]
    rows = [[r["backend"], str(r["cases"]), *(format_metric(k, r.get(k)) for k in keys)] for r in run.summary_rows()]
    return header, rows


def _delta_table(deltas: Sequence[Delta]) -> tuple[list[str], list[list[str]]]:
    header = ["用例", "起草方式", "指标", "基线", "本次", "变化"]
    rows = [
        [d.case, d.backend, METRIC_BY_KEY[d.metric].label, format_metric(d.metric, d.before), format_metric(d.metric, d.after), format_change(d)]
        for d in deltas
        if d.verdict != "same"
    ]
    return header, rows


def terminal_report(run: EvalRun, deltas: Optional[Sequence[Delta]] = None) -> str:
    parts = ["评估结果（每个用例一行）：", text_table(*_case_table(run))]
    if len(run.backends) > 1:
        parts += ["", "按起草方式汇总（比率取平均，计数求和）：", text_table(*_summary_table(run))]
    if deltas is not None:
        parts += ["", *_delta_lines(deltas)]
    parts += ["", *_gate_lines(run)]
    return "\n".join(parts)


def _delta_lines(deltas: Sequence[Delta]) -> list[str]:
    changed = [d for d in deltas if d.verdict != "same"]
    if not changed:
        return [f"与基线比较：全部 {len(deltas)} 项指标持平。"]
    worse = sum(1 for d in changed if d.verdict == "worse")
    lines = [f"与基线比较：{len(changed)} 项有变化（其中 {worse} 项变差），其余 {len(deltas) - len(changed)} 项持平。"]
    lines.append(text_table(*_delta_table(deltas)))
    return lines


def _gate_lines(run: EvalRun) -> list[str]:
    if run.gate_ok:
        offline = "offline" in run.backends
        extra = "；离线起草必备数字全部写到、越线数字均有评价句、无文风问题、附件清单与所附一致" if offline else ""
        return [f"核验门槛：通过（无无来源、张冠李戴或与台账矛盾的数字{extra}）。"]
    return ["核验门槛：未通过。", *(f"  - {message}" for message in run.gate_messages())]


# --- Markdown --------------------------------------------------------------------------------------


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _section_table(run: EvalRun, case: str, backend: str) -> tuple[list[str], list[list[str]]]:
    header = ["参考章节", "草稿章节", "匹配度", "预算章节", "参考数字", "召回", "召回率", "ROUGE-L", "chrF", "篇幅比", "核验问题"]
    rows = []
    for s in run.section_rows:
        if s["case"] != case or s["backend"] != backend:
            continue
        problems = sum(s[k] for k in ("unsupported", "misattributed", "contradicted"))
        rows.append(
            [
                s["section"] or "（参考报告无此章节）",
                s["draft_section"] or "（草稿缺少）",
                f"{s['match_score']:.0f}" if s["status"] == "matched" else "—",
                "是" if s["budget"] else "",
                str(s["reference_figures"]),
                str(s["matched_figures"]),
                format_metric("figure_recall", s["recall"]),
                format_metric("rouge_l", s["rouge_l"]),
                format_metric("chrf", s["chrf"]),
                format_metric("length_ratio", s["length_ratio"]),
                str(problems),
            ]
        )
    return header, rows


def _listed(items: Sequence[str]) -> str:
    shown = "、".join(items[:MAX_LISTED])
    return shown + (f" 等共 {len(items)} 个" if len(items) > MAX_LISTED else "")


def markdown_report(run: EvalRun, deltas: Optional[Sequence[Delta]] = None) -> str:
    out = ["# 起草质量评估报告", ""]
    out += ["## 总览", "", markdown_table(*_case_table(run)), ""]
    if len(run.backends) > 1:
        out += ["## 按起草方式汇总", "", markdown_table(*_summary_table(run)), ""]
    if deltas is not None:
        out += ["## 与基线比较", ""]
        lines = _delta_lines(deltas)
        out += [lines[0], ""]
        if len(lines) > 1:
            out += [markdown_table(*_delta_table(deltas)), ""]
    out += ["## 核验门槛", "", *_gate_lines(run), ""]
    for result in run.results:
        out += [f"## {result.case_id}（{result.backend}）", ""]
        if result.error:
            out += [f"起草失败：{result.error}", ""]
            continue
        out += [markdown_table(*_section_table(run, result.case_id, result.backend)), ""]
        if result.missing_figures:
            out += [f"草稿缺少的参考数字：{_listed(result.missing_figures)}", ""]
        if result.unsourced_figures:
            out += [f"找不到来源的草稿数字：{_listed(result.unsourced_figures)}", ""]
        if result.section_errors:
            out += ["起草失败的章节：", *(f"- {e}" for e in result.section_errors), ""]
    out += ["## 指标说明", "", *METRIC_NOTES, ""]
    return "\n".join(out)


METRIC_NOTES = (
    "- 章节覆盖率：参考报告的标题在草稿中找到对应章节的比例（去掉一、（一）1.（1）编号和标点后模糊匹配）。",
    "- 数字召回率：参考报告中的数字（仅统计被识别为数字的，不含日期、文号、序号）在草稿中以相同数值和单位出现的比例。",
    "- 预算章节数字召回率：只统计预算类章节（部门预算、决算、“三公”经费、政府采购、资产管理等），按对应章节比对。",
    "- 数字精确率：草稿中的数字能在参考报告、台账（按草稿的小数位取舍）或用户工作记录中找到的比例。",
    "- 无来源、张冠李戴、与台账矛盾：数字核验器的结论，必须为 0。",
    "- 字符 ROUGE-L：按字的最长公共子序列计算的 F1；chrF：字符 n 元组 F 值（sacrebleu，word_order=0）；篇幅比：草稿字数 ÷ 参考字数。",
)


# --- HTML and SVG --------------------------------------------------------------------------------


def svg_bar_chart(
    title: str,
    groups: Sequence[str],
    series: Sequence[str],
    values: dict[tuple[str, str], Optional[float]],
    max_value: float = 1.0,
) -> str:
    """A grouped vertical bar chart: one group per metric, one bar per series (backend). Values are
    0..max_value; a missing value leaves a gap and is labelled "—"."""
    bar, gap, left, top, plot_h = 22, 18, 48, 56, 200
    group_w = max(1, len(series)) * bar + gap
    width = left + len(groups) * group_w + 20
    height = top + plot_h + 70
    e = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{e(title)}" font-family="sans-serif" font-size="12">',
        f'<text x="{left}" y="18" font-size="14" font-weight="bold">{e(title)}</text>',
    ]
    for k, name in enumerate(series):
        x = left + k * 110
        parts.append(f'<rect x="{x}" y="28" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 16}" y="39">{e(name)}</text>')
    for tick in range(5):
        frac = tick / 4
        y = top + plot_h - frac * plot_h
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{frac * max_value:.2f}</text>')
    for g, group in enumerate(groups):
        gx = left + g * group_w + gap / 2
        for k, name in enumerate(series):
            value = values.get((group, name))
            x = gx + k * bar
            if value is None:
                parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h - 4}" text-anchor="middle">—</text>')
                continue
            h = max(0.0, min(value, max_value)) / max_value * plot_h
            y = top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 3}" height="{h:.1f}" fill="{PALETTE[k % len(PALETTE)]}">'
                f"<title>{e(group)} · {e(name)}：{value:.4f}</title></rect>"
            )
            parts.append(f'<text x="{x + (bar - 3) / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="9">{value:.2f}</text>')
        parts.append(
            f'<text x="{gx + len(series) * bar / 2:.1f}" y="{top + plot_h + 16}" text-anchor="end" '
            f'transform="rotate(-30 {gx + len(series) * bar / 2:.1f} {top + plot_h + 16})">{e(group)}</text>'
        )
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 20}" y2="{top + plot_h}" stroke="#333"/>')
    parts.append("</svg>")
    return "".join(parts)


CHART_METRICS = tuple(metric for metric in METRICS if metric.chart)


def charts(run: EvalRun) -> list[str]:
    """The mean over all cases, then one chart per case."""
    groups = [metric.label for metric in CHART_METRICS]
    series = list(run.backends)
    svgs = []
    summary = {(metric.label, row["backend"]): row.get(metric.key) for row in run.summary_rows() for metric in CHART_METRICS}
    svgs.append(svg_bar_chart("全部用例平均", groups, series, summary))
    for case in dict.fromkeys(r.case_id for r in run.results):
        values = {
            (metric.label, r.backend): r.metrics.get(metric.key)
            for r in run.results
            if r.case_id == case
            for metric in CHART_METRICS
        }
        svgs.append(svg_bar_chart(case, groups, series, values))
    return svgs


def _html_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_STYLE = (
    "body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}"
    "th,td{border:1px solid #ccc;padding:4px 8px;font-size:13px;text-align:left}th{background:#f3f3f3}"
    ".fail{color:#b5473a;font-weight:bold}.ok{color:#3a9a5b;font-weight:bold}svg{margin:8px 16px 16px 0}"
)


def html_report(run: EvalRun, deltas: Optional[Sequence[Delta]] = None) -> str:
    e = html.escape
    out = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>起草质量评估报告</title>',
        f"<style>{_STYLE}</style></head><body>",
        "<h1>起草质量评估报告</h1>",
        "<h2>总览</h2>",
        _html_table(*_case_table(run)),
        "<div>" + "".join(charts(run)) + "</div>",
    ]
    if len(run.backends) > 1:
        out += ["<h2>按起草方式汇总</h2>", _html_table(*_summary_table(run))]
    if deltas is not None:
        lines = _delta_lines(deltas)
        out += ["<h2>与基线比较</h2>", f"<p>{e(lines[0])}</p>"]
        if len(lines) > 1:
            out.append(_html_table(*_delta_table(deltas)))
    gate = _gate_lines(run)
    css = "ok" if run.gate_ok else "fail"
    out += ["<h2>核验门槛</h2>", f'<p class="{css}">{e(gate[0])}</p>']
    if len(gate) > 1:
        out.append("<ul>" + "".join(f"<li>{e(line.strip(' -'))}</li>" for line in gate[1:]) + "</ul>")
    for result in run.results:
        out.append(f"<h2>{e(result.case_id)}（{e(result.backend)}）</h2>")
        if result.error:
            out.append(f'<p class="fail">起草失败：{e(result.error)}</p>')
            continue
        out.append(_html_table(*_section_table(run, result.case_id, result.backend)))
        if result.missing_figures:
            out.append(f"<p>草稿缺少的参考数字：{e(_listed(result.missing_figures))}</p>")
        if result.unsourced_figures:
            out.append(f"<p>找不到来源的草稿数字：{e(_listed(result.unsourced_figures))}</p>")
        if result.section_errors:
            out.append("<p>起草失败的章节：</p><ul>" + "".join(f"<li>{e(x)}</li>" for x in result.section_errors) + "</ul>")
    out += ["<h2>指标说明</h2>", "<ul>" + "".join(f"<li>{e(n[2:])}</li>" for n in METRIC_NOTES) + "</ul>", "</body></html>"]
    return "\n".join(out)


def write_reports(run: EvalRun, out_dir: str | Path, deltas: Optional[Sequence[Delta]] = None) -> dict[str, Path]:
    """report.md, report.html, results.json and each draft as drafts/<case>.<backend>.md."""
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": out / "report.md", "html": out / "report.html", "json": out / "results.json"}
    paths["markdown"].write_text(markdown_report(run, deltas), encoding="utf-8")
    paths["html"].write_text(html_report(run, deltas), encoding="utf-8")
    data = run.to_dict()
    if deltas is not None:
        data["deltas"] = [
            {"case": d.case, "backend": d.backend, "metric": d.metric, "before": d.before, "after": d.after, "verdict": d.verdict}
            for d in deltas
        ]
    paths["json"].write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    drafts = out / "drafts"
    drafts.mkdir(exist_ok=True)
    for result in run.results:
        if result.draft_markdown:
            (drafts / f"{result.case_id}.{result.backend}.md").write_text(result.draft_markdown, encoding="utf-8")
    return paths
