"""Export formats; importing this package registers each of them."""

from annotator.exports.formats import (  # noqa: F401
    coco,
    csv_table,
    dicom_seg,
    mask_png,
    native,
    nifti,
    voc,
    yolo,
)
