"""Number verifier: find every figure in Chinese text and trace it to the ledger or the user's notes.

    from assistant.verify import verify, extract_figures
    report = verify(text, ledger, notes)      # VerificationReport
    report.ok, report.counts, report.findings, report.to_dict(), report.render_text()

See extraction.py (finding numerals), classify.py (figure or not), sources.py (ledger and note
indexes) and tracing.py (supported / misattributed / contradicted / unsupported).
"""

from assistant.verify.extraction import extract_figures, extract_mentions
from assistant.verify.model import Figure
from assistant.verify.report import (
    CONTRADICTED,
    MISATTRIBUTED,
    STATUSES,
    SUPPORTED,
    UNSUPPORTED,
    Finding,
    Source,
    VerificationReport,
)
from assistant.verify.tracing import Verifier, verifier_for, verify

__all__ = [
    "CONTRADICTED",
    "MISATTRIBUTED",
    "STATUSES",
    "SUPPORTED",
    "UNSUPPORTED",
    "Figure",
    "Finding",
    "Source",
    "VerificationReport",
    "Verifier",
    "extract_figures",
    "extract_mentions",
    "verifier_for",
    "verify",
]
