"""Small crafted files for the attachment tests: each is the least that makes it its type."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
import zlib

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    + _png_chunk(b"IEND", b"")
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"  # noqa: E501
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"  # noqa: E501
TEXT = "第一周：听课八节，参加数学教研活动。\nWeek 1: eight lessons observed.\n".encode()
TEXT_GB18030 = "跟岗研修周志：三河实验小学".encode("gb18030")
TEXT_UTF16 = "\ufeff姓名\t学校\n李三河\t三河实验\n".encode("utf-16-le")
CSV = "姓名,学校,课时\n李三河,三河实验,30\n".encode("utf-8-sig")

SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="10" height="10">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>'
    b'<rect id="r" width="10" height="10" fill="url(#g)" style="stroke: url(\'#g\')"/>'
    b'<use xlink:href="#r"/><inkscape:label>layer</inkscape:label></svg>'
)


def svg(inner: str, attrs: str = "") -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f" {attrs}>{inner}</svg>"
    ).encode()


SCRIPTED_SVG = svg("<script>alert(document.cookie)</script>")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def content_types(main: str, part: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main}"/></Types>'
    ).encode()


OOXML = "application/vnd.openxmlformats-officedocument"


def ooxml(main: str, part: str, extra: dict[str, bytes] | None = None) -> bytes:
    members = {"[Content_Types].xml": content_types(main, part), part: b"<x/>"}
    return _zip({**members, **(extra or {})})


XLSX = ooxml(f"{OOXML}.spreadsheetml.sheet.main+xml", "xl/workbook.xml")
DOCX = ooxml(f"{OOXML}.wordprocessingml.document.main+xml", "word/document.xml")
PPTX = ooxml(f"{OOXML}.presentationml.presentation.main+xml", "ppt/presentation.xml")
XLSM = ooxml("application/vnd.ms-excel.sheet.macroEnabled.main+xml", "xl/workbook.xml")
DOCX_WITH_VBA = ooxml(
    f"{OOXML}.wordprocessingml.document.main+xml",
    "word/document.xml",
    {"word/vbaProject.bin": b"x"},
)
ZIP = _zip({"report.pdf": PDF, "notes.txt": TEXT})
ZIP_WITHOUT_MAIN_PART = _zip(
    {"[Content_Types].xml": content_types(f"{OOXML}.spreadsheetml.sheet.main+xml", "x.xml")}
)
BROKEN_ZIP = b"PK\x03\x04" + b"\x00" * 40


def ole(*names: str) -> bytes:
    """An OLE compound file header and one directory sector holding ``names``."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x1E:0x20] = struct.pack("<H", 9)  # 512-byte sectors
    entries = bytearray()
    for i, name in enumerate(("Root Entry", *names)):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry = bytearray(128)
        entry[: len(raw)] = raw
        entry[64:66] = struct.pack("<H", len(raw))
        entry[66] = 5 if i == 0 else 2
        entries += entry
    entries += bytes(512 - len(entries) % 512)
    return bytes(header) + bytes(entries)


DOC = ole("WordDocument", "\x01CompObj", "1Table")
XLS = ole("Workbook", "\x05SummaryInformation")
XLS_95 = ole("Book")
DOC_WITH_MACROS = ole("WordDocument", "Macros", "VBA")
ENCRYPTED_DOCX = ole("EncryptionInfo", "EncryptedPackage")
MSI = ole("\u4840\u3b3f\u4577\u41e4", "SummaryInformation")

PE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56) + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01" + bytes(9)
MACHO_64 = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01"
MACHO_FAT = b"\xca\xfe\xba\xbe\x00\x00\x00\x02"
MACHO_32_BE = b"\xfe\xed\xfa\xce\x00\x00\x00\x07"
WASM = b"\x00asm\x01\x00\x00\x00"
SHELL_SCRIPT = b"#!/bin/sh\nrm -rf ~\n"
PYTHON_AFTER_BOM = "\ufeff\n#!/usr/bin/env python3\nprint('x')\n".encode()

HTML = b"<!DOCTYPE html><html><body><p>hi</p></body></html>"
HTML_SCRIPT = b"  \n<script>fetch('/api/')</script>"
XHTML = b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'
HTML_COMMENT = b"<!-- saved page --><div>x</div>"

GZIP = gzip.compress(b"hello", mtime=0)  # the same bytes (and test id) every run
BZIP2 = bz2.compress(b"hello")
XZ = lzma.compress(b"hello")
SEVEN_Z = b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(24)
RAR = b"Rar!\x1a\x07\x01\x00" + bytes(8)
ZSTD = b"\x28\xb5\x2f\xfd\x04\x00" + bytes(8)
CAB = b"MSCF\x00\x00\x00\x00" + bytes(28)


def _tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        info = tarfile.TarInfo("notes.txt")
        info.size = len(TEXT)
        t.addfile(info, io.BytesIO(TEXT))
    return buf.getvalue()


TAR = _tar()
BINARY = bytes(range(256)) * 4
