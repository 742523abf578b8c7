"""Pure rules: no I/O here."""
