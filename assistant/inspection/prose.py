"""Relations stated in sentences: a total and its parts (其中), shares (占…P%), differences
(较…增加/减少D，增长R%), rates (执行率R% with its 执行数 and 预算数) and worked formulas ((a−b)÷b=R%).

Each relation is read only when the sentence says unambiguously which figure plays which part; when
it does not (nested 其中, no comparison base, two candidate denominators) the relation is listed as
unchecked. Parts are compared in the same unit (万元, or the same count unit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from assistant.inspection import tolerance
from assistant.inspection.checker import Checker
from assistant.inspection.document import MONEY, PERCENT, Document, Sentence
from assistant.inspection.model import Value

HUNDRED = tolerance.HUNDRED
_CLAUSE_MARKS = "，,、；;：:"
_CHANGE_WORDS = ("较", "比上年", "比年初", "比预算", "比去年", "增加", "减少", "增长", "下降", "增减", "同比", "节约", "超支", "减幅", "增幅")
_UP = ("增加", "增长", "超支", "上升", "提高", "多")
_DOWN = ("减少", "下降", "节约", "降低", "少")
CHANGE_RE = re.compile(r"(增加|减少|增长|下降|上升|降低|提高|节约|超支)了?")
BASE_RE = re.compile(r"较|比|与")
FROM_TO_RE = re.compile(r"由[^，,。；;]{0,24}?(?P<to>(?:增加|减少|增长|下降|上升|降低|提高)(?:到|至))")
RATE_LABEL_RE = re.compile(r"(执行率|到位率|支付进度|使用率|完成率)")
NUMERATOR_WORDS = ("执行", "支出", "拨付", "使用", "实际", "到位", "支付", "完成")
DENOMINATOR_WORDS = ("预算", "总额", "安排", "下达", "计划", "批复")


@dataclass
class PartsRelation:
    total: Value
    parts: list[Value]
    exhaustive: bool = False  # the parts add up to the total
    shares: dict[int, Value] = field(default_factory=dict)  # part offset → its printed share


# A “sentence” with more figures than this is a table or a run-together copy, not prose: reading
# it clause by clause would be guessing (and quadratic), so it is left to the table rules.
MAX_SENTENCE_VALUES = 200


def check_prose(doc: Document, ck: Checker) -> None:
    previous: Sentence | None = None
    for sentence in doc.sentences:
        if len(sentence.values) > MAX_SENTENCE_VALUES:
            ck.unchecked("parts_sum", doc.place(sentence.start), f"此段连续{len(sentence.values)}个数字而无句读，不按句子核对。")
            previous = None
            continue
        if sentence.values:
            relations = _parts(doc, ck, sentence, previous)
            _shares(doc, ck, sentence, relations)
            _differences(doc, ck, sentence)
            _rates(doc, ck, sentence)
            previous = sentence
    _expressions(doc, ck)


# ---------------------------------------------------------------- helpers


def _depths(text: str) -> list[int]:
    """Bracket depth before each character of `text`."""
    depth, out = 0, []
    for ch in text:
        if ch in "）)":
            depth = max(depth - 1, 0)
        out.append(depth)
        if ch in "（(":
            depth += 1
    return out


def _same_group(depths: list[int], a: int, b: int, depth: int) -> bool:
    """Both positions inside the same bracket (or both outside any): no shallower depth between."""
    lo, hi = min(a, b), max(a, b)
    return all(d >= depth for d in depths[lo:hi])


def _clause_before(doc: Document, offset: int, floor: int) -> str:
    """Text from the last clause mark before `offset` (not before floor) up to `offset`."""
    chunk = doc.text[floor:offset]
    cut = max((chunk.rfind(m) for m in _CLAUSE_MARKS), default=-1)
    return chunk[cut + 1 :]


def _is_change(doc: Document, value: Value, floor: int) -> bool:
    clause = _clause_before(doc, value.offset, floor)
    return any(word in clause for word in _CHANGE_WORDS) or "占" in clause


def _amount(v: Value) -> str:
    """A printed figure with its unit, money in 万元 (“24.86万元”, “3人”)."""
    return _fmt(v.value, v.unit)


def _agrees(current: Value, base: Value, change: Value, up: bool) -> bool:
    actual = current.value - base.value
    return (actual == 0 or (actual > 0) == up) and tolerance.compare(change.value, abs(actual), change.places) == tolerance.CONSISTENT


def _name(v: Value) -> str:
    """The figure's label for a message; a connective left over from a list (和, 及) is no name."""
    label = v.label.strip("和及与、 ")
    return label if len(label) >= 2 else f"“{v.text}”"


