"""The application layer: one use case per change of the performance contract. Chat flows,
the terminal chat and the CLI call these; nothing else changes an SKP's status.

- skp_lifecycle: submit, withdraw, request a revision, approve, sign, set, start a change
- agreements: set an expectation, answer it, decide counters and resource lines, the lampiran
- drafting: the owner's edits of the hasil kerja
- organisation: data reports and deadlines; cascade: sending a leader's cascade
"""
