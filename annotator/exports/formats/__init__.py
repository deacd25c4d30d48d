"""Export formats; importing this package registers each of them."""

from annotator.exports.formats import (  # noqa: F401
    coco,
    csv_table,
    decathlon,
    dicom_seg,
    mask_png,
    native,
    nifti,
    nnunet,
    voc,
    yolo,
)
