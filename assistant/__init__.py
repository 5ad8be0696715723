"""绩效自评报告起草助手: figures → ledger → retrieval → drafting → verification → export.

The package is a library first; `python -m assistant` and `app.py` are thin layers over it.
Importing it has no side effects: call `assistant.offline.apply()` at an entry point.
"""

__version__ = "0.1.0"
