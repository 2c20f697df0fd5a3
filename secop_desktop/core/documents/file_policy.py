"""Which files may be attached: any document, never an executable, whatever its disguise."""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype

DEFAULT_MAX_SIZE = 1 << 30
# Enough for every magic number below, and for filetype, which looks at most ~8 KiB.
HEAD_SIZE = 8192
MAX_NAME_BYTES = 255
# Beyond this a name cannot come from a real file system; refuse before normalising it.
_MAX_RAW_CHARS = 4096
_DISPLAY_MAX_CHARS = 120
_DISPLAY_TAIL_CHARS = 30

# Bidi controls can make "fotogpj.exe" display as "fotoexe.jpg": using one in a file name is
# a disguise, so it is refused rather than just stripped.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # isolates
    "\u200e\u200f\u061c"  # marks
)

# Default-ignorable characters that are not in category Cf, so the category test misses them.
_INVISIBLE_EXTRA = frozenset(
    [chr(c) for c in range(0xFE00, 0xFE10)]  # variation selectors
    + [chr(c) for c in range(0xE0100, 0xE01F0)]  # variation selectors supplement
    + ["\u180b", "\u180c", "\u180d", "\u180f"]  # Mongolian variation selectors
    + ["\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u3164", "\uffa0"]  # CGJ, fillers
)

# Windows opens these as devices whatever the extension, even "CON .txt" or "nul.tar.gz".
RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"COM{i}" for i in range(10)]
    + [f"LPT{i}" for i in range(10)]
)

# What each refused extension is, in words for the message. Programs and scripts, then
# Microsoft's list of file types Outlook blocks, then the containers and shortcuts used to
# smuggle programs past Windows' download warnings (a mounted .iso loses the mark of the web).
_REFUSED_KINDS: dict[str, str] = {
    "programas y scripts": """
        exe com scr bat cmd pif msc gadget application appref-ms xbap vb vbs vbe vbp vbscript
        js jse wsf wsh wsc ws sct hta ps1 ps1xml ps2 ps2xml psc1 psc2 psd1 psdm1 psm1 pssc
        msh msh1 msh2 mshxml msh1xml msh2xml bas prg pl plg py pyc pyo pyw pyz pyzw
        sh bash zsh csh ksh fish command tool terminal run bin elf out app action workflow
        appimage snap jar class jnlp xnk ade adp mda mdb mde mdt mdw mdz asp aspx asx
        fxp ins isp its mcf ops osd pcd prf shb shs udl vsmacros vsw webpnp printerexport
        """,
    "instaladores y paquetes de aplicaciones": """
        msi msp mst msu msix msixbundle appx appxbundle appinstaller deb rpm dmg pkg mpkg
        apk xapk aab ipa xap diagcab
        """,
    "bibliotecas y complementos que Windows u Office cargan": """
        dll ocx sys drv efi xll cpl so dylib
        """,
    "accesos directos y archivos que abren otros programas": """
        lnk url website scf inf reg library-ms search-ms searchconnector-ms settingcontent-ms
        appcontent-ms desktop wsb theme themepack grp bgi cnt hpj htc
        mad maf mag mam maq mar mas mat mau mav maw
        """,
    "ayudas de Windows que pueden ejecutar código": "chm hlp",
    "imágenes de disco que Windows monta (saltan la advertencia de descarga)": "iso img vhd vhdx",
    "certificados que se instalarían en Windows": "cer crt der",
    "archivos de datos de Outlook y temporales": "pst tmp",
}
REFUSED_EXTENSIONS: dict[str, str] = {
    ext: kind for kind, words in _REFUSED_KINDS.items() for ext in words.split()
}
EXECUTABLE_EXTENSIONS = frozenset(REFUSED_EXTENSIONS)

_EXECUTABLE_MIMES = frozenset(
    {
        "application/x-msdownload",
        "application/x-dosexec",
        "application/vnd.microsoft.portable-executable",
        "application/x-executable",
        "application/x-elf",
        "application/x-sharedlib",
        "application/x-mach-o",
        "application/x-mach-binary",
        "application/x-deb",
        "application/x-rpm",
        "application/java-archive",
        "application/java-vm",
        "application/x-google-chrome-extension",
    }
)