def _minus(a: Decimal, b: Decimal) -> str:
    """“larger − smaller”, the way a difference is worked out by hand."""
    high, low = (a, b) if a >= b else (b, a)
    return f"{tolerance.plain(high)}−{tolerance.plain(low)}"


def _fmt(value: Decimal, unit: str) -> str:
    return f"{tolerance.plain(value)}{'万元' if unit == MONEY else unit}"


# ---------------------------------------------------------------- total and parts


def _parts(doc: Document, ck: Checker, sentence: Sentence, previous: Sentence | None) -> list[PartsRelation]:
    text = doc.text[sentence.start : sentence.end]
    depths = _depths(text)
    relations: list[PartsRelation] = []
    marks = [m.start() for m in re.finditer("其中", text)]
    for index, local in enumerate(marks):
        depth = depths[local]
        # The parts run to the end of the bracket (or sentence) the 其中 stands in.
        stop = len(text)
        for j in range(local, len(text)):
            if depths[j] < depth or (text[j] in "）)" and depths[j] == depth and depth > 0):
                stop = j
                break
        absolute = sentence.start + local
        place = doc.place(sentence.start, sentence.end)
        before = [v for v in sentence.values if v.offset < absolute and v.unit != PERCENT]
        if not before and previous is not None and previous.closer in "。！？!?" and previous.closer and not text[:local].strip(" ：:\t"):
            # “…共10个。其中：行政单位3个，事业单位7个。”
            before = [v for v in previous.values if v.unit != PERCENT]
        if not before or before[-1].unit == "":
            continue  # bare numbers are table cells: the table rules read them by column
        total = before[-1]
        gap = doc.text[total.offset + len(total.text) : absolute]
        if re.search(r"[0-9]", gap) or len(gap) > 16:
            continue  # the figure before is not what 其中 breaks down
        # Another 其中 at the same depth: with a “；” between, the first list ends there (编制6人，其中
        # 行政4人、事业2人；在职6人，其中…); with commas only, which parts belong to which is unclear.
        later = [m for m in marks if m > local and depths[m] == depth and _same_group(depths, local, m, depth)]
        earlier = [m for m in marks if m < local and depths[m] == depth and _same_group(depths, m, local, depth)]
        if earlier and "；" not in text[earlier[-1] : local] and ";" not in text[earlier[-1] : local]:
            ck.unchecked("parts_sum", place, "“其中”套“其中”，分项层级无法确定，未核对。")
            continue
        if later:
            semicolon = max(text.rfind("；", local, later[0]), text.rfind(";", local, later[0]))
            if semicolon < 0:
                ck.unchecked("parts_sum", place, "“其中”套“其中”，分项层级无法确定，未核对。")
                continue
            stop = min(stop, semicolon)
        segments: list[list[Value]] = [[]]
        previous_end = absolute
        for v in sentence.values:
            if not absolute < v.offset < sentence.start + stop or depths[v.offset - sentence.start] != depth:
                continue
            between = doc.text[previous_end : v.offset]
            if v.unit == PERCENT:
                if "占" not in between:
                    break  # a rate clause (…执行率95.47%) ends the list
                previous_end = v.offset + len(v.text)
                continue
            if "；" in between or ";" in between:
                segments.append([])
            previous_end = v.offset + len(v.text)
            if v.unit == total.unit and not _is_change(doc, v, sentence.start):
                segments[-1].append(v)
        parts = _choose_parts(total, [seg for seg in segments if seg])
        if not parts:
            continue
        relation = PartsRelation(total, parts)
        relations.append(relation)
        _check_parts(ck, place, relation)
    return relations


