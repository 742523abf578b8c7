"""Webhook mode (`dialog-kinerja run --webhook`): several stateless workers behind one URL on
one PostgreSQL database (one worker on SQLite).

- `server`: the worker's HTTP side (Starlette under uvicorn): the webhook, `/healthz`,
  `/metrics`; start-up (migrations, setWebhook once) and shutdown.
- `turns`: one step at a time per person across processes (PostgreSQL advisory locks), and
  which workers are alive.
- `drain`: processing from the inbox, oldest first per person, by whichever worker holds the
  person's turn; updates a dead worker left are taken up by the others.
- `budget`: one send budget for all workers (a row in PostgreSQL), a 429 honoured by all.
- `metrics`: Prometheus metrics and the health report.
"""
