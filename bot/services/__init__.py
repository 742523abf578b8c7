"""Application services: each owns one use case and its transaction boundary rules."""
