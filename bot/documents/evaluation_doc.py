"""The evaluation of an SKP in the official layout (PermenPANRB 6/2022, "Evaluasi Kinerja
Pegawai"): the people, the hasil kerja with each IKI's realisation and capaian for the period
(as the evaluation last saved them), the rating of hasil kerja, the perilaku kerja per
BerAKHLAK value with the agreed Ekspektasi Khusus Pimpinan and the leader's rating and note,
the rating of perilaku kerja, the predikat, the weighted capaian, the notes and the employee's
response, and the signature blocks. One document feeds the PDF (templates/documents/
evaluasi.html) and the Word file (templates/documents/evaluasi.docx, built by
scripts/make-docx-template), with the words of templates/documents/labels.j2 and the geometry
of bot.documents.layout."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.db.models import (
    Employee,
    Evaluation,
    EvaluationState,
    ExpectationKind,
    ExpectationStatus,
    Period,
    Skp,
    SkpExpectation,
    Unit,
)
from bot.documents import layout
from bot.documents import skp_model as m
from bot.documents.pdf import font_config
from bot.documents.skp_data import _person, _place
from bot.documents.word import _env, _Template
from bot.documents.words import words
from bot.domain import evaluation as ev
from bot.texts import TEMPLATES_DIR, Texts
from bot.usecases.checks import policy_of

DOCX_TEMPLATE = TEMPLATES_DIR / "documents" / "evaluasi.docx"


@dataclass
class EvalRow:
    no: int
    rhk: str
    aspek: str
    iki: str
    target: str
    realisasi: str
    capaian: str
    bobot: str
    bukti: str


@dataclass
class EvalValue:
    no: int
    name: str
    indicators: list[str]
    ekspektasi: list[str]
    rating: str
    note: str


@dataclass
class EvaluationDocument:
    agency: str
    title_period: str
    period_text: str
    year: int
    employee: m.Person
    penilai: m.Person
    rows: list[EvalRow]
    values: list[EvalValue]
    hasil: str
    perilaku: str
    predikat: str
    capaian: str
    notes: list[tuple[str, str]]
    place: str
    date_text: str
    draft: bool
    nip: str
    period_code: str
    columns: tuple[layout.Column, ...] = field(default_factory=lambda: layout.EVAL_RESULT_COLUMNS)

    @property
    def filename_stem(self) -> str:
        return f"Evaluasi-{self.period_code}-{self.year}-{self.nip}"


# Emoji and pictographs typed into a note ("👍", "✅", "⚠️") have no glyph in the form's fonts
# (a PDF would print a box): they are left out of the document, with their joiners and
# presentation selectors. Letters, digits and punctuation of any script stay.
_PICTOGRAPHS = re.compile(
    "[\U0001f000-\U0001faff\U0001fc00-\U0010ffff\u2600-\u27bf\u2b00-\u2bff\u200d\ufe0e\ufe0f\u20e3]"
)


def _typed(text: str | None) -> str:
    """A text someone typed (a note, a response), as the evaluation form prints it."""
    return m.printable(_PICTOGRAPHS.sub(" ", text or ""))


def _percent(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}".replace(".", ",")


def _period_dates(year: int, period: str) -> tuple[date, date]:
    if period in ev.QUARTERS:
        quarter = ev.QUARTERS.index(period) + 1
        end_month = quarter * 3
        start = date(year, end_month - 2, 1)
        end = date(year, end_month, 30 if end_month in (6, 9) else 31)
        return start, end
    return date(year, 1, 1), date(year, 12, 31)


async def load_evaluation_document(
    session: AsyncSession, evaluation_id: int, texts: Texts, place: str
) -> EvaluationDocument:
    W = words(texts)
    row = (
        await session.execute(
            select(Evaluation)
            .options(joinedload(Evaluation.skp).joinedload(Skp.employee).joinedload(Employee.unit))
            .where(Evaluation.id == evaluation_id)
        )
    ).scalar_one()
    skp = row.skp
    employee = skp.employee
    period = await session.get(Period, skp.period_id)
    assert period is not None
    penilai = await session.get(Employee, row.evaluator_id)
    penilai_unit = await session.get(Unit, penilai.unit_id) if penilai else None
    rating = {r.value: texts.label(f"rating_{r.value}") for r in ev.Rating}
    not_rated = W("ev_not_rated")
    rows = [
        EvalRow(
            int(item.get("position", n)),
            m.printable(str(item.get("rhk", ""))),
            texts.label(f"aspek_{item['aspek']}") if item.get("aspek") else "-",
            m.printable(str(item.get("iki", ""))),
            str(item.get("target", "")) or "-",
            str(item.get("realisasi", "")) or "-",
            str(item.get("capaian", "")) or "-",
            str(item.get("bobot", "")) or "-",
            W("ev_evidence", count=item["evidence"]) if item.get("evidence") else "-",
        )
        for n, item in enumerate(row.capaian_items, 1)
    ]
    settled = (
        await session.execute(
            select(SkpExpectation.value_code, SkpExpectation.text).where(
                SkpExpectation.skp_id == skp.id,
                SkpExpectation.kind == ExpectationKind.PERILAKU,
                SkpExpectation.status == ExpectationStatus.SETTLED,
            )
        )
    ).all()
    special: dict[str | None, list[str]] = {}
    for code, text in settled:
        special.setdefault(code, []).append(f"\u201c{_typed(text)}\u201d")
    values = [
        EvalValue(
            n,
            v["name"],
            list(v["indicators"]),
            special.get(v["code"], []),
            rating.get(row.value_ratings.get(v["code"], ""), not_rated),
            _typed(row.value_notes.get(v["code"], "")),
        )
        for n, v in enumerate(texts.berakhlak, 1)
    ]
    notes = [
        (W(f"ev_{f}"), _typed(getattr(row, f)))
        for f in ("hasil_note", "training_needs", "recognition", "follow_up")
        if getattr(row, f)
    ]
    if row.employee_response:
        notes.append((W("ev_response"), _typed(row.employee_response)))
    start, end = _period_dates(period.year, row.period)
    signed = row.finalised_at or row.updated_at
    return EvaluationDocument(
        agency=m.printable((await policy_of(session, skp)).agency),
        title_period=texts.label(f"eval_period_{row.period}").upper(),
        period_text=f"{m.long_date(start)} s.d. {m.long_date(end)}",
        year=period.year,
        employee=_person(employee, employee.unit),
        penilai=_person(penilai, penilai_unit),
        rows=rows,
        values=values,
        hasil=rating.get(row.hasil_rating or "", not_rated),
        perilaku=rating.get(row.perilaku_rating or "", not_rated),
        predikat=texts.label(f"predikat_{row.predikat}") if row.predikat else not_rated,
        capaian=W(
            "ev_capaian",
            total=_percent(row.capaian_total),
            core=_percent(row.capaian_core),
            beyond=_percent(row.capaian_beyond),
        ),
        notes=notes,
        place=await _place(session, employee.unit, place),
        date_text=m.long_date(signed.date()),
        draft=row.state is not EvaluationState.FINAL,
        nip=employee.nip,
        period_code=row.period,
    )


def render_evaluation_html(doc: EvaluationDocument, texts: Texts) -> str:
    template = texts.env.get_template("documents/evaluasi.html")
    return template.render(doc=doc, L=words(texts), layout=layout)


def render_evaluation_pdf(doc: EvaluationDocument, texts: Texts) -> bytes:
    from weasyprint import HTML

    html = HTML(string=render_evaluation_html(doc, texts), base_url=str(TEMPLATES_DIR))
    pdf = html.write_pdf(font_config=font_config())
    assert pdf is not None
    return bytes(pdf)


_source: dict[Path, bytes] = {}


def render_evaluation_docx(
    doc: EvaluationDocument, texts: Texts, template: Path = DOCX_TEMPLATE
) -> bytes:
    import io

    source = _source.get(template)
    if source is None:
        source = _source[template] = template.read_bytes()
    filled = _Template(io.BytesIO(source))
    filled.render({"doc": doc, "L": words(texts)}, jinja_env=_env, autoescape=True)
    out = io.BytesIO()
    filled.save(out)
    return out.getvalue()
