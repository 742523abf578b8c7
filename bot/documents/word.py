"""The SKP as a Word file: templates/documents/skp.docx filled by docxtpl with the same
document and words the PDF's HTML template reads.

docxtpl re-reads the template, rewrites its XML with regular expressions and compiles it as a
Jinja template on every render; the template never changes while the process runs, so the
rewritten XML and the compiled templates are kept (per process) and a render only fills them.
Values are escaped (autoescape): a typed "<" or "&" stays text."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Environment, Template

from bot.documents.skp_model import SkpDocument
from bot.documents.words import words
from bot.texts import TEMPLATES_DIR, Texts

TEMPLATE = TEMPLATES_DIR / "documents" / "skp.docx"


class _Compiled(Environment):
    """A Jinja environment that compiles each template source once."""

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self._compiled: dict[str, Template] = {}
        self._lock = threading.Lock()

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        found = self._compiled.get(source)
        if found is None:
            found = super().from_string(source)
            with self._lock:
                self._compiled[source] = found
        return found


class _Template(DocxTemplate):
    """docxtpl's template with its XML rewriting done once per source text."""

    _patched: dict[str, str] = {}  # noqa: RUF012 (a per-process cache, shared on purpose)

    def patch_xml(self, src_xml: str) -> str:
        found = self._patched.get(src_xml)
        if found is None:
            found = self._patched[src_xml] = super().patch_xml(src_xml)
        return found


_env = _Compiled()
_source: dict[Path, bytes] = {}


def render_docx(doc: SkpDocument, texts: Texts, template: Path = TEMPLATE) -> bytes:
    source = _source.get(template)
    if source is None:
        source = _source[template] = template.read_bytes()
    filled = _Template(io.BytesIO(source))
    filled.render({"doc": doc, "L": words(texts)}, jinja_env=_env, autoescape=True)
    out = io.BytesIO()
    filled.save(out)
    return out.getvalue()