def _choose_parts(total: Value, segments: list[list[Value]]) -> list[Value]:
    """The parts of a list whose items may run on past a “；”: the first run of segments that adds up
    to the total, else the run closest to it (a slip is then reported, a large gap left unchecked)."""
    best: list[Value] = []
    best_gap = None
    parts: list[Value] = []
    for segment in segments:
        parts = parts + segment
        computed = sum((p.value for p in parts), Decimal(0))
        if tolerance.compare(total.value, computed, total.places) == tolerance.CONSISTENT:
            return parts
        gap = abs(total.value - computed)
        if best_gap is None or gap < best_gap:
            best, best_gap = parts, gap
    return best


def _check_parts(ck: Checker, place, relation: PartsRelation) -> None:
    total, parts = relation.total, relation.parts
    computed = sum((p.value for p in parts), Decimal(0))
    listed = "＋".join(tolerance.plain(p.value) for p in parts)
    label = total.label or "总额"
    if total.value == 0 and computed != 0:
        ck.checked("zero_total", place)
        ck.error(
            "zero_total", place, _amount(total), _fmt(computed, total.unit),
            f"{label}写为0，而其中各项为{listed}＝{_fmt(computed, total.unit)}。",
        )
        return
    if len(parts) == 1:
        ck.checked("part_exceeds", place)
        part = parts[0]
        if part.value > total.value:
            ck.error(
                "part_exceeds", place, _amount(part), _amount(total),
                f"其中“{part.label or '分项'}”{_amount(part)}大于{label}{_amount(total)}。",
            )
        return
    if tolerance.compare(total.value, computed, total.places) == tolerance.CONSISTENT:
        ck.checked("parts_sum", place)
        relation.exhaustive = True
        return
    gap = total.value - computed
    if gap > 0 and not tolerance.is_slip(gap, total.value, total.places):
        ck.unchecked(
            "parts_sum", place,
            f"分项{listed}＝{_fmt(computed, total.unit)}比{label}{_amount(total)}少得多，可能只列了部分分项，未作判断。",
        )
        return
    ck.checked("parts_sum", place)
    ck.error(
        "parts_sum", place, _amount(total), _fmt(computed, total.unit),
        f"{label}写为{_amount(total)}，其中各项{listed}＝{_fmt(computed, total.unit)}，相差{_fmt(abs(gap), total.unit)}。",
    )


# ---------------------------------------------------------------- shares


