"""Long lists on a screen, a page at a time: the page a person is on lives in the dialog
draft (per list), the screen shows "Halaman 2/3" (templates/messages/_paging.html) and offers
◀️/▶️. A page that no longer exists (the list got shorter) shows the last one.

A step pages a list with `paged(ctx, "items", rows, 10)` in its view, adds
`page_row(page)` to its choices, and answers the ◀️/▶️ buttons with `turned(ctx, action, arg)`
before anything else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.engine.context import Ctx
from bot.engine.flow import Choice

T = TypeVar("T")

PAGE_ACTION = "page"
_PAGES = "pages"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    key: str
    items: list[T]
    number: int  # 1-based
    count: int  # pages in all (at least 1)
    start: int  # index of the first item in the whole list (numbering continues)
    total: int  # items in the whole list

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    @property
    def first(self) -> int:
        """The 1-based number of the page's first item."""
        return self.start + 1


def _stored(ctx: Ctx, key: str) -> int:
    pages = ctx.data.get(_PAGES)
    value = pages.get(key) if isinstance(pages, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def paged(ctx: Ctx, key: str, items: Sequence[T], size: int) -> Page[T]:
    """The page of `items` the person is on (the last one if the list shrank)."""
    count = max(1, -(-len(items) // size))
    number = min(max(_stored(ctx, key), 1), count)
    start = (number - 1) * size
    return Page(key, list(items[start : start + size]), number, count, start, len(items))


def page_row(page: Page[T]) -> list[Choice]:
    """◀️ and ▶️ for this page (nothing when everything fits on one)."""
    row = []
    if page.has_prev:
        row.append(Choice(PAGE_ACTION, "page_prev", f"{page.key}.{page.number - 1}"))
    if page.has_next:
        row.append(Choice(PAGE_ACTION, "page_next", f"{page.key}.{page.number + 1}"))
    return row


def turned(ctx: Ctx, action: str, arg: str) -> bool:
    """Whether the button was ◀️/▶️; if so the draft now holds the page it asked for."""
    if action != PAGE_ACTION:
        return False
    key, _, number = arg.rpartition(".")
    if key and number.isascii() and number.isdigit() and 0 < len(number) <= 4:
        _store(ctx, key, int(number))
    return True


def show(ctx: Ctx, key: str, index: int, size: int) -> None:
    """Go to the page that holds the item at `index` (e.g. one just added)."""
    _store(ctx, key, max(index, 0) // size + 1)


def reset(ctx: Ctx, *keys: str) -> None:
    """Back to the first page (e.g. when another object's list is shown)."""
    for key in keys:
        _store(ctx, key, 1)


def _store(ctx: Ctx, key: str, number: int) -> None:
    # The first page is the default and is not stored: a draft holding nothing else stays
    # empty (leaving the flow then parks nothing, and coming back starts afresh).
    pages = ctx.data.get(_PAGES)
    if not isinstance(pages, dict):
        pages = {}
    if number > 1:
        pages[key] = number
    else:
        pages.pop(key, None)
    if pages:
        ctx.data[_PAGES] = pages
    else:
        ctx.data.pop(_PAGES, None)
