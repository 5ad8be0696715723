"""`python -m assistant …` — the command-line interface (see assistant/cli.py)."""

from assistant.cli import main

raise SystemExit(main())
