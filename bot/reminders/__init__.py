"""Reminders and nudges: planned on a schedule into outbox rows (each exactly once, by its
dedupe key), checked again just before sending, and sent by the rate-limited outbox sender."""
