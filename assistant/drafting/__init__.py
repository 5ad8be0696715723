"""Drafting stage: outlines (data), the template drafter, the LLM drafter, and the report pipeline."""

from assistant.drafting.pipeline import DraftJob, adraft_report, draft_report, make_drafter

__all__ = ["DraftJob", "adraft_report", "draft_report", "make_drafter"]
