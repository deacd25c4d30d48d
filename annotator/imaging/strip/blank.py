"""Valid encodings of an all-black strip or tile, so a blanked slide-label image still decodes."""

from __future__ import annotations

import io
import zlib

from PIL import Image

from annotator.imaging.strip.base import CHUNK

MAX_DECODED = 64 << 20  # larger segments are simply zero-filled
_CLEAR, _EOI, _FIRST, _FULL = 256, 257, 258, 4094


def black_segment(
    compression: int,
    *,
    width: int,
    rows: int,
    samples: int,
    bits: int,
    photometric: int,
    subsampling: tuple[int, ...],
) -> bytes | None:
    """Encoded zeros for one strip/tile of this geometry, or None when zero-filling is all we can do."""
    row_bytes = (width * samples * bits + 7) // 8
    decoded = row_bytes * rows
    if width <= 0 or rows <= 0 or not 0 < decoded <= MAX_DECODED:
        return None
    if compression in (8, 32946):
        data = _deflate_zeros(decoded)
    elif compression == 5:
        data = _lzw_zeros(decoded)
    elif compression == 32773:
        data = _packbits_zeros(row_bytes) * rows
    elif compression == 7 and bits == 8 and samples in (1, 3) and max(width, rows) <= 65_000:
        try:
            data = _jpeg_black(width, rows, samples, photometric, subsampling)
        except (OSError, ValueError):
            return None
    else:
        return None  # uncompressed zeros are already a valid black image; others cannot be rebuilt
    return data


def _deflate_zeros(size: int) -> bytes:
    """A zlib stream of `size` zero bytes."""
    packer = zlib.compressobj(9)
    parts = []
    block = bytes(min(size, CHUNK))
    while size > 0:
        parts.append(packer.compress(block[: min(size, CHUNK)]))
        size -= CHUNK
    parts.append(packer.flush())
    return b"".join(parts)


def _lzw_zeros(size: int) -> bytes:
    """A TIFF LZW stream (MSB-first, early change) of `size` zero bytes, following the encoder in TIFF 6.0 §13."""
    bits, nbits, acc, out = 0, 9, 0, bytearray()

    def put(code: int) -> None:
        """Append one code of the current width, most significant bit first."""
        nonlocal bits, acc
        acc = (acc << nbits) | code
        bits += nbits
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
        acc &= (1 << bits) - 1

    put(_CLEAR)
    free, longest, remaining = _FIRST, 1, size
    while True:
        take = min(longest, remaining)
        remaining -= take
        put(0 if take == 1 else _CLEAR + take)  # the run of k zeros got code 256 + k
        free += 1
        if free == _FULL:
            put(_CLEAR)
            free, longest, nbits = _FIRST, 1, 9
        else:
            longest += 1
            nbits += free > (1 << nbits) - 1
        if not remaining:
            break
    put(_EOI)
    if bits:
        out.append((acc << (8 - bits)) & 0xFF)
    return bytes(out)


def _packbits_zeros(row_bytes: int) -> bytes:
    """One PackBits-encoded row of zeros."""
    full, rest = divmod(row_bytes, 128)
    tail = b"" if not rest else (b"\x00\x00" if rest == 1 else bytes((257 - rest, 0)))
    return b"\x81\x00" * full + tail


def _jpeg_black(width: int, rows: int, samples: int, photometric: int, subsampling: tuple[int, ...]) -> bytes | None:
    """A complete JPEG stream of a black image matching the TIFF's colour layout."""
    options: dict[str, object] = {"quality": 50}
    if samples == 3:
        modes = {(1, 1): 0, (2, 1): 1, (2, 2): 2}
        if photometric == 6 and subsampling not in modes:
            return None
        options["subsampling"] = modes[subsampling] if photometric == 6 else 0
        options["keep_rgb"] = photometric == 2
    buffer = io.BytesIO()
    Image.new("L" if samples == 1 else "RGB", (width, rows)).save(buffer, "JPEG", **options)
    return buffer.getvalue()