def _shares(doc: Document, ck: Checker, sentence: Sentence, relations: list[PartsRelation]) -> None:
    values = list(sentence.values)
    part_of = {p.offset: r for r in relations for p in r.parts}
    place = doc.place(sentence.start, sentence.end)
    for i, v in enumerate(values):
        if v.unit != PERCENT or i == 0 or values[i - 1].unit == PERCENT:
            continue
        prev = values[i - 1]
        tail = doc.text[prev.offset + len(prev.text) : v.offset]
        if RATE_LABEL_RE.search(tail) or any(word in tail for word in _CHANGE_WORDS if word != "占"):
            continue  # 执行率…, or 占比较上年提高…: not a share of this figure
        pairs: list[tuple[Value, Value]] = []
        whole: Value | None = None
        if "占" not in tail and i >= 2 and values[i - 2].unit == prev.unit and len(tail) <= 8:
            # The whole written inside the phrase: 136人，占编制数143人的比率为95.10%.
            first = values[i - 2]
            if "占" not in doc.text[first.offset + len(first.text) : prev.offset]:
                continue
            pairs, whole = [(first, v)], prev
        elif "占" in tail and "分别" in tail:
            # A分别为a和b，分别占p和q: the k-th share belongs to the k-th figure.
            shares = [v]
            while i + len(shares) < len(values) and values[i + len(shares)].unit == PERCENT:
                shares.append(values[i + len(shares)])
            amounts = [prev]
            while i - len(amounts) - 1 >= 0 and values[i - len(amounts) - 1].unit == prev.unit:
                amounts.insert(0, values[i - len(amounts) - 1])
            amounts = amounts[-len(shares) :] if len(amounts) >= len(shares) else []
            if len(amounts) != len(shares):
                ck.unchecked("share", place, f"“分别占”的占比与金额个数对不上，未核对。")
                continue
            pairs = list(zip(amounts, shares))
        elif "占" in tail:
            pairs = [(prev, v)]
        else:
            continue
        named = _whole_label(tail[tail.rindex("占") + 1 :]) if "占" in tail else ""
        for part, share in pairs:
            target = whole
            relation = part_of.get(part.offset)
            if relation is not None and named and not _names_total(named, relation.total):
                relation = None  # 其中人员经费80万元，占总支出的40%: the share is of another total
            if target is None and relation is not None:
                # The 其中 total, else the one figure the report gives under the label after 占.
                target = relation.total
                relation.shares[part.offset] = share
            elif target is None and named:
                target = _lookup(doc, named, part)
            if target is None:
                ck.unchecked("share", place, f"占比{share.text}的总额“{named or '（未写明）'}”在报告中找不到唯一的数值，未核对。")
                continue
            if target.value == 0:
                ck.unchecked("share", place, f"占比{share.text}的总额为0，不能计算占比。")
                continue
            ck.compare_printed(
                "share", place, share.value, share.places, part.value / target.value * HUNDRED,
                f"{_name(part)}占比", f"{tolerance.plain(part.value)}÷{tolerance.plain(target.value)}", "%",
            )
    for relation in relations:
        if relation.exhaustive and len(relation.shares) == len(relation.parts) >= 2:
            shares = list(relation.shares.values())
            total = sum((s.value for s in shares), Decimal(0))
            places = max(s.places for s in shares)
            # Each share is rounded on its own, so their sum may miss 100 by half a unit per share.
            ck.checked("shares_sum", place)
            if abs(total - HUNDRED) > tolerance.half_unit(places) * len(shares):
                listed = "＋".join(s.text for s in shares)
                ck.error("shares_sum", place, f"{tolerance.plain(total)}%", "100%", f"各分项占比{listed}＝{tolerance.plain(total)}%，应为100%。")


_GENERIC_WHOLES = ("总额", "合计", "总数", "总量", "全部", "总")


def _names_total(named: str, total: Value) -> bool:
    """Does “占{named}的” refer to this total (its label, or a word for “the total”)?"""
    label = re.sub(r"^(?:(?:19|20)\d\d年度?|本年度?|全年)", "", total.label)
    return named in _GENERIC_WHOLES or (bool(label) and (label.endswith(named) or named.endswith(label)))


def _whole_label(text: str) -> str:
    text = text.strip()
    if text.startswith(("比", "比重", "比例")):
        return ""  # 占比为…: no whole named
    for end in ("的比重", "的比例", "的比率", "的", "比重", "比例"):
        if end in text:
            text = text[: text.index(end)]
            break
    return text.strip(" ，,：:")


def _lookup(doc: Document, label: str, part: Value) -> Value | None:
    """The one value the report gives under `label` (exact label, or the label ending with it)."""
    if len(label) < 2:
        return None
    found = {v.value: v for v in doc.values_labelled(label) if v.unit == part.unit and v.offset != part.offset}
    return next(iter(found.values())) if len(found) == 1 else None


# ---------------------------------------------------------------- differences


