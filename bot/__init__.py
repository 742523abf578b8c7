"""Dialog Kinerja: a Telegram assistant for the SKP and its dialog kinerja."""