# NTFS attribute types: "a.exe::$DATA" is a.exe itself, so the suffix is dropped.
_NTFS_STREAM_TYPES = frozenset(
    {
        "$DATA",
        "$INDEX_ALLOCATION",
        "$BITMAP",
        "$ATTRIBUTE_LIST",
        "$EA",
        "$EA_INFORMATION",
        "$FILE_NAME",
        "$LOGGED_UTILITY_STREAM",
        "$OBJECT_ID",
        "$REPARSE_POINT",
        "$SECURITY_DESCRIPTOR",
        "$STANDARD_INFORMATION",
        "$VOLUME_INFORMATION",
        "$VOLUME_NAME",
    }
)

_MACHO_MAGICS = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    # Fat binaries; CAFEBABE is also a Java class file, which is just as executable.
    b"\xca\xfe\xba\xbe",
    b"\xca\xfe\xba\xbf",
    b"\xbe\xba\xfe\xca",
    b"\xbf\xba\xfe\xca",
)
_LNK_MAGIC = b"\x4c\x00\x00\x00\x01\x14\x02\x00"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Root-entry CLSIDs of Windows Installer packages, patches and transforms (little-endian).
_MSI_CLSIDS = frozenset(
    bytes.fromhex(f"{first}0c0000000000c000000000000046") for first in ("8410", "8610", "8210")
)
_UTF8_BOM = b"\xef\xbb\xbf"
# Entries that make a zip a Java, Android or iOS application, wherever they are in the zip.
_APP_ZIP_ENTRIES = frozenset({"META-INF/MANIFEST.MF", "AndroidManifest.xml", "classes.dex"})
# Beyond this the central directory is not read for app entries (the local headers in the head still are).
_MAX_CENTRAL_DIRECTORY = 16 << 20


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def _is_invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" or ch in _INVISIBLE_EXTRA


def _strip_invisible(text: str) -> str:
    # ASCII has no format characters; skipping the per-character walk keeps common names cheap.
    if text.isascii():
        return text
    return "".join(ch for ch in text if not _is_invisible(ch))


def _rstrip_dots_spaces(text: str) -> str:
    end = len(text)
    while end and (text[end - 1] == "." or unicodedata.category(text[end - 1]) == "Zs"):
        end -= 1
    return text[:end]


def normalize_name(name: str) -> str:
    """The name as Windows would really use it, with the tricks removed.

    Invisible and bidi characters go, NFKC folds look-alikes ('．ｅｘｅ'), trailing dots and
    spaces go ('a.exe. ' opens as 'a.exe'), and a trailing NTFS stream type is dropped
    ('a.exe::$DATA'). Other stream segments ('a.pdf:x.exe') are kept so check_name can see them.
    """
    text = _strip_invisible(name)
    text = unicodedata.normalize("NFKC", text)
    # NFKC can, in principle, produce format characters from compatibility forms.
    text = _strip_invisible(text)
    segments = [_rstrip_dots_spaces(s) for s in text.split(":")]
    # Repeat until stable so that normalising twice changes nothing ("::$DATA:" -> "").
    while True:
        # An empty stream name ("a.exe::$DATA") means the file's own content.
        while len(segments) > 1 and not segments[-1]:
            segments.pop()
        if len(segments) >= 3 and segments[-1].upper() in _NTFS_STREAM_TYPES:
            segments.pop()
            continue
        return ":".join(segments)


def _token(ch: str) -> str:
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") or ch in _INVISIBLE_EXTRA:
        return f"[U+{ord(ch):04X}]"
    return ch


def printable_name(name: str) -> str:
    """The name as messages show it: hidden characters as [U+XXXX], long names shortened.

    Shortening keeps the end, because the extension is what the user needs to see.
    """
    limit = _DISPLAY_MAX_CHARS
    head_tokens = [_token(ch) for ch in name[: limit + 1]]
    if len(name) <= limit and sum(map(len, head_tokens)) <= limit:
        return "".join(head_tokens)
    head: list[str] = []
    used = 0
    for token in head_tokens:
        if used + len(token) > limit - _DISPLAY_TAIL_CHARS - 1:
            break
        head.append(token)
        used += len(token)
    # The tail comes only from characters the head did not show, so nothing appears twice.
    rest = name[len(head) :]
    tail: list[str] = []
    used = 0
    for ch in reversed(rest[-_DISPLAY_TAIL_CHARS:]):
        token = _token(ch)
        if used + len(token) > _DISPLAY_TAIL_CHARS:
            break
        tail.append(token)
        used += len(token)
    return "".join(head) + "…" + "".join(reversed(tail))


