"""Byte samples shared by the attachment and package tests: headers only, never a working program."""

from __future__ import annotations

import struct


def dos_header(e_lfanew: int = 0x80) -> bytes:
    """A consistent DOS "MZ" header, as every Windows program starts (0x40 bytes)."""
    header = bytearray(0x40)
    header[0:2] = b"MZ"
    struct.pack_into("<HHHHHH", header, 2, 0x90, 3, 0, 4, 0, 0xFFFF)  # cblp, cp, crlc, cparhdr, min, max
    struct.pack_into("<H", header, 0x18, 0x40)  # relocation table right after the header
    struct.pack_into("<I", header, 0x3C, e_lfanew)
    return bytes(header)


# A Windows PE program's first bytes: DOS header, stub padding, then "PE\0\0" where e_lfanew points.
WINDOWS_PE = dos_header(0x80) + b"\x00" * 0x40 + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200
# A plain DOS program: no PE header, but header fields that agree with each other.
DOS_MZ = dos_header(0) + b"\x00" * 200
