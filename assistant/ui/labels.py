"""What the app shows for things that have developer names: outlines and evaluation cases by their
Chinese titles, drafting backends in words, and model failures in a finance officer's words (with
what to do) — never an environment-variable name, an exception class or an HTTP status alone."""

from __future__ import annotations

import re
from functools import lru_cache

BACKEND_NAMES = {"offline": "离线模板", "llm": "大模型"}

# The setting each environment variable stands for, as the 设置 tab names it.
SETTING_NAMES = {
    "OPENAI_BASE_URL": "模型地址",
    "OPENAI_API_KEY": "API 密钥",
    "ASSISTANT_MODEL": "模型名称",
    "ASSISTANT_TEMPERATURE": "温度",
    "ASSISTANT_TIMEOUT": "超时时间",
}
_ENV_NAME = re.compile(r"\b(?:OPENAI|ASSISTANT|CHROMA)_[A-Z_]+\b")
_SET_ENV = re.compile(r"请设置\s*[A-Z_]+(?:（以及\s*[A-Z_、\s]+）)?")
_CHECK_ENV = re.compile(r"请检查\s*([A-Z_]+)")
_EXCEPTION = re.compile(r"[（(][A-Za-z_.]*(?:Error|Exception|Timeout)[A-Za-z]*:\s*[^）)]*[）)]")


@lru_cache(maxsize=16)
def _outline_file_title(name: str) -> str:
    """The first comment line of the outline file: its Chinese description (县级部门整体支出…提纲)."""
    from assistant.drafting.outline import OUTLINES_DIR

    path = OUTLINES_DIR / f"{name}.yaml"
    try:
        first = path.read_text(encoding="utf-8").lstrip().splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        return ""
    return first.lstrip("#").strip().rstrip("。") if first.startswith("#") else ""


def outline_name(name: str) -> str:
    """An outline by its Chinese title (the name of a custom outline file when it has none)."""
    title = _outline_file_title(name)
    if title and re.search(r"[\u4e00-\u9fff]", title):
        return title
    try:
        from assistant.drafting.outline import load_outline

        return load_outline(name).title.format(year="××××", unit_name="（单位）")
    except Exception:  # a broken outline file still shows by its file name
        return name


@lru_cache(maxsize=64)
def case_name(case_id: str) -> str:
    """An evaluation case as “单位 年度”, from its case.yaml."""
    try:
        from assistant.evaluation.cases import load_case

        info = load_case(case_id).info
        return f"{info.unit} {info.year}年度"
    except Exception:  # an unreadable case is shown by its folder name; the run then names the problem
        return case_id


def settings_words(text: str) -> str:
    """A message with environment-variable names replaced by the 设置 fields they stand for."""
    if not text:
        return text
    text = _SET_ENV.sub("请在“设置”页填写模型地址和模型名称", text)
    text = _CHECK_ENV.sub(lambda m: f"请检查“设置”页的{SETTING_NAMES.get(m.group(1), '模型设置')}", text)
    text = _ENV_NAME.sub(lambda m: f"“设置”页的{SETTING_NAMES.get(m.group(0), '模型设置')}", text)
    return _EXCEPTION.sub("", text)


# (what the reason says, what the user reads, what to do)
_KINDS = (
    (("超时",), "模型服务在限定时间内没有回答", "请稍后重试；如经常超时，请在“设置”页检查模型地址，或改用离线模板起草。"),
    (("无法连接", "不可用", "连接"), "连接不上模型服务", "请在“设置”页检查模型地址是否正确、模型服务是否已启动，然后重试；也可以直接使用已换上的模板文本。"),
    (("密钥",), "模型服务拒绝了 API 密钥", "请在“设置”页重新填写 API 密钥后重试。"),
    (("找不到模型",), "模型服务上没有这个模型", "请在“设置”页检查模型名称后重试。"),
    (("繁忙", "429"), "模型服务繁忙", "请稍等片刻后重试。"),
    (("未配置模型",), "还没有配置模型", "请在“设置”页填写模型地址和模型名称。"),
    (("未通过数字核验", "未通过核验", "核验未通过"), "模型写的数字未能通过核验（模型不得自行书写数字）", "已改用模板文本，其中的数字全部来自计算台账；可以重新生成本节再试一次，或直接采用模板文本。"),
    (("过长", "过短"), "模型的稿子篇幅不合适（与本节应有的篇幅相差太多）", "已改用模板文本；可以重新生成本节再试，或在“设置”页换一个模型。"),
    (("空内容", "没有正文", "没有正常结束", "格式错误", "上下文长度"), "模型没有给出可用的回答", "请重试；如仍不行，请在“设置”页换一个模型，或使用模板文本。"),
)


def model_failure(reason: str) -> tuple[str, str]:
    """(what went wrong, what to do) for a fallback or failure reason, in the user's words."""
    first = settings_words((reason or "").strip().splitlines()[0] if reason and reason.strip() else "")
    for cues, what, todo in _KINDS:
        if any(cue in (reason or "") for cue in cues):
            return what, todo
    if len(first) > 60:
        first = first[:60] + "…"
    return first or "模型起草未成功", "请在“设置”页检查模型设置后重试，或使用已换上的模板文本。"


def short_reason(reason: str) -> str:
    """One line for a table cell: the reason's first line, in settings words."""
    return settings_words((reason or "").strip().splitlines()[0]) if reason and reason.strip() else ""
