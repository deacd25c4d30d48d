"""Series ordering along the slice normal, the InstanceNumber fallback, and grouping into stackable series."""

from __future__ import annotations

import random

import numpy as np
import pytest
from pydicom.uid import generate_uid

from annotator.imaging.dicom.series import (
    SliceGeometry,
    group_series,
    order_slices,
    ordering_method,
    slice_normal,
)

from .factories import image, roundtrip

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
# Rows along (1, 1, 0)/√2, columns along z: an oblique plane whose normal is (-1, 1, 0)/√2.
OBLIQUE = (0.7071068, 0.7071068, 0.0, 0.0, 0.0, -1.0)


def slices(count: int, orientation: tuple[float, ...], *, spacing: float = 2.5, **extra) -> list:
    """count 16×16 slices of one series, stepping along the normal, in a shuffled order."""
    series, frame_of_reference = generate_uid(), generate_uid()
    normal = slice_normal(orientation)
    datasets = []
    for index in range(count):
        position = [float(v) for v in np.array([10.0, -20.0, 30.0]) + normal * spacing * index]
        pixels = np.full((16, 16), index, dtype=np.uint16)
        datasets.append(
            image(
                pixels,
                SeriesInstanceUID=series,
                FrameOfReferenceUID=frame_of_reference,
                ImageOrientationPatient=list(orientation),
                ImagePositionPatient=position,
                InstanceNumber=count - index,  # deliberately the reverse of the spatial order
                **extra,
            )
        )
    random.Random(7).shuffle(datasets)
    return [roundtrip(ds) for ds in datasets]


def slice_values(datasets: list) -> list[int]:
    return [int(ds.pixel_array[0, 0]) for ds in datasets]


@pytest.mark.parametrize("orientation", [AXIAL, OBLIQUE])
def test_shuffled_slices_come_back_in_ascending_position_along_the_normal(orientation) -> None:
    (group,) = group_series(slices(5, orientation))
    assert group.stackable, group.reason
    assert slice_values(group.datasets) == [0, 1, 2, 3, 4]


def test_order_slices_projects_positions_on_the_normal() -> None:
    records = [
        SliceGeometry("c", position=(0, 0, 10), orientation=AXIAL, instance_number=1),
        SliceGeometry("a", position=(5, 5, -10), orientation=AXIAL, instance_number=3),
        SliceGeometry("b", position=(-5, 0, 0), orientation=AXIAL, instance_number=2),
    ]
    assert ordering_method(records) == "position"
    assert [r.sop_uid for r in order_slices(records)] == ["a", "b", "c"]


def test_missing_position_falls_back_to_instance_number() -> None:
    records = [
        SliceGeometry("x", position=(0, 0, 10), orientation=AXIAL, instance_number=2),
        SliceGeometry("y", position=None, orientation=AXIAL, instance_number=1),
        SliceGeometry("z", position=(0, 0, 0), orientation=AXIAL, instance_number=None),
        SliceGeometry("w", position=(0, 0, 5), orientation=AXIAL, instance_number=3),
    ]
    assert ordering_method(records) == "instance_number"
    assert [r.sop_uid for r in order_slices(records)] == ["y", "x", "w", "z"]  # no number: last


def test_a_series_without_positions_is_ordered_by_instance_number() -> None:
    datasets = slices(5, AXIAL)
    for ds in datasets:
        del ds.ImagePositionPatient
    (group,) = group_series(datasets)
    assert group.stackable
    assert slice_values(group.datasets) == [4, 3, 2, 1, 0]  # InstanceNumber 1..5 runs against space


def test_files_are_grouped_by_series_in_order_of_first_appearance() -> None:
    first, second = slices(3, AXIAL), slices(2, OBLIQUE)
    groups = group_series([second[0], *first, second[1]])
    assert [len(g.datasets) for g in groups] == [2, 3]
    assert groups[0].series_uid == str(second[0].SeriesInstanceUID)
    assert all(g.stackable for g in groups)


def test_different_sizes_are_not_stackable() -> None:
    datasets = slices(3, AXIAL)
    odd = roundtrip(
        image(
            np.zeros((8, 16), dtype=np.uint16),
            SeriesInstanceUID=datasets[0].SeriesInstanceUID,
            ImageOrientationPatient=list(AXIAL),
            ImagePositionPatient=[0, 0, 99],
        )
    )
    (group,) = group_series([*datasets, odd])
    assert not group.stackable
    assert "differ in size" in group.reason and "8×16" in group.reason and "16×16" in group.reason


def test_orientation_beyond_tolerance_is_not_stackable_but_noise_is() -> None:
    datasets = slices(3, AXIAL)
    datasets[1].ImageOrientationPatient = [1.0, 0.00001, 0.0, 0.0, 0.99999, 0.0]
    assert group_series(datasets)[0].stackable
    datasets[2].ImageOrientationPatient = list(OBLIQUE)
    (group,) = group_series(datasets)
    assert not group.stackable and "oriented differently" in group.reason
    assert str(datasets[2].SOPInstanceUID) in group.reason


def test_partly_missing_orientation_and_missing_series_uid_are_reported() -> None:
    datasets = slices(3, AXIAL)
    del datasets[0].ImageOrientationPatient
    (group,) = group_series(datasets)
    assert group.reason == "1 of 3 slices have no ImageOrientationPatient"
    del datasets[1].SeriesInstanceUID
    assert any(g.reason == "the files have no SeriesInstanceUID" for g in group_series(datasets))
