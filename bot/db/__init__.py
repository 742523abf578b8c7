"""Persistence: models, engine, repositories."""
