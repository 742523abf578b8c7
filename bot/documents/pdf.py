"""The SKP as PDF: templates/documents/skp.html through WeasyPrint.

Memory over a long batch (`dokumen --semua`): left alone, every write_pdf() builds a new
FontConfiguration, that is a Fontconfig configuration (every installed font scanned) and a
Pango font map with the fonts and HarfBuzz faces it loads. The Python object is collected
after the document; the C side is not freed (Pango's cached fonts keep their font map
alive), so a process grew by about 0,2 MB per document (measured: +65 MB over 160 documents,
flat with one shared configuration). One FontConfiguration serves every document of the
process here: it holds only what does not depend on the document (the system's fonts; this
template declares no @font-face)."""

from __future__ import annotations

import threading
from typing import Any

from bot.documents import layout
from bot.documents.skp_model import SkpDocument
from bot.documents.words import words
from bot.texts import TEMPLATES_DIR, Texts

_lock = threading.Lock()
_fonts: list[Any] = []


def render_html(doc: SkpDocument, texts: Texts) -> str:
    template = texts.env.get_template("documents/skp.html")
    return template.render(doc=doc, L=words(texts), layout=layout)


def font_config() -> Any:
    """The process's one FontConfiguration."""
    from weasyprint.text.fonts import FontConfiguration

    with _lock:
        if not _fonts:
            _fonts.append(FontConfiguration())
        return _fonts[0]


def render_pdf(doc: SkpDocument, texts: Texts) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only this needs

    html = HTML(string=render_html(doc, texts), base_url=str(TEMPLATES_DIR))
    pdf = html.write_pdf(font_config=font_config())
    assert pdf is not None
    return bytes(pdf)
