"""The attachment policy against a generated corpus of hostile and legitimate files."""

from __future__ import annotations

import io
import os
import struct
import sys
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secop_desktop.core.documents.file_policy import (
    DEFAULT_MAX_SIZE,
    EXECUTABLE_EXTENSIONS,
    HEAD_SIZE,
    REFUSED_EXTENSIONS,
    Refusal,
    check_content,
    check_file,
    check_name,
    format_size,
    normalize_name,
    printable_name,
)
from tests.samples import DOS_MZ, WINDOWS_PE, dos_header

# Only magic numbers and padding: nothing here is a working program.
PAD = b"\x00" * 256
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b" " * 200
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + PAD
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + PAD
GZIP = b"\x1f\x8b\x08\x00" + PAD
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + PAD


def _zip(*entries: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry in entries:
            archive.writestr(entry, "contenido")
    return buffer.getvalue()


def _ole_with_root_clsid(clsid_first: bytes) -> bytes:
    """An OLE header with 512-byte sectors whose directory (sector 0) starts right after it."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x1E:0x20] = struct.pack("<H", 9)
    header[0x30:0x34] = struct.pack("<I", 0)
    directory = bytearray(512)
    directory[0x50:0x60] = clsid_first + bytes.fromhex("0c0000000000c000000000000046")
    return bytes(header + directory)


MSI = _ole_with_root_clsid(b"\x84\x10")
DOC_OLE = _ole_with_root_clsid(b"\x06\x09")  # Word's CLSID starts 00020906


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    content: bytes = PDF
    code: str | None = None  # None: must be accepted
    max_size: int = DEFAULT_MAX_SIZE
    kind: str = "file"  # file, dir, missing, fifo, device


def _n(name: str, code: str) -> Case:
    return Case(f"name:{name!a}", name, PDF, code)


def _c(name: str, content: bytes, label: str) -> Case:
    return Case(f"content:{label}", name, content, "executable_content")


HOSTILE: list[Case] = [
    # Executable names, with every disguise normalisation must see through.
    _n("a.EXE", "executable_name"),
    _n("a.exe", "executable_name"),
    _n("A.ExE", "executable_name"),
    _n("a.exe.", "executable_name"),
    _n("a.exe...", "executable_name"),
    _n("a.exe   ", "executable_name"),
    _n("a.exe . . ", "executable_name"),
    _n("a.exe::$DATA", "executable_name"),
    _n("a.exe::$data", "executable_name"),
    _n("a.pdf:x.exe", "executable_name"),
    _n("a.pdf:x.exe:$DATA", "executable_name"),
    _n("a.pdf:x.bat::", "executable_name"),
    _n("factura.pdf.exe", "executable_name"),
    _n("factura.pdf                    .exe", "executable_name"),
    _n("Factura.PDF.Scr", "executable_name"),
    _n("\uff41\uff0e\uff45\uff58\uff45", "executable_name"),  # fullwidth "ａ．ｅｘｅ"
    _n("a\u2024exe", "executable_name"),  # ONE DOT LEADER folds to "."
    _n("a\ufe52exe", "executable_name"),  # SMALL FULL STOP folds to "."
    _n("a.e\u200bxe", "executable_name"),
    _n("a.ex\u00ade", "executable_name"),  # soft hyphen
    _n("a.\ufeffexe", "executable_name"),
    _n("a.exe\u2060", "executable_name"),
    _n("a.exe\ufe0f", "executable_name"),  # variation selector
    _n("a.e\u034fxe", "executable_name"),  # combining grapheme joiner
    _n("a.exe\u3000", "executable_name"),  # ideographic space
    _n("a.exe\u00a0", "executable_name"),
    _n("a.exe\U000e0041", "executable_name"),  # tag character
    _n(".exe", "executable_name"),
    _n("documento.lnk", "executable_name"),
    _n("instalador.MSI", "executable_name"),
    _n("script.ps1", "executable_name"),
    _n("acceso.url", "executable_name"),
    _n("app.apk", "executable_name"),
    _n("x.appref-ms", "executable_name"),
    # Bidi controls disguise the real extension.
    _n("fdp\u202eexe.pdf", "hidden_extension"),
    _n("foto\u202egpj.exe", "hidden_extension"),
    _n("a\u202dpdf.pdf", "hidden_extension"),
    _n("a\u2067.pdf\u2069.exe", "hidden_extension"),
    _n("informe\u200f.pdf", "hidden_extension"),
    _n("informe\u061c.pdf", "hidden_extension"),
    # Windows device names.
    _n("CON", "reserved_name"),
    _n("con.txt", "reserved_name"),
    _n("COM1.pdf", "reserved_name"),
    _n("com0.docx", "reserved_name"),
    _n("LPT9", "reserved_name"),
    _n("CON .txt", "reserved_name"),
    _n("nul.tar.gz", "reserved_name"),
    _n("Aux.docx", "reserved_name"),
    _n("prn.", "reserved_name"),
    _n("PRN::$DATA", "reserved_name"),
    _n("COM\u00b9.pdf", "reserved_name"),  # superscript one folds to COM1
    _n("conin$.txt", "reserved_name"),
    # Paths instead of names.
    _n("../a.pdf", "path_in_name"),
    _n("a/b.pdf", "path_in_name"),
    _n("a\\b.pdf", "path_in_name"),
    _n("..\\..\\Windows\\a.pdf", "path_in_name"),
    _n("/etc/passwd", "path_in_name"),
    _n("C:\\Users\\a.pdf", "path_in_name"),
    _n("a\uff0fb.pdf", "path_in_name"),  # fullwidth solidus folds to "/"
    # Control and invalid characters.
    _n("a\x00.pdf", "control_chars"),
    _n("a\n.pdf", "control_chars"),
    _n("a\t.pdf", "control_chars"),
    _n("a\r\n.pdf", "control_chars"),
    _n("a\x7f.pdf", "control_chars"),
    _n("a\x1b[31m.pdf", "control_chars"),
    _n("a\x85.pdf", "control_chars"),  # C1 NEXT LINE
    _n("a\udcff.pdf", "control_chars"),  # undecodable byte seen through surrogateescape
    # Empty names.
    _n("", "empty_name"),
    _n(".", "empty_name"),
    _n("..", "empty_name"),
    _n("...", "empty_name"),
    _n("   ", "empty_name"),
    _n(" . . ", "empty_name"),
    _n("\u200b", "empty_name"),
    _n("::$DATA", "empty_name"),
    # Too long for any file system (255 UTF-8 bytes).
    _n("a" * 252 + ".pdf", "name_too_long"),
    _n("\u00f1" * 126 + ".pdf", "name_too_long"),
    _n("\u200b" * 300 + "a.pdf", "name_too_long"),
    _n("x" * 100_000 + ".pdf", "name_too_long"),
    # Executable content behind harmless names.
    _c("informe.pdf", DOS_MZ, "mz"),
    _c("informe.pdf", dos_header(0x80) + b"\x00" * 0x40 + b"NE" + PAD, "ne"),
    _c("informe.pdf", dos_header(0x80) + b"\x00" * 0x40 + b"LX" + PAD, "lx"),
    _c("informe.pdf", b"MZ\x90\x00\x03" + b"\x00" * 55 + b"\x40\x00\x00\x00" + b"PE\x00\x00" + PAD, "pe"),
    _c("informe.exe.pdf", WINDOWS_PE, "mz-double-extension"),
    _c("foto.jpg", b"\x7fELF\x02\x01\x01" + PAD, "elf"),
    _c("contrato.docx", b"\xfe\xed\xfa\xce" + PAD, "macho-32-be"),
    _c("contrato.docx", b"\xfe\xed\xfa\xcf" + PAD, "macho-64-be"),
    _c("contrato.docx", b"\xce\xfa\xed\xfe" + PAD, "macho-32-le"),
    _c("contrato.docx", b"\xcf\xfa\xed\xfe" + PAD, "macho-64-le"),
    _c("contrato.docx", b"\xca\xfe\xba\xbe\x00\x00\x00\x02" + PAD, "macho-fat"),
    _c("contrato.docx", b"\xca\xfe\xba\xbf\x00\x00\x00\x02" + PAD, "macho-fat-64"),
    _c("clase.pdf", b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + PAD, "java-class"),
    _c("notas.txt", b"#!/bin/sh\necho hola\n", "shebang"),
    _c("notas.txt", b"\xef\xbb\xbf#!/usr/bin/env python3\n", "shebang-bom"),
    _c("leeme.md", b"#!", "shebang-bare"),
    _c("acceso.pdf", b"\x4c\x00\x00\x00\x01\x14\x02\x00" + PAD, "lnk"),
    _c("enlace.txt", b"[InternetShortcut]\r\nURL=file:///C:/x\r\n", "url-shortcut"),
    _c("documento.zip", _zip("META-INF/MANIFEST.MF", "a/Main.class"), "jar"),
    _c("fotos.zip", _zip("AndroidManifest.xml", "classes.dex"), "apk"),
    _c("paquete.pdf", b"!<arch>\ndebian-binary   " + PAD, "deb"),
    _c("paquete.pdf", b"\xed\xab\xee\xdb\x03\x00" + PAD, "rpm"),
    _c("extension.pdf", b"Cr24\x03\x00\x00\x00" + PAD, "crx"),
    _c("setup.doc", MSI, "msi-clsid"),
    # The file itself.
    Case("file:empty", "vacío.pdf", b"", "empty_file"),
    Case("file:too-large", "grande.pdf", PDF + b"x" * 2048, "too_large", max_size=1024),
    Case("file:directory", "carpeta.pdf", b"", "not_regular", kind="dir"),
    Case("file:missing", "borrado.pdf", b"", "unreadable", kind="missing"),
    Case("file:fifo", "tubo.pdf", b"", "not_regular", kind="fifo"),
    Case("file:device", "nulo.pdf", b"", "not_regular", kind="device"),
]

LEGITIMATE: list[Case] = [
    Case("ok:pdf", "EXISTENCIA Y REPRESENTACIÓN LEGAL.pdf", PDF),
    Case("ok:pdf-nfd", unicodedata.normalize("NFD", "CERTIFICACIÓN BANCARIA.pdf"), PDF),
    Case("ok:dots", "informe.v2.final.pdf", PDF),
    Case("ok:parens", "RUT 2024 (1).pdf", PDF),
    Case("ok:exe-inside", "informe.exe.pdf", PDF),
    Case("ok:colon", "Acta 10:30.pdf", PDF),
    Case("ok:not-device", "CONTRATO.pdf", PDF),
    Case("ok:console", "console.txt", b"texto"),
    Case("ok:com10", "COM10.pdf", PDF),
    Case("ok:lpt", "LPT.pdf", PDF),
    Case("ok:png", "foto.PNG", PNG),
    Case("ok:jpeg", "cédula.jpg", JPEG),
    Case("ok:zip", "anexos.zip", _zip("uno.pdf", "dos.pdf")),
    Case("ok:docx", "propuesta.docx", _zip("[Content_Types].xml", "_rels/.rels", "word/document.xml")),
    Case("ok:odt", "propuesta.odt", _zip("mimetype", "META-INF/manifest.xml", "content.xml")),
    Case("ok:xls", "hoja.xls", OLE),
    Case("ok:doc-clsid", "carta.doc", DOC_OLE),
    Case("ok:gz", "respaldo.tar.gz", GZIP),
    Case("ok:text", "notas.txt", "Señor contratista: adjunto la cotización № 5 — año 2024.\n".encode()),
    Case("ok:emoji", "informe \U0001f4c4.pdf", PDF),
    Case("ok:255-bytes", "a" * 251 + ".pdf", PDF),
    Case("ok:exact-max-size", "justo.pdf", b"%PDF" + b"x" * 1020, max_size=1024),
    Case("ok:hidden-dotfile", ".informe.pdf", PDF),
    Case("ok:zero-width-outside-ext", "infor\u200bme.pdf", PDF),
    Case("ok:mz-later", "datos.csv", b"nombre;codigo\nMZ;1\n"),
    # Benign files that merely look suspicious.
    Case("ok:mz-text", "proveedor.txt", b"MZ Distribuciones S.A.S.\nNIT 900123456-1\n"),
    Case("ok:mz-text-pdf-name", "MZ.pdf", b"MZ" + PAD),
    Case("ok:exe-in-pdf-name", "exe.pdf", PDF),
    Case("ok:zip-meta-inf-first", "anexos.zip", _zip("META-INF/", "META-INF/container.xml", "documento.txt")),
    Case("ok:ntfs-default-stream", "a.pdf::$DATA", PDF),
]


def _can_exist_on_disk(name: str) -> bool:
    if not name or name in (".", "..") or "/" in name or "\x00" in name:
        return False
    try:
        return len(os.fsencode(name)) <= 255
    except UnicodeError:
        return False


@dataclass(frozen=True)
class Prepared:
    path: Path
    display_name: str | None  # None: the file really has the hostile name


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Prepared]:
    """Writes every case to disk; names a POSIX file system cannot hold go through display_name."""
    root = tmp_path_factory.mktemp("corpus")
    prepared: dict[str, Prepared] = {}
    for index, case in enumerate(HOSTILE + LEGITIMATE):
        folder = root / f"{index:03d}"
        folder.mkdir()
        on_disk = _can_exist_on_disk(case.name)
        path = folder / (case.name if on_disk else "archivo.bin")
        if case.kind == "file":
            path.write_bytes(case.content)
        elif case.kind == "dir":
            path.mkdir()
        elif case.kind == "fifo":
            if not hasattr(os, "mkfifo"):
                continue
            os.mkfifo(path)
        elif case.kind == "device":
            if not os.path.exists(os.devnull) or sys.platform == "win32":
                continue
            path.symlink_to(os.devnull)
        prepared[case.id] = Prepared(path, None if on_disk else case.name)
    return prepared


def _assert_refused(refusal: Refusal | None, case: Case) -> None:
    assert refusal is not None, f"{case.id} fue aceptado"
    assert refusal.code == case.code, refusal
    assert printable_name(case.name) in refusal.message
    assert refusal.message.startswith(("No se puede anexar", "El archivo"))


def test_corpus_is_big_enough() -> None:
    assert len(HOSTILE) >= 60
    assert len({c.id for c in HOSTILE + LEGITIMATE}) == len(HOSTILE + LEGITIMATE)


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.id)
def test_hostile_file_is_refused(case: Case, corpus: dict[str, Prepared]) -> None:
    if case.id not in corpus:
        pytest.skip("this platform cannot create the special file")
    item = corpus[case.id]
    _assert_refused(check_file(item.path, item.display_name, max_size=case.max_size), case)


@pytest.mark.parametrize("case", LEGITIMATE, ids=lambda c: c.id)
def test_legitimate_file_is_accepted(case: Case, corpus: dict[str, Prepared]) -> None:
    item = corpus[case.id]
    assert check_file(item.path, item.display_name, max_size=case.max_size) is None


@pytest.mark.parametrize("ext", sorted(EXECUTABLE_EXTENSIONS))
def test_every_executable_extension_is_refused_in_any_case(ext: str) -> None:
    for name in (f"doc.{ext}", f"doc.pdf.{ext.upper()}", f"doc.{ext.title()}. ", f"d.pdf:x.{ext}"):
        refusal = check_name(name)
        assert refusal is not None and refusal.code == "executable_name", name
        assert f"los archivos .{ext} no se aceptan ({REFUSED_EXTENSIONS[ext]})" in refusal.message


def test_brief_example_message() -> None:
    assert check_name("factura.pdf.exe") == Refusal(
        "executable_name",
        "No se puede anexar «factura.pdf.exe»: los archivos .exe no se aceptan (programas y scripts); "
        "solo se aceptan documentos.",
    )


@pytest.mark.parametrize("name", [
    "instalador.iso", "disco.img", "maquina.vhd", "maquina.vhdx", "app.appx", "app.msix", "app.appinstaller",
    "panel.settingcontent-ms", "buscar.search-ms", "biblioteca.library-ms", "sitio.website", "enlace.url",
    "caja.wsb", "complemento.xll", "inicio.jnlp", "ayuda.chm", "ayuda.hlp", "config.inf", "explorador.scf",
    "panel.cpl", "certificado.cer", "base.mdb", "datos.pst",
])
def test_windows_run_and_mount_types_are_refused_with_the_reason(name: str) -> None:
    refusal = check_name(name)
    assert refusal is not None and refusal.code == "executable_name"
    ext = name.rsplit(".", 1)[1]
    assert REFUSED_EXTENSIONS[ext] in refusal.message


@pytest.mark.parametrize(("entries", "label"), [
    (("documento.txt", "META-INF/MANIFEST.MF"), "jar con el manifiesto al final"),
    (("res/a.png", "classes.dex", "AndroidManifest.xml"), "apk con el manifiesto al final"),
    (("Payload/", "Payload/Tienda.app/Info.plist"), "ipa"),
])
def test_packaged_apps_are_refused_whatever_the_entry_order(tmp_path: Path, entries: tuple[str, ...],
                                                          label: str) -> None:
    # Padding pushes the telling entry beyond the head, so only the zip's table of contents shows it.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("relleno.bin", os.urandom(HEAD_SIZE * 2))
        for entry in entries:
            archive.writestr(entry, "contenido")
    path = tmp_path / "anexo.zip"
    path.write_bytes(buffer.getvalue())
    refusal = check_file(path)
    assert refusal is not None and refusal.code == "executable_content", label


def test_bidi_message_explains_the_disguise() -> None:
    refusal = check_name("fdp\u202eexe.pdf")
    assert refusal is not None
    assert "ocultan la extensión real" in refusal.message
    # The override is shown, not obeyed, so the message itself cannot be disguised.
    assert "\u202e" not in refusal.message and "[U+202E]" in refusal.message


def test_size_messages() -> None:
    assert format_size(DEFAULT_MAX_SIZE) == "1 GiB"
    assert format_size(1536 * 1024) == "1,5 MiB"
    assert format_size(1) == "1 byte"
    assert format_size(900) == "900 bytes"


def test_size_limit_message(tmp_path: Path) -> None:
    path = tmp_path / "grande.pdf"
    path.write_bytes(PDF)
    refusal = check_file(path, max_size=16)
    assert refusal == Refusal(
        "too_large", "El archivo «grande.pdf» supera el tamaño máximo permitido (16 bytes)."
    )
    with path.open("r+b") as handle:
        handle.truncate(0)
    assert check_file(path) == Refusal("empty_file", "El archivo «grande.pdf» está vacío.")


def test_display_name_overrides_the_path_name(tmp_path: Path) -> None:
    path = tmp_path / "tmp1234"
    path.write_bytes(PDF)
    assert check_file(path, "informe.pdf") is None
    refusal = check_file(path, "informe.pdf.exe")
    assert refusal is not None and "«informe.pdf.exe»" in refusal.message


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secreto.pdf"
    path.write_bytes(PDF)
    real_open = os.open

    def denied(target: object, *args: object, **kwargs: object) -> int:
        if Path(str(target)) == path:
            raise PermissionError(13, "Permission denied", str(target))
        return real_open(target, *args, **kwargs)  # type: ignore[arg-type]

    # chmod 000 does not stop root, and CI often runs as root.
    monkeypatch.setattr(os, "open", denied)
    refusal = check_file(path)
    monkeypatch.undo()
    assert refusal == Refusal(
        "unreadable", "No se puede anexar «secreto.pdf»: no tiene permiso para leer el archivo."
    )


def test_content_check_reads_only_the_head(tmp_path: Path) -> None:
    # An executable signature past the head is not the start of the file, so it is no program.
    path = tmp_path / "largo.txt"
    path.write_bytes(b"a" * HEAD_SIZE + WINDOWS_PE)
    assert check_file(path) is None


def test_ole_is_refused_only_for_installer_names() -> None:
    assert check_content(OLE, "hoja.xls") is None
    refusal = check_content(OLE, "setup.msi")
    assert refusal is not None and refusal.code == "executable_content"


def test_normalize_name_examples() -> None:
    assert normalize_name("a.exe.") == "a.exe"
    assert normalize_name("a.exe   ") == "a.exe"
    assert normalize_name("a.exe::$DATA") == "a.exe"
    assert normalize_name("a.pdf:x.exe") == "a.pdf:x.exe"
    assert normalize_name("fdp\u202eexe.pdf") == "fdpexe.pdf"
    assert normalize_name("a.e\u200bxe") == "a.exe"
    assert normalize_name("\uff41\uff0e\uff45\uff58\uff45") == "a.exe"
    assert normalize_name("Precio:$5000.pdf") == "Precio:$5000.pdf"
    nfd = unicodedata.normalize("NFD", "REPRESENTACIÓN.pdf")
    assert normalize_name(nfd) == "REPRESENTACIÓN.pdf"


def test_printable_name_keeps_the_extension_of_long_names() -> None:
    shown = printable_name("x" * 1000 + ".exe")
    assert shown.endswith(".exe") and "…" in shown and len(shown) <= 130


# -- never raise ----------------------------------------------------------------------------

ANY_CHAR = st.characters(codec=None, categories=None, exclude_categories=())
TRICKS = st.sampled_from(
    [".", " ", ":", "::$DATA", "\u202e", "\u200b", "\x00", "exe", "CON", "/", "\\", "\ufdfa", "\U0001f600"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=ANY_CHAR, max_size=40), TRICKS), max_size=12).map("".join))
def test_name_functions_never_raise(name: str) -> None:
    normalized = normalize_name(name)
    assert isinstance(normalized, str)
    assert normalize_name(normalized) == normalized
    refusal = check_name(name)
    assert refusal is None or (refusal.code and refusal.message)
    assert isinstance(printable_name(name), str)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["C"]), min_size=1, max_size=60))
def test_appending_a_disguised_exe_is_always_refused(stem: str) -> None:
    for suffix in (".exe", ".exe.", ".exe  ", ".e\u200bxe", ".exe::$DATA", ".pdf:y.exe"):
        assert check_name(stem + suffix) is not None, stem + suffix


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=HEAD_SIZE + 16), st.text(alphabet=ANY_CHAR, max_size=20))
def test_check_content_never_raises(head: bytes, name: str) -> None:
    refusal = check_content(head, name)
    assert refusal is None or refusal.code == "executable_content"


@pytest.mark.parametrize(
    "name",
    [
        "a" * 1_000_000,
        "\ufdfa" * 100_000,  # NFKC expands each to 18 characters
        "\u200b" * 100_000 + "a.exe",
        "\x00" * 10_000,
        "\U0001f600" * 100_000,
        "\u202e" * 50_000,
        ":" * 50_000,
        ". " * 50_000,
    ],
    ids=["ascii", "nfkc-bomb", "zero-width", "nul", "emoji", "bidi", "colons", "dots"],
)
def test_huge_names_are_refused_quickly(name: str) -> None:
    assert isinstance(normalize_name(name), str)
    refusal = check_name(name)
    assert refusal is not None
    assert len(refusal.message) < 400
