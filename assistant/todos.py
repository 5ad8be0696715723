"""To-do markers: the visible gaps a draft leaves for the user to fill (【待补：原因】).

The drafter writes one where a sentence needs a reason the user has not given (在职人员超编, a 三公 item
over budget, an indicator unmet …): it never makes a reason up. The marker holds no figure, so the
number verifier never mistakes it for one; the verifier, the pipeline and the app list it as a to-do.
"""

from __future__ import annotations

import re

TODO_PREFIX = "待补"
TODO_REASON = "【待补：原因】"
TODO_RE = re.compile(r"【待补[:：]?[^【】\n]{0,30}】")


def todo_markers(text: str) -> list[str]:
    """Every to-do marker in a text, in order."""
    return [m.group(0) for m in TODO_RE.finditer(text or "")]


def is_todo(bracketed: str) -> bool:
    return bool(TODO_RE.fullmatch(bracketed))
