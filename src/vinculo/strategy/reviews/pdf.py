"""The building blocks of the strategy layer's PDF documents (ReportLab): the fonts (Bitstream
Vera, shipped with ReportLab and embedded, so any language's accents print), paragraph styles,
tables and bar charts drawn by ReportLab's chart library (the documents' one chart library: the
screens' ECharts needs a browser)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import KeepTogether

FONTS = Path(reportlab.__file__).parent / "fonts"
FONT, BOLD = "VinculoVera", "VinculoVeraBold"
INK = colors.HexColor("#1f2937")
MUTED = colors.HexColor("#6b7280")
LINE = colors.HexColor("#d1d5db")
SERIES = [colors.HexColor(c) for c in ("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed")]
WIDTH = A4[0] - 36 * mm

if FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "VeraBd.ttf")))

TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=22, textColor=INK)
HEADING = ParagraphStyle(
    "heading", fontName=BOLD, fontSize=12, leading=15, textColor=INK, spaceBefore=10, spaceAfter=4
)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=INK)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=8, leading=10, textColor=MUTED)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, textColor=INK)
HEAD_CELL = ParagraphStyle("headcell", fontName=BOLD, fontSize=8, leading=10, textColor=INK)


def text(value: Any, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    return Paragraph(escape(str(value)).replace("\n", "<br/>"), style)


def heading(value: Any) -> Paragraph:
    return text(value, HEADING)


def table(header: Sequence[Any], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> Table:
    """A table with a bold header row, wrapped cells and light rules; ``widths`` are shares
    of the page's width."""
    data = [[text(h, HEAD_CELL) for h in header]]
    data += [[text(c, CELL) for c in row] for row in rows]
    out = Table(data, colWidths=[WIDTH * w for w in widths], repeatRows=1)
    out.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return out


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    horizontal: bool = False,
) -> Flowable:
    """A titled bar chart of one or more series over ``labels`` (with a legend for several)."""
    height = 70 * mm if not horizontal else max(40 * mm, (12 * len(labels) + 20) * mm / 3)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    chart.x, chart.y = (45 * mm, 8 * mm) if horizontal else (12 * mm, 16 * mm)
    chart.width = WIDTH - chart.x - 6 * mm
    chart.height = height - chart.y - 14 * mm
    chart.data = [list(values) or [0] for _name, values in series] or [[0]]
    chart.categoryAxis.categoryNames = [str(label)[:28] for label in labels] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    if not horizontal:
        chart.categoryAxis.labels.angle = 20 if len(labels) > 4 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 4 else "n"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    for i in range(len(chart.data)):
        chart.bars[i].fillColor = SERIES[i % len(SERIES)]
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    drawing.add(String(0, height - 8, title, fontName=BOLD, fontSize=9, fillColor=INK))
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y = WIDTH - 60 * mm, height - 4
        legend.fontName, legend.fontSize = FONT, 7
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.colorNamePairs = [
            (SERIES[i % len(SERIES)], name) for i, (name, _values) in enumerate(series)
        ]
        drawing.add(legend)
    return KeepTogether([drawing, Spacer(1, 4 * mm)])


def render(title: str, subtitle: str, story: list[Flowable], footer: str) -> bytes:
    """The document's bytes: ``title`` and ``subtitle`` on top, ``footer`` on every page."""

    def page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Vínculo",
    )
    doc.build(
        [text(title, TITLE), text(subtitle, SMALL), Spacer(1, 5 * mm), *story],
        onFirstPage=page,
        onLaterPages=page,
    )
    return out.getvalue()
