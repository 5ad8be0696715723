"""CLI sub-commands, one module per pipeline stage."""
