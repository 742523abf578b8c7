"""Telegram adapter: PTB is the transport; the dialog lives in bot.engine."""