def _refuse(code: str, name: str, reason: str) -> Refusal:
    shown = printable_name(name)
    subject = f"«{shown}»" if shown else "un archivo sin nombre"
    return Refusal(code, f"No se puede anexar {subject}: {reason}")


def _utf8_len(text: str) -> int:
    # surrogatepass: undecodable file names reach Python as lone surrogates; measure, don't raise.
    return len(text.encode("utf-8", "surrogatepass"))


def _extension(segment: str) -> str:
    _, dot, ext = segment.rpartition(".")
    return ext.strip().casefold() if dot else ""


def check_name(name: str) -> Refusal | None:
    """Refuse names that are executable, reserved, path-like, hidden or unusable; None if fine."""
    if len(name) > _MAX_RAW_CHARS:
        return _refuse("name_too_long", name, "el nombre es demasiado largo. Acórtelo e inténtelo de nuevo.")
    normalized = normalize_name(name)
    if not normalized.strip(" ."):
        return _refuse(
            "empty_name", name, "el nombre está vacío o solo tiene puntos o espacios."
        )
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in normalized):
        return _refuse(
            "control_chars", name, "el nombre contiene caracteres de control o no válidos."
        )
    if any(ch in BIDI_CONTROLS for ch in name):
        return _refuse(
            "hidden_extension",
            name,
            "el nombre contiene caracteres que ocultan la extensión real.",
        )
    # A bare ".." is already empty once trailing dots go; with a separator it is caught here.
    if "/" in normalized or "\\" in normalized:
        return _refuse(
            "path_in_name",
            name,
            "el nombre no puede contener rutas («/», «\\» o «..»).",
        )
    if _utf8_len(name) > MAX_NAME_BYTES or _utf8_len(normalized) > MAX_NAME_BYTES:
        return _refuse("name_too_long", name, "el nombre es demasiado largo. Acórtelo e inténtelo de nuevo.")
    segments = normalized.split(":")
    # Windows ignores spaces before the first dot here: "CON .txt" is still the console.
    device = segments[0].split(".", 1)[0].rstrip(" ").upper()
    if device in RESERVED_NAMES:
        return _refuse(
            "reserved_name",
            name,
            f"«{device}» es un nombre reservado de Windows. Cambie el nombre del archivo.",
        )
    for segment in segments:
        ext = _extension(segment)
        if ext in EXECUTABLE_EXTENSIONS:
            return _refuse(
                "executable_name", name,
                f"los archivos .{ext} no se aceptan ({REFUSED_EXTENSIONS[ext]}); solo se aceptan documentos.",
            )
    return None


def _is_app_entry(name: str) -> bool:
    # iOS apps are "Payload/<name>.app/..."; a bare "META-INF/" folder alone is not a program.
    if name in _APP_ZIP_ENTRIES:
        return True
    parts = name.split("/")
    return len(parts) > 2 and parts[0] == "Payload" and parts[1].endswith(".app")


def _local_entry_names(head: bytes) -> list[str]:
    """Names of the zip's local file headers found in the head, in any order."""
    names: list[str] = []
    at = head.find(b"PK\x03\x04")
    while 0 <= at and at + 30 <= len(head):
        name_len = int.from_bytes(head[at + 26 : at + 28], "little")
        names.append(head[at + 30 : at + 30 + name_len].decode("utf-8", "replace"))
        at = head.find(b"PK\x03\x04", at + 30 + name_len)
    return names


