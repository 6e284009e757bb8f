"""What a file is, read from its bytes alone (magic numbers and structure), never its name.

Pure Python, no libmagic. :func:`sniff` returns the :class:`FileType` of a file it accepts
or raises :class:`Refused` with a reason code; the caller turns the code into a message and
decides which of the types it allows. Office Open XML files are zip archives recognised by
their ``[Content_Types].xml`` and main part; Office 97 files are OLE compound files
recognised by their directory entries; SVG is accepted only as plain drawing markup.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree import ElementTree as ET


@dataclass(frozen=True)
class FileType:
    key: str
    mime: str
    extensions: tuple[str, ...]

    @property
    def extension(self) -> str:
        """The canonical extension (without the dot)."""
        return self.extensions[0]


TYPES: dict[str, FileType] = {
    t.key: t
    for t in (
        FileType("pdf", "application/pdf", ("pdf",)),
        FileType("png", "image/png", ("png",)),
        FileType("jpeg", "image/jpeg", ("jpg", "jpeg", "jpe", "jfif")),
        FileType("gif", "image/gif", ("gif",)),
        FileType("webp", "image/webp", ("webp",)),
        FileType("svg", "image/svg+xml", ("svg",)),
        FileType("text", "text/plain", ("txt", "text", "log")),
        FileType("csv", "text/csv", ("csv",)),
        FileType(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ("xlsx",),
        ),
        FileType(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
        ),
        FileType(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ("pptx",),
        ),
        FileType("xls", "application/vnd.ms-excel", ("xls",)),
        FileType("doc", "application/msword", ("doc",)),
    )
}


class Refused(Exception):
    """The content is of a kind never accepted. ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str):
        assert reason in REASONS, reason
        self.reason = reason
        super().__init__(reason)


REASONS = frozenset(
    {
        "empty",
        "executable",  # PE, ELF, Mach-O, Java class, WebAssembly, DEX, a script with #!
        "html",
        "svg_unsafe",  # script, event handler, foreign object or external reference
        "svg_invalid",  # not well-formed, or an SVG with entity declarations
        "archive",  # zip (other than Office), rar, 7z, gzip, bzip2, xz, zstd, tar, cab
        "macro",  # an Office file with a VBA project
        "encrypted",  # a password-protected Office file: its content cannot be checked
        "ole_unknown",  # an OLE compound file that is no Word or Excel document (e.g. .msi)
        "unknown",  # binary content of no known type
    }
)

EXECUTABLE_MAGIC = (
    b"MZ",  # PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O 32
    b"\xfe\xed\xfa\xcf",  # Mach-O 64
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"\x00asm",  # WebAssembly
    b"dex\n",  # Android
    b"#!",  # a script for an interpreter
)
ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",  # zstd
    b"MSCF\x00\x00\x00\x00",  # cabinet
    b"LZIP\x01",
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "xlsx",
        "xl/workbook.xml",
    ),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "docx",
        "word/document.xml",
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "pptx",
        "ppt/presentation.xml",
    ),
}
OOXML_MACRO_MAIN = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
}
CONTENT_TYPES_LIMIT = 1 << 20  # a [Content_Types].xml larger than 1 MiB is no Office file

# The WHATWG MIME sniffing standard's list of tags that make a resource HTML.
HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p"
    rb"|meta|link|object|embed|form|img)(?:[\s>/]|$)|<!--",
    re.IGNORECASE,
)
XML_PROLOGUE = re.compile(
    r"^(?:\s|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*>)*", re.IGNORECASE | re.DOTALL
)
SVG_NS = "http://www.w3.org/2000/svg"
XHTML_NS = "http://www.w3.org/1999/xhtml"
SVG_FORBIDDEN_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "handler",
    "listener",
    "audio",
    "video",
    "canvas",
}
CSS_EXTERNAL = re.compile(
    r"@import|expression\s*\(|url\s*\(\s*['\"]?\s*(?![\s'\"#])", re.IGNORECASE
)
TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(stream: BinaryIO) -> FileType:
    """The type of a seekable binary stream's content (read from its start, left rewound)."""
    stream.seek(0)
    head = stream.read(4096)
    stream.seek(0)
    try:
        return _classify(stream, head)
    finally:
        stream.seek(0)


