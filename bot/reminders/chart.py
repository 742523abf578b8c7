"""A small progress chart for the weekly digest: one stacked bar per row (the unit, then each
team), coloured by where the SKPs stand. Drawn with Pillow, returned as PNG bytes."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageDraw, ImageFont

COLOURS = {
    "belum": (200, 200, 200),
    "draf": (241, 196, 15),
    "diajukan": (52, 152, 219),
    "disetujui": (155, 89, 182),
    "ditetapkan": (39, 174, 96),
}
WIDTH, ROW, LABEL, TOP = 900, 34, 300, 50


def _font(size: int) -> Any:
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default()


def progress_chart(chart: dict[str, Any]) -> bytes:
    rows: list[tuple[str, dict[str, int]]] = [(r[0], r[1]) for r in chart["rows"]]
    height = TOP + ROW * len(rows) + 50
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 10), str(chart["title"])[:70], fill="black", font=_font(18))
    bar_width = WIDTH - LABEL - 20
    for n, (label, counts) in enumerate(rows):
        y = TOP + n * ROW
        draw.text((10, y + 6), label[:34], fill="black", font=_font(14))
        total = sum(counts.values()) or 1
        x = LABEL
        for bucket, colour in COLOURS.items():
            width = round(bar_width * counts.get(bucket, 0) / total)
            if width:
                draw.rectangle((x, y, x + width, y + ROW - 8), fill=colour)
            x += width
    x = 10
    for bucket, colour in COLOURS.items():
        y = height - 35
        draw.rectangle((x, y, x + 16, y + 16), fill=colour)
        text = str(chart["labels"].get(bucket, bucket))
        draw.text((x + 22, y), text, fill="black", font=_font(13))
        x += 30 + int(draw.textlength(text, font=_font(13)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
