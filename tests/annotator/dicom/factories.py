"""Synthetic DICOM datasets for the DICOM tests: single slices, enhanced multi-frame files and series."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from annotator.imaging.dicom.read import read_dataset

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
ENHANCED_CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2.1"


def image(pixels: np.ndarray, *, photometric: str = "MONOCHROME2", **attributes: Any) -> Dataset:
    """A minimal image dataset (with file meta) holding pixels: (rows, cols), (frames, rows, cols) or RGB."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = attributes.pop("SOPClassUID", CT_IMAGE)
    ds.SOPInstanceUID = attributes.pop("SOPInstanceUID", generate_uid())
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    color = photometric in ("RGB", "YBR_FULL")
    frames = pixels.shape[0] if pixels.ndim == (4 if color else 3) else 1
    ds.Rows, ds.Columns = pixels.shape[-3:-1] if color else pixels.shape[-2:]
    ds.SamplesPerPixel = 3 if color else 1
    if color:
        ds.PlanarConfiguration = 0
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated = pixels.dtype.itemsize * 8
    ds.BitsStored = attributes.pop("BitsStored", ds.BitsAllocated)
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = 1 if np.issubdtype(pixels.dtype, np.signedinteger) else 0
    ds.PixelData = np.ascontiguousarray(pixels).astype(pixels.dtype.newbyteorder("<")).tobytes()
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return ds


def roundtrip(ds: Dataset) -> Dataset:
    """Write a dataset to bytes and read it back the way uploads are read."""
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    buffer.seek(0)
    return read_dataset(buffer)


def item(**attributes: Any) -> Dataset:
    """A sequence item with the given attributes."""
    ds = Dataset()
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return ds


def enhanced_ct(stored: np.ndarray, *, intercepts: list[float], windows: list[tuple[float, float]]) -> Dataset:
    """An Enhanced CT multi-frame file: shared pixel measures and orientation; per-frame position, rescale, window."""
    frames = stored.shape[0]
    ds = image(stored, SOPClassUID=ENHANCED_CT_IMAGE, Modality="CT")
    ds.SharedFunctionalGroupsSequence = Sequence(
        [
            item(
                PixelMeasuresSequence=Sequence([item(PixelSpacing=[0.5, 0.5], SliceThickness=2.0)]),
                PlaneOrientationSequence=Sequence([item(ImageOrientationPatient=[1, 0, 0, 0, 1, 0])]),
            )
        ]
    )
    per_frame = []
    for index in range(frames):
        center, width = windows[index]
        per_frame.append(
            item(
                PlanePositionSequence=Sequence([item(ImagePositionPatient=[0.0, 0.0, 2.0 * index])]),
                PixelValueTransformationSequence=Sequence(
                    [item(RescaleIntercept=intercepts[index], RescaleSlope=1.0, RescaleType="HU")]
                ),
                FrameVOILUTSequence=Sequence([item(WindowCenter=center, WindowWidth=width)]),
            )
        )
    ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    return ds


def whole_slide(width: int = 600, height: int = 400, *, tile: int = 256, kind: str = "VOLUME") -> tuple[Dataset, Any]:
    """A VL Whole Slide Microscopy image, TILED_FULL, uncompressed RGB, with a patient to remove; and its pixels."""
    from annotator.imaging.dicom.wsi import WSI_SOP_CLASS

    cols, rows = -(-width // tile), -(-height // tile)
    canvas = np.zeros((rows * tile, cols * tile, 3), dtype=np.uint8)
    y, x = np.mgrid[0:height, 0:width]
    canvas[:height, :width] = np.stack([x * 255 // width, y * 255 // height, (x + y) % 256], axis=-1)
    tiles = [canvas[r * tile : (r + 1) * tile, c * tile : (c + 1) * tile] for r in range(rows) for c in range(cols)]
    ds = image(np.zeros((1, 1, 3), dtype=np.uint8), photometric="RGB", SOPClassUID=WSI_SOP_CLASS)
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = generate_uid(), generate_uid(), generate_uid()
    ds.Modality, ds.ImageType = "SM", ["ORIGINAL", "PRIMARY", kind, "NONE"]
    ds.PatientName, ds.PatientID, ds.ContainerIdentifier = "Doe^Jane", "PID-778899", "S-2020-0102"
    ds.Rows = ds.Columns = tile
    ds.NumberOfFrames = len(tiles)
    ds.TotalPixelMatrixColumns, ds.TotalPixelMatrixRows, ds.TotalPixelMatrixFocalPlanes = width, height, 1
    ds.DimensionOrganizationType, ds.NumberOfOpticalPaths = "TILED_FULL", 1
    ds.OpticalPathSequence = Sequence([item(OpticalPathIdentifier="1")])
    measures = item(PixelSpacing=[0.0005, 0.0005], SliceThickness=0.001)
    ds.SharedFunctionalGroupsSequence = Sequence([item(PixelMeasuresSequence=Sequence([measures]))])
    ds.ImagedVolumeWidth, ds.ImagedVolumeHeight = width * 0.0005, height * 0.0005
    ds.PixelData = np.stack(tiles).tobytes()
    return ds, canvas[:height, :width]