def _classify(stream: BinaryIO, head: bytes) -> FileType:
    if not head:
        raise Refused("empty")
    if head.startswith(EXECUTABLE_MAGIC):
        raise Refused("executable")
    if head.startswith(b"%PDF-"):
        return TYPES["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return TYPES["gif"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return TYPES["webp"]
    if head.startswith(b"PK\x03\x04"):
        return _office_open_xml(stream)
    if head.startswith(OLE_MAGIC):
        return _office_97(stream.read())
    if (
        head.startswith(ARCHIVE_MAGIC)
        or re.match(rb"BZh[1-9]1AY&SY", head)  # bzip2
        or head[257:262] == b"ustar"  # tar
    ):
        raise Refused("archive")
    return _text(stream.read())


# --- Office ----------------------------------------------------------------------------------


def _office_open_xml(stream: BinaryIO) -> FileType:
    try:
        with zipfile.ZipFile(stream) as archive:
            members = {info.filename: info for info in archive.infolist()}
            info = members.get("[Content_Types].xml")
            if info is None or info.file_size > CONTENT_TYPES_LIMIT:
                raise Refused("archive")
            if any(name.lower().endswith("vbaproject.bin") for name in members):
                raise Refused("macro")
            with archive.open(info) as f:
                declared = f.read(CONTENT_TYPES_LIMIT + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise Refused("archive") from None
    try:
        root = ET.fromstring(declared)
    except ET.ParseError:
        raise Refused("archive") from None
    content_types = {el.get("ContentType", "") for el in root.iter() if el.get("ContentType")}
    if content_types & OOXML_MACRO_MAIN:
        raise Refused("macro")
    for content_type, (key, main_part) in OOXML_MAIN.items():
        if content_type in content_types and main_part in members:
            return TYPES[key]
    raise Refused("archive")


def ole_entry_names(data: bytes) -> set[str]:
    """Names of the directory entries of an OLE compound file.

    Directory entries are 128-byte records whose first 64 bytes hold the UTF-16LE name and
    whose byte 64 the name's length; sectors start at multiples of 512, so every entry
    starts at a multiple of 128 after the 512-byte header. Reading every aligned record
    that parses as an entry finds the directory without following the sector chains.
    """
    names: set[str] = set()
    for offset in range(512, len(data) - 127, 128):
        length = int.from_bytes(data[offset + 64 : offset + 66], "little")
        kind = data[offset + 66]
        if not (2 <= length <= 64 and length % 2 == 0 and kind in (1, 2, 5)):
            continue
        raw = data[offset : offset + length - 2]
        if data[offset + length - 2 : offset + length] != b"\x00\x00":
            continue
        try:
            name = raw.decode("utf-16-le")
        except UnicodeDecodeError:
            continue
        if name and name.isprintable():
            names.add(name)
    return names


def _office_97(data: bytes) -> FileType:
    names = ole_entry_names(data)
    if "EncryptedPackage" in names:
        raise Refused("encrypted")
    if names & {"Macros", "_VBA_PROJECT_CUR", "VBA"}:
        raise Refused("macro")
    if "WordDocument" in names:
        return TYPES["doc"]
    if names & {"Workbook", "Book"}:
        return TYPES["xls"]
    raise Refused("ole_unknown")


# --- text, HTML and SVG ---------------------------------------------------------------------


def decode_text(data: bytes) -> str | None:
    """The text of ``data`` in UTF-8, UTF-16 (with its BOM) or GB 18030; None for binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        if b"\x00" in data:
            return None
        candidates = ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if TEXT_CONTROLS.search(text) else text
    return None


def _text(data: bytes) -> FileType:
    text = decode_text(data)
    if text is None:
        raise Refused("unknown")
    start = text.lstrip("\ufeff \t\r\n\x0c")
    if start.startswith("#!"):
        raise Refused("executable")
    if start.startswith("<"):
        body = XML_PROLOGUE.sub("", start, count=1)
        if re.match(r"<(?:[\w.-]+:)?svg[\s>/]", body, re.IGNORECASE) or re.search(
            r"<!DOCTYPE\s+svg", start[:2048], re.IGNORECASE
        ):
            return _svg(start)
        if re.match(r"<(?:[\w.-]+:)?html[\s>/]", body, re.IGNORECASE):
            raise Refused("html")
    if HTML_START.match(start.encode("utf-8")):
        raise Refused("html")
    return TYPES["text"]


def _svg(text: str) -> FileType:
    if re.search(r"<!ENTITY|<!DOCTYPE[^>]*\[", text, re.IGNORECASE):
        raise Refused("svg_invalid")
    if re.search(r"<\?xml-stylesheet", text, re.IGNORECASE):
        raise Refused("svg_unsafe")
    source = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    try:
        root = ET.fromstring(source)
    except ET.ParseError:
        raise Refused("svg_invalid") from None
    namespace, local = _split(root.tag)
    if local != "svg" or namespace not in ("", SVG_NS):
        raise Refused("svg_invalid")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace, local = _split(element.tag)
        if namespace == XHTML_NS or local in SVG_FORBIDDEN_ELEMENTS:
            raise Refused("svg_unsafe")
        if local == "style" and CSS_EXTERNAL.search(element.text or ""):
            raise Refused("svg_unsafe")
        for name, value in element.attrib.items():
            if _unsafe_attribute(local, _split(name)[1], value):
                raise Refused("svg_unsafe")
    return TYPES["svg"]


def _unsafe_attribute(element: str, name: str, value: str) -> bool:
    squeezed = re.sub(r"\s+", "", value).lower()
    if name.startswith("on") or "javascript:" in squeezed or "vbscript:" in squeezed:
        return True
    if name == "href" and not value.strip().startswith("#"):
        return True  # an external reference (or a data: URI with content of its own)
    if element in ("set", "animate") and name == "attributename":
        return squeezed.split(":")[-1] == "href" or squeezed.startswith("on")
    return bool(CSS_EXTERNAL.search(value)) and (name == "style" or "url" in squeezed)


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local.lower()
    return "", tag.lower()


def text_flavour(file_type: FileType, extension: str) -> FileType:
    """Plain text named ``.csv`` is CSV: the one type that the name, not the content, decides."""
    if file_type.key == "text" and extension.lower() == "csv":
        return TYPES["csv"]
    return file_type
