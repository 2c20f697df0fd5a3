"""Prints the registration summary (core.summary's HTML) to a PDF with QTextDocument and QPdfWriter."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from secop_desktop import __version__
from secop_desktop.core.identity import Actor
from secop_desktop.core.services import Services


def write_pdf(html: str, dest: Path, *, title: str = "Resumen del registro en SECOP II") -> Path:
    """Paginated A4 PDF of html; needs a QGuiApplication (fonts)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(dest))
    writer.setTitle(title)
    writer.setCreator(f"secop-desktop {__version__}")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(150)
    document = QTextDocument()
    document.setHtml(html)
    document.print_(writer)
    # QPdfWriter finishes the file when it is destroyed; delete it now so the file is complete on return.
    del writer
    return dest


def write_summary_pdf(services: Services, actor: Actor, entity_id: int, dest: Path) -> Path:
    return write_pdf(services.entities.summary_html(actor, entity_id), dest)