def _differences(doc: Document, ck: Checker, sentence: Sentence) -> None:
    values = list(sentence.values)
    place = doc.place(sentence.start, sentence.end)
    for m in CHANGE_RE.finditer(doc.text, sentence.start, sentence.end):
        if doc.text.startswith(("到", "至", "为"), m.end()):
            continue  # 由B减少到A: what follows is the new figure, not the difference
        after = [v for v in values if v.offset >= m.end()]
        if not after or after[0].offset - m.end() > 2:
            continue
        change = after[0]
        up = m.group(1) in _UP
        before = [v for v in values if v.offset < m.start()]
        if change.unit == PERCENT:
            continue  # a rate without an amount: read with the amount below, when there is one
        rate = None
        if len(after) > 1 and after[1].unit == PERCENT:
            link = doc.text[change.offset + len(change.text) : after[1].offset]
            if len(link) <= 6 and CHANGE_RE.search(link):
                rate = after[1]
        # 由B增加到A / 较(上年)B增加D: find the base and the current figure.
        base = current = None
        clause_start = max(doc.text.rfind(c, sentence.start, m.start()) for c in "。；;") + 1
        clause_start = max(clause_start, sentence.start)
        moved = FROM_TO_RE.search(doc.text, clause_start, m.start())
        anchors = list(BASE_RE.finditer(doc.text, clause_start, m.start()))
        if moved:
            # 由B万元减少到A万元，减少D万元
            base_v = [v for v in before if moved.start() <= v.offset < moved.start("to") and v.unit == change.unit]
            current_v = [v for v in before if v.offset >= moved.end("to") and v.unit == change.unit]
            if len(base_v) == 1 and len(current_v) == 1:
                base, current = base_v[0], current_v[0]
        elif anchors:
            anchor = anchors[-1]
            bases = [v for v in before if v.offset > anchor.end() - 1 and v.unit == change.unit]
            currents = [v for v in before if v.offset < anchor.start() and v.offset >= clause_start and v.unit == change.unit]
            if len(bases) == 1 and currents:
                base, current = bases[0], currents[-1]
                # “支出90万元，其中…项目支出40万元，较上年86.5万元增加3.5万元”: the change may be of
                # the sentence's first figure rather than the nearest; take the reading that agrees.
                if currents[0] is not current and _agrees(currents[0], base, change, up) and not _agrees(current, base, change, up):
                    current = currents[0]
        if base is None:
            ck.unchecked("difference", place, f"增减额{change.text}没有写明比较的两个数，未核对。")
            continue
        actual = current.value - base.value
        ck.checked("difference", place)
        direction_ok = actual == 0 or (actual > 0) == up
        if not direction_ok:
            ck.error(
                "difference", place, f"{m.group(1)}{_amount(change)}", _fmt(actual, change.unit),
                f"{_amount(current)}与{_amount(base)}相比应为{'增加' if actual > 0 else '减少'}{_fmt(abs(actual), change.unit)}，文中写“{m.group(1)}{_amount(change)}”。",
            )
            continue
        if tolerance.compare(change.value, abs(actual), change.places) != tolerance.CONSISTENT:
            ck.error(
                "difference", place, _amount(change), _fmt(abs(actual), change.unit),
                f"增减额写为{_amount(change)}，按{_minus(current.value, base.value)}计算应为{_fmt(abs(actual), change.unit)}。",
            )
        if rate is None:
            continue
        if base.value == 0:
            ck.unchecked("change_rate", place, f"比较数为0，增减率{rate.text}无法计算。")
            continue
        true_rate = abs(actual) / base.value * HUNDRED
        verdict = tolerance.compare(rate.value, true_rate, rate.places)
        ck.checked("change_rate", place)
        if verdict == tolerance.CONSISTENT:
            continue
        from_stated = change.value / base.value * HUNDRED
        should = f"{tolerance.shown(true_rate, rate.places)}%"
        if tolerance.compare(rate.value, from_stated, rate.places) == tolerance.CONSISTENT and change.value != abs(actual):
            ck.error(
                "change_rate", place, rate.text, should,
                f"增减率{rate.text}是按写错的增减额{_amount(change)}算的；按实际增减额{_fmt(abs(actual), change.unit)}÷{tolerance.plain(base.value)}应为{should}。",
            )
        elif verdict == tolerance.TRUNCATED:
            ck.warning("change_rate", place, rate.text, should, f"增减率写为{rate.text}，按四舍五入应为{should}（疑为直接截位）。")
        else:
            ck.error("change_rate", place, rate.text, should, f"增减率写为{rate.text}，按{_fmt(abs(actual), change.unit)}÷{tolerance.plain(base.value)}计算应为{should}。")


# ---------------------------------------------------------------- rates


