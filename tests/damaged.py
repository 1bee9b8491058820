"""Damaged and hostile workbooks, built from a good one: what a fault campaign feeds the
readers (corrupt deflate data, DOCTYPE entities, missing or empty sheet parts, a zip bomb
whose headers lie about its size)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.helpers import write_workbook

SHEET = "xl/worksheets/sheet1.xml"
ENTITIES = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
)


def good_workbook(path: Path) -> bytes:
    rows = [["date", "channel", "contacts", "conversions", "revenue"]]
    rows += [[f"2026-10-{day:02d}", "LinkedIn", 10, 1, 100] for day in range(1, 29)]
    return write_workbook(path, {"results": rows}).read_bytes()


def rewritten(good: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The workbook with each part passed through `change` (None drops the part)."""
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info.filename))
            if data is not None:
                target.writestr(info.filename, data)
    return out.getvalue()


def _on_sheet(change: Callable[[bytes], bytes | None]) -> Callable[[str, bytes], bytes | None]:
    return lambda name, data: change(data) if name == SHEET else data


def _with_entity(data: bytes) -> bytes:
    body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
    cell = b'<c r="B2" t="inlineStr"><is><t>LinkedIn</t></is></c>'
    assert cell in body
    return ENTITIES + body.replace(cell, b'<c r="B2" t="inlineStr"><is><t>&b;</t></is></c>')


def corrupt_deflate(good: bytes) -> bytes:
    """Bytes flipped inside the sheet part's compressed data (its CRC no longer holds)."""
    info = zipfile.ZipFile(io.BytesIO(good)).getinfo(SHEET)
    damaged = bytearray(good)
    name_length, extra_length = struct.unpack("<HH", damaged[info.header_offset + 26 :][:4])
    start = info.header_offset + 30 + name_length + extra_length
    for offset in range(start + 20, start + 40):
        damaged[offset] ^= 0x55
    return bytes(damaged)


def lying_zip_bomb(good: bytes, unpacked_mb: int = 64) -> bytes:
    """The sheet part replaced by `unpacked_mb` MB that its headers declare as 1,000 bytes,
    so a size check on the headers alone passes."""
    big = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        + b"A" * (unpacked_mb << 20)
        + b"</t></is></c></row></sheetData></worksheet>"
    )
    source = zipfile.ZipFile(io.BytesIO(good))
    members = []
    for info in source.infolist():
        data = big if info.filename == SHEET else source.read(info.filename)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = packer.compress(data) + packer.flush()
        declared = 1000 if info.filename == SHEET else len(data)
        members.append((info.filename.encode(), packed, zlib.crc32(data), declared))
    return _raw_zip(members)


def _raw_zip(members: list[tuple[bytes, bytes, int, int]]) -> bytes:
    """A zip written by hand, so its headers can say what they like."""
    body, directory = bytearray(), bytearray()
    for name, packed, crc, declared in members:
        offset = len(body)
        sizes = (crc, len(packed), declared, len(name))
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, *sizes, 0) + name + packed
        directory += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, *sizes, 0, 0, 0, 0, 0, offset
            )
            + name
        )
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0
    )
    return bytes(body + directory + end)


def damaged_workbooks(tmp_path: Path) -> dict[str, bytes]:
    """File name → bytes of each kind of damage, each from the same good workbook."""
    good = good_workbook(tmp_path / "good-template.xlsx")
    return {
        "corrupt-deflate.xlsx": corrupt_deflate(good),
        "doctype-entity.xlsx": rewritten(good, _on_sheet(_with_entity)),
        "missing-sheet.xlsx": rewritten(good, _on_sheet(lambda data: None)),
        "empty-sheet.xlsx": rewritten(good, _on_sheet(lambda data: b"")),
        "lying-zip-bomb.xlsx": lying_zip_bomb(good),
        "cut-off.xlsx": good[: len(good) // 2],
    }