def _central_directory_names(fd: int, size: int) -> list[str]:
    """Every entry name of a zip, read from its central directory without parsing the whole file."""
    tail_size = min(size, 65_557)  # EOCD (22 bytes) plus the longest comment
    tail = os.pread(fd, tail_size, size - tail_size)
    eocd = tail.rfind(b"PK\x05\x06")
    if eocd < 0 or eocd + 22 > len(tail):
        return []
    cd_size = int.from_bytes(tail[eocd + 12 : eocd + 16], "little")
    cd_offset = int.from_bytes(tail[eocd + 16 : eocd + 20], "little")
    if cd_size > _MAX_CENTRAL_DIRECTORY or cd_offset + cd_size > size:
        return []
    directory = os.pread(fd, cd_size, cd_offset)
    names: list[str] = []
    at = 0
    while at + 46 <= len(directory) and directory[at : at + 4] == b"PK\x01\x02":
        name_len = int.from_bytes(directory[at + 28 : at + 30], "little")
        extra_len = int.from_bytes(directory[at + 30 : at + 32], "little")
        comment_len = int.from_bytes(directory[at + 32 : at + 34], "little")
        names.append(directory[at + 46 : at + 46 + name_len].decode("utf-8", "replace"))
        at += 46 + name_len + extra_len + comment_len
    return names


def _u16(head: bytes, offset: int) -> int:
    return int.from_bytes(head[offset : offset + 2], "little")


def _windows_program(head: bytes) -> bool:
    """A real DOS/Windows executable header, not merely a text that starts with "MZ".

    The DOS header's e_lfanew (at 0x3C) points at the "PE\\0\\0" signature of a Windows
    program, or at "NE"/"LE"/"LX" of 16-bit and VxD programs; a plain DOS program has header
    fields that agree with each other (a text does not: "MZ Distribuciones" has 17,440 bytes on
    its "last page", which holds at most 512).
    """
    if len(head) < 0x40 or not head.startswith(b"MZ"):
        return False
    e_lfanew = int.from_bytes(head[0x3C:0x40], "little")
    if 0x40 <= e_lfanew <= len(head) - 4:
        signature = head[e_lfanew : e_lfanew + 4]
        if signature == b"PE\0\0" or signature[:2] in (b"NE", b"LE", b"LX"):
            return True
    e_cblp, e_cp, e_crlc, e_cparhdr = _u16(head, 2), _u16(head, 4), _u16(head, 6), _u16(head, 8)
    e_minalloc, e_maxalloc, e_lfarlc = _u16(head, 0x0A), _u16(head, 0x0C), _u16(head, 0x18)
    return (
        e_cblp < 512
        and 1 <= e_cp
        and 2 <= e_cparhdr
        and e_minalloc <= e_maxalloc
        and 0x1C <= e_lfarlc
        and e_lfarlc + 4 * e_crlc <= 16 * e_cparhdr <= 512 * e_cp
    )


def _is_msi(head: bytes) -> bool:
    """Best effort: an OLE file whose root entry carries an installer CLSID, if within head."""
    if len(head) < 512 or not head.startswith(_OLE_MAGIC):
        return False
    shift = int.from_bytes(head[0x1E:0x20], "little")
    if shift not in (9, 12):
        return False
    first_dir_sector = int.from_bytes(head[0x30:0x34], "little")
    offset = (first_dir_sector + 1) * (1 << shift) + 0x50
    return head[offset : offset + 16] in _MSI_CLSIDS


_DOS_MIMES = frozenset({"application/x-msdownload", "application/x-dosexec",
                        "application/vnd.microsoft.portable-executable"})
_APP_KIND = "una aplicación empaquetada (Java, Android o iOS)"


def _content_kind(head: bytes, name: str) -> str | None:
    """What kind of program the bytes are, in words for the user, or None."""
    if _windows_program(head):
        return "un programa de Windows"
    if head.startswith(b"\x7fELF"):
        return "un programa de Linux"
    # Java classes have a major version >= 45 where fat Mach-O has a small arch count.
    if head.startswith(b"\xca\xfe\xba\xbe") and int.from_bytes(head[4:8], "big") >= 45:
        return "un programa de Java"
    if head.startswith(_MACHO_MAGICS):
        return "un programa de macOS"
    text = head[len(_UTF8_BOM) :] if head.startswith(_UTF8_BOM) else head
    if text.startswith(b"#!"):
        return "un script ejecutable"
    if head.startswith(_LNK_MAGIC):
        return "un acceso directo de Windows"
    if text[:18].lower() == b"[internetshortcut]":
        return "un acceso directo de Internet"
    # OLE is also .doc/.xls/.ppt, so only an installer CLSID or an installer name refuses it.
    if head.startswith(_OLE_MAGIC) and (
        _is_msi(head) or _extension(normalize_name(name)) in ("msi", "msp", "mst")
    ):
        return "un instalador de Windows"
    if head.startswith(b"PK\x03\x04") and any(map(_is_app_entry, _local_entry_names(head))):
        return _APP_KIND
    try:
        kind = filetype.guess(head)
    except Exception:  # noqa: BLE001 - a detector bug must not stop the other checks
        kind = None
    # filetype calls anything starting with "MZ" a Windows program; _windows_program decided that.
    if kind is not None and kind.mime in _EXECUTABLE_MIMES - _DOS_MIMES:
        return "un programa o instalador"
    return None


