"""A person's rights over their own data (UU PDP 27/2022): a copy of everything stored about
them, and unlinking their Telegram account. Both act on the acting person only, audit, and run
in the caller's transaction like every use case."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import LinkStatus, TelegramLink
from bot.usecases.base import Tx

EXPORT_FORMAT = "json"


def _subject(tx: Tx) -> int:
    if tx.actor_id is None:
        raise ValueError("a data request is always the acting person's own")
    return tx.actor_id


async def request_export(tx: Tx) -> int | None:
    """Queue "Data saya" for the acting person: the sender builds the file from what is stored
    when it sends it, and delivers it to the person's linked Telegram account. Requests within
    the same minute (a double tap, a second device) are one request: one file, one audit
    entry; None is then returned."""
    employee_id = _subject(tx)
    row_id = await tx.notify(
        employee_id,
        "privacy_export",
        "privacy_export_caption",
        dedupe_key=f"privacy_export:{employee_id}:{tx.now:%Y%m%dT%H%M}",
        document={"report": "privacy", "employee_id": employee_id},
    )
    if row_id is not None:  # the same request again is neither queued nor audited twice
        tx.audit(
            "privacy.export_requested",
            "employee",
            employee_id,
            format=EXPORT_FORMAT,
            outbox_id=row_id,
        )
    return row_id


async def live_links(tx: Tx, employee_id: int) -> list[TelegramLink]:
    # Pending changes first: the re-read below must not discard them.
    await tx.session.flush()
    return list(
        (
            await tx.session.execute(
                select(TelegramLink)
                .where(
                    TelegramLink.employee_id == employee_id,
                    TelegramLink.status != LinkStatus.REVOKED,
                )
                .order_by(TelegramLink.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )


async def unlink_telegram(tx: Tx) -> int:
    """Revoke every live Telegram link of the acting person (active, or pending on another
    device). The links stay as history (revoked_at); the account is then treated as not
    registered, and only a new invitation from an administrator links it again. Returns how
    many links were revoked (0: none was live)."""
    employee_id = _subject(tx)
    links = await live_links(tx, employee_id)
    for link in links:
        previous = link.status.value
        link.status, link.revoked_at = LinkStatus.REVOKED, tx.now
        tx.audit("privacy.telegram_unlinked", "telegram_link", link.id, previous=previous)
    return len(links)