def _rates(doc: Document, ck: Checker, sentence: Sentence) -> None:
    values = list(sentence.values)
    place = doc.place(sentence.start, sentence.end)
    for i, v in enumerate(values):
        if v.unit != PERCENT:
            continue
        floor = values[i - 1].offset + len(values[i - 1].text) if i else sentence.start
        label = RATE_LABEL_RE.search(doc.text, floor, v.offset)
        if not label or "占" in doc.text[floor : v.offset]:
            continue
        last_percent = max((k for k in range(i) if values[k].unit == PERCENT), default=-1)
        amounts = [u for u in values[last_percent + 1 : i] if u.unit == MONEY]
        numerators = [u for u in amounts if any(w in u.label for w in NUMERATOR_WORDS)]
        denominators = [u for u in amounts if u not in numerators and any(w in u.label for w in DENOMINATOR_WORDS)]
        if len(numerators) != 1 or len(denominators) != 1:
            if amounts:
                ck.unchecked("rate", place, f"{label.group(1)}{v.text}的执行数和预算数无法唯一确定，未核对。")
            continue
        num, den = numerators[0], denominators[0]
        if den.value == 0:
            ck.unchecked("rate", place, f"预算数为0，{label.group(1)}{v.text}无法计算。")
            continue
        ck.compare_printed(
            "rate", place, v.value, v.places, num.value / den.value * HUNDRED,
            label.group(1), f"{num.label}{tolerance.plain(num.value)}÷{den.label}{tolerance.plain(den.value)}", "%",
        )


# ---------------------------------------------------------------- worked formulas

_NUM = r"\d+(?:\.\d+)?"
EXPRESSION_RE = re.compile(
    # Brackets bounded ({0,3}): an unbounded run would make a line of “（（（…” quadratic.
    rf"(?<![\d.])((?:[(（]\s?){{0,3}}{_NUM}(?:\s?[)）]){{0,3}}(?:\s*[-+×÷*/－＋]\s*(?:[(（]\s?){{0,3}}{_NUM}(?:\s?[)）]){{0,3}}){{1,20}})\s*[=＝]\s*({_NUM})(%?)"
)


def _expressions(doc: Document, ck: Checker) -> None:
    for m in EXPRESSION_RE.finditer(doc.text):
        place = doc.place(m.start(), m.end())
        value = _evaluate(m.group(1))
        stated = Decimal(m.group(2))
        places = len(m.group(2).split(".", 1)[1]) if "." in m.group(2) else 0
        if value is None:
            ck.unchecked("expression", place, "算式无法计算（除数为0或括号不匹配），未核对。")
            continue
        if m.group(3):
            value *= HUNDRED
        ck.compare_printed("expression", place, stated, places, value, "算式结果", m.group(1).strip(), m.group(3))


def _evaluate(expression: str) -> Decimal | None:
    """+ − × ÷ and brackets over Decimal, by recursive descent (no eval)."""
    tokens = re.findall(rf"{_NUM}|[-+×÷*/()－＋（）]", expression)
    tokens = [{"（": "(", "）": ")", "－": "-", "＋": "+", "×": "*", "÷": "/"}.get(t, t) for t in tokens]
    pos = 0

    def atom() -> Decimal:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError
        token = tokens[pos]
        pos += 1
        if token == "(":
            value = expr()
            if pos >= len(tokens) or tokens[pos] != ")":
                raise ValueError
            pos += 1
            return value
        if token == "-":
            return -atom()
        return Decimal(token)

    def term() -> Decimal:
        nonlocal pos
        value = atom()
        while pos < len(tokens) and tokens[pos] in "*/":
            op = tokens[pos]
            pos += 1
            right = atom()
            value = value * right if op == "*" else value / right
        return value

    def expr() -> Decimal:
        nonlocal pos
        value = term()
        while pos < len(tokens) and tokens[pos] in "+-":
            op = tokens[pos]
            pos += 1
            right = term()
            value = value + right if op == "+" else value - right
        return value

    try:
        value = expr()
    except (ValueError, ZeroDivisionError, InvalidOperation, ArithmeticError):
        return None
    return value if pos == len(tokens) else None
