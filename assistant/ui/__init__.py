"""The Streamlit interface: one module per tab, plus session state, widgets and cached resources.

Only presentation lives here; every figure, check, draft and file format comes from the library
modules (figures_io, checks, ledger, drafting, export, corpus, verify, evaluation, workspace).
"""