def check_content(head: bytes, name: str) -> Refusal | None:
    """Refuse executable content whatever the name says; head should be the first HEAD_SIZE bytes."""
    kind = _content_kind(bytes(head), name)
    if kind is None:
        return None
    return _refuse(
        "executable_content",
        name,
        f"su contenido es {kind}, aunque el nombre no lo indique. "
        "Solo se aceptan documentos.",
    )


def format_size(size: int) -> str:
    """Human size in Spanish with binary units: '1 GiB', '1,5 MiB', '900 bytes'."""
    if size == 1:
        return "1 byte"
    if abs(size) < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if abs(value) < 1024 or unit == "TiB":
            break
    text = f"{value:.1f}".replace(".", ",")
    return f"{text.removesuffix(',0')} {unit}"


def _read_error(name: str, exc: OSError) -> Refusal:
    if exc.errno == errno.ENOENT:
        reason = "el archivo ya no existe."
    elif exc.errno in (errno.EACCES, errno.EPERM):
        reason = "no tiene permiso para leer el archivo."
    elif exc.errno == errno.EISDIR:
        reason = "es una carpeta, no un archivo."
    else:
        reason = "no se pudo leer el archivo."
    return _refuse("unreadable", name, reason)


def _not_regular(name: str, mode: int) -> Refusal:
    if stat.S_ISDIR(mode):
        return _refuse("not_regular", name, "es una carpeta, no un archivo.")
    return _refuse("not_regular", name, "no es un archivo normal (es un dispositivo o un enlace especial).")


def _size_refusal(name: str, size: int, max_size: int) -> Refusal | None:
    shown = printable_name(name)
    if size == 0:
        return Refusal("empty_file", f"El archivo «{shown}» está vacío.")
    if size > max_size:
        return Refusal(
            "too_large",
            f"El archivo «{shown}» supera el tamaño máximo permitido ({format_size(max_size)}).",
        )
    return None


def check_file(
    path: Path, display_name: str | None = None, max_size: int = DEFAULT_MAX_SIZE
) -> Refusal | None:
    """Name, then size, then content; None when the file may be attached."""
    name = display_name if display_name is not None else path.name
    refusal = check_name(name)
    if refusal is not None:
        return refusal
    try:
        # stat first so a FIFO or device is refused before open() could block on it.
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            return _not_regular(name, mode)
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
        try:
            # Re-check on the open descriptor: the path may have been swapped since stat.
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return _not_regular(name, info.st_mode)
            refusal = _size_refusal(name, info.st_size, max_size)
            if refusal is not None:
                return refusal
            chunks: list[bytes] = []
            remaining = HEAD_SIZE
            while remaining:
                chunk = os.read(fd, remaining)
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            # A jar or apk may list its manifest last: read the zip's own table of contents.
            if b"".join(chunks[:1]).startswith(b"PK\x03\x04") and any(
                map(_is_app_entry, _central_directory_names(fd, info.st_size))
            ):
                return _refuse("executable_content", name, f"su contenido es {_APP_KIND}, aunque el nombre no lo "
                               "indique. Solo se aceptan documentos.")
        finally:
            os.close(fd)
    except OSError as exc:
        return _read_error(name, exc)
    except ValueError:
        # Paths with NUL bytes raise ValueError in os.stat.
        return _refuse("unreadable", name, "no se pudo leer el archivo.")
    return check_content(b"".join(chunks), name)
