"""Everything DICOM: the only package that imports pydicom."""
