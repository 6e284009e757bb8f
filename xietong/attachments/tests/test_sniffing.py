"""The type of a file read from its bytes, over a corpus of small crafted files."""

from __future__ import annotations

import io

import pytest

from xietong.attachments import sniff
from xietong.attachments.tests import corpus as c


def kind_of(data: bytes) -> str:
    return sniff.sniff(io.BytesIO(data)).key


def reason_for(data: bytes) -> str:
    with pytest.raises(sniff.Refused) as refused:
        sniff.sniff(io.BytesIO(data))
    return refused.value.reason


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (c.PDF, "pdf"),
        (c.PNG, "png"),
        (c.JPEG, "jpeg"),
        (c.GIF, "gif"),
        (c.WEBP, "webp"),
        (c.TEXT, "text"),
        (c.TEXT_GB18030, "text"),
        (c.TEXT_UTF16, "text"),
        (c.CSV, "text"),
        (c.SVG, "svg"),
        (c.svg('<circle r="2"/>'), "svg"),
        (c.XLSX, "xlsx"),
        (c.DOCX, "docx"),
        (c.PPTX, "pptx"),
        (c.DOC, "doc"),
        (c.XLS, "xls"),
        (c.XLS_95, "xls"),
        (b"<?xml version='1.0'?><rows><row/></rows>", "text"),
        (b"a < b and c > d\n", "text"),
    ],
)
def test_it_recognises_each_accepted_type_by_its_content(data, key):
    assert kind_of(data) == key


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (c.PE, "executable"),
        (c.ELF, "executable"),
        (c.MACHO_64, "executable"),
        (c.MACHO_FAT, "executable"),
        (c.MACHO_32_BE, "executable"),
        (c.WASM, "executable"),
        (c.SHELL_SCRIPT, "executable"),
        (c.PYTHON_AFTER_BOM, "executable"),
        (c.HTML, "html"),
        (c.HTML_SCRIPT, "html"),
        (c.XHTML, "html"),
        (c.HTML_COMMENT, "html"),
        (c.ZIP, "archive"),
        (c.ZIP_WITHOUT_MAIN_PART, "archive"),
        (c.BROKEN_ZIP, "archive"),
        (c.GZIP, "archive"),
        (c.BZIP2, "archive"),
        (c.XZ, "archive"),
        (c.SEVEN_Z, "archive"),
        (c.RAR, "archive"),
        (c.ZSTD, "archive"),
        (c.CAB, "archive"),
        (c.TAR, "archive"),
        (c.XLSM, "macro"),
        (c.DOCX_WITH_VBA, "macro"),
        (c.DOC_WITH_MACROS, "macro"),
        (c.ENCRYPTED_DOCX, "encrypted"),
        (c.MSI, "ole_unknown"),
        (c.BINARY, "unknown"),
        ("名单\x01\x02".encode(), "unknown"),
    ],
)
def test_it_refuses_each_forbidden_kind_with_its_reason(data, reason):
    assert reason_for(data) == reason


@pytest.mark.parametrize(
    "svg",
    [
        c.SCRIPTED_SVG,
        c.svg("<SCRIPT>alert(1)</SCRIPT>"),
        c.svg('<rect width="1" height="1"/>', 'onload="alert(1)"'),
        c.svg('<rect onclick="x()" width="1"/>'),
        c.svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'),
        c.svg('<g><p xmlns="http://www.w3.org/1999/xhtml">x</p></g>'),
        c.svg('<image href="https://example.org/track.png" width="1" height="1"/>'),
        c.svg('<use xlink:href="other.svg#r"/>'),
        c.svg('<a href="javascript:alert(1)"><text>x</text></a>'),
        c.svg('<a xlink:href=" java\tscript:alert(1)"><text>x</text></a>'),
        c.svg('<image href="data:image/svg+xml;base64,PHN2Zz4=" width="1"/>'),
        c.svg("<style>@import url(https://example.org/x.css);</style>"),
        c.svg('<rect fill="url(https://example.org/p.svg#g)" width="1"/>'),
        c.svg('<rect style="fill: url(\'http://example.org/x#g\')" width="1"/>'),
        c.svg('<a><set attributeName="href" to="#x"/><text>x</text></a>'),
        c.svg('<rect><animate attributeName="onmouseover" values="x"/></rect>'),
        c.svg("<iframe/>"),
        c.svg("<embed/>"),
        b'<?xml-stylesheet href="https://example.org/x.css"?>' + c.svg("<g/>"),
    ],
)
def test_it_refuses_an_svg_with_scripts_handlers_foreign_objects_or_external_references(svg):
    assert reason_for(svg) == "svg_unsafe"


@pytest.mark.parametrize(
    "svg",
    [
        b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>',
        b'<svg xmlns="http://example.org/not-svg"></svg>',
    ],
)
def test_it_refuses_an_svg_that_is_malformed_or_declares_entities(svg):
    assert reason_for(svg) == "svg_invalid"


def test_it_reads_the_directory_entry_names_of_an_ole_file():
    assert {"Root Entry", "WordDocument", "1Table"} <= sniff.ole_entry_names(c.DOC)


def test_it_leaves_the_stream_rewound_after_sniffing():
    stream = io.BytesIO(c.DOCX)
    sniff.sniff(stream)
    assert stream.tell() == 0


def test_it_calls_plain_text_named_csv_a_csv_table_and_nothing_else():
    text = sniff.TYPES["text"]
    assert sniff.text_flavour(text, "CSV").key == "csv"
    assert sniff.text_flavour(text, "txt").key == "text"
    assert sniff.text_flavour(sniff.TYPES["pdf"], "csv").key == "pdf"


def test_it_refuses_an_office_file_whose_declared_parts_file_is_huge():
    huge = c._zip({"[Content_Types].xml": b" " * (sniff.CONTENT_TYPES_LIMIT + 1)})
    assert reason_for(huge) == "archive"
