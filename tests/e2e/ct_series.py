"""A synthetic CT series for browser tests and the viewer benchmark: known HU per region and per slice.

Slice k (in position order, ascending z) holds HU_PER_SLICE[k] in a centre square and -1000 (air) around it;
instance numbers run backwards and files come in a shuffled order, so only ordering by position gives k.
"""

from __future__ import annotations

import io
import random

import numpy as np
from pydicom.uid import generate_uid

from tests.annotator.dicom.factories import image

HU_PER_SLICE = (-700, -100, 60, 200, 900)
AIR = -1000
SPACING = (0.5, 0.8)  # PixelSpacing: between rows (y), between columns (x), mm
THICKNESS = 2.5
FILE_WINDOW = (40, 400)


def centre_square(size: int) -> slice:
    """Rows (and columns) of the centre region: the middle half of the image."""
    return slice(size // 4, size - size // 4)


def slice_values(size: int, hu: int) -> np.ndarray:
    values = np.full((size, size), AIR, dtype=np.int16)
    square = centre_square(size)
    values[square, square] = hu
    return values


def phantom_values(size: int, k: int, count: int) -> np.ndarray:
    """A chest-like slice for the benchmark and screenshots: body, two lungs, a spine, noise of ±20 HU."""
    y, x = np.mgrid[0:size, 0:size] / size - 0.5
    rng = np.random.default_rng(k)
    values = np.full((size, size), AIR, dtype=np.float64)
    values[(x / 0.45) ** 2 + (y / 0.33) ** 2 < 1] = 40
    lung = 0.12 + 0.04 * np.sin(np.pi * k / max(count - 1, 1))
    for side in (-0.2, 0.2):
        values[((x - side) / lung) ** 2 + ((y + 0.02) / 0.2) ** 2 < 1] = -850
    values[(x**2 + (y - 0.2) ** 2) < 0.045**2] = 700
    values += rng.normal(0, 20, size=(size, size)) * (values > AIR)
    return np.clip(values, -1024, 3071).astype(np.int16)


def ct_series(
    *, size: int = 128, hu_per_slice: tuple[int, ...] = HU_PER_SLICE, seed: int = 7, phantom: bool = False
) -> list[io.BytesIO]:
    """One file per slice, as uploads (named, shuffled); stored values are HU + 1024 with intercept -1024."""
    series, study, frame_of_reference = generate_uid(), generate_uid(), generate_uid()
    files = []
    count = len(hu_per_slice)
    for k, hu in enumerate(hu_per_slice):
        ds = image(
            ((phantom_values(size, k, count) if phantom else slice_values(size, hu)) + 1024).astype(np.int16),
            Modality="CT",
            StudyInstanceUID=study,
            SeriesInstanceUID=series,
            FrameOfReferenceUID=frame_of_reference,
            PatientID="pseudo",
            ImageOrientationPatient=[1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            ImagePositionPatient=[-40.0, -40.0, -20.0 + THICKNESS * k],
            PixelSpacing=list(SPACING),
            SliceThickness=THICKNESS,
            RescaleIntercept=-1024,
            RescaleSlope=1,
            RescaleType="HU",
            WindowCenter=FILE_WINDOW[0],
            WindowWidth=FILE_WINDOW[1],
            InstanceNumber=count - k,
        )
        buffer = io.BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        buffer.seek(0)
        buffer.name = f"ct-{count - k:03d}.dcm"
        files.append(buffer)
    random.Random(seed).shuffle(files)
    return files


def window_linear(x: float, center: float, width: float) -> int:
    """DICOM PS3.3 C.11.2.1.2.1 LINEAR onto 0..255, written independently of the frontend's code."""
    if x <= center - 0.5 - (width - 1) / 2:
        return 0
    if x > center - 0.5 + (width - 1) / 2:
        return 255
    return round(((x - (center - 0.5)) / (width - 1) + 0.5) * 255)
