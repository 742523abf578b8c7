"""Where words are on a PDF's pages (pdftotext -bbox, poppler-utils), for layout tests: a
page's words with their boxes in points (origin top left), and phrases found among them."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


@dataclass(frozen=True)
class Box:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def x(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    words: list[Box]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def find_all(self, phrase: str) -> list[Box]:
        """Every place the words of `phrase` follow one another (in reading order)."""
        tokens = phrase.split()
        found = []
        texts = [w.text for w in self.words]
        for i in range(len(texts) - len(tokens) + 1):
            if texts[i : i + len(tokens)] == tokens:
                boxes = self.words[i : i + len(tokens)]
                found.append(
                    Box(
                        phrase,
                        min(b.x0 for b in boxes),
                        min(b.y0 for b in boxes),
                        max(b.x1 for b in boxes),
                        max(b.y1 for b in boxes),
                    )
                )
        return found

    def find(self, phrase: str) -> Box | None:
        found = self.find_all(phrase)
        return found[0] if found else None

    def has(self, phrase: str) -> bool:
        return bool(self.find_all(phrase))

    def lines(self, below: float = 0.0) -> list[str]:
        """The page's text line by line (words whose tops are within 2 points), top down,
        from `below` points from the top; columns side by side make one line."""
        out: list[tuple[float, list[Box]]] = []
        for word in sorted((w for w in self.words if w.y0 >= below), key=lambda w: w.y0):
            if out and word.y0 - out[-1][0] < 2:
                out[-1][1].append(word)
            else:
                out.append((word.y0, [word]))
        return [" ".join(w.text for w in sorted(ws, key=lambda w: w.x0)) for _, ws in out]

    def top_text(self, below: float = 0.0) -> str:
        """The first line of text below `below` points from the top."""
        words = [w for w in self.words if w.y0 >= below]
        if not words:
            return ""
        top = min(w.y0 for w in words)
        line = sorted((w for w in words if abs(w.y0 - top) < 2), key=lambda w: w.x0)
        return " ".join(w.text for w in line)


def pdf_pages(content: bytes) -> list[Page]:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(content)
        out = Path(folder) / "doc.html"
        subprocess.run(["pdftotext", "-bbox", str(source), str(out)], check=True)
        html = out.read_text(encoding="utf-8")
    pages = []
    for n, (width, height, body) in enumerate(_PAGE.findall(html), start=1):
        words = [
            Box(unescape(t), float(a), float(b), float(c), float(d))
            for a, b, c, d, t in _WORD.findall(body)
        ]
        pages.append(Page(n, float(width), float(height), words))
    return pages


def pages_with(pages: list[Page], phrase: str) -> list[int]:
    return [p.number for p in pages if p.has(phrase)]
