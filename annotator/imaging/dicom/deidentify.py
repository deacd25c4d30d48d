"""De-identification of a DICOM dataset in memory, before anything is written to storage."""

from __future__ import annotations

import hashlib
import hmac

from pydicom.dataset import Dataset

# Attributes removed outright (a subset of PS3.15 Annex E's Basic Profile; issue 3 completes it).
REMOVE_KEYWORDS: tuple[str, ...] = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientBirthTime",
    "PatientAddress",
    "PatientTelephoneNumbers",
    "PatientMotherBirthName",
    "OtherPatientIDs",
    "OtherPatientNames",
    "OtherPatientIDsSequence",
    "PatientBirthName",
    "MilitaryRank",
    "BranchOfService",
    "MedicalRecordLocator",
    "EthnicGroup",
    "Occupation",
    "AdditionalPatientHistory",
    "PatientComments",
    "PatientInsurancePlanCodeSequence",
    "ReferringPhysicianName",
    "ReferringPhysicianAddress",
    "ReferringPhysicianTelephoneNumbers",
    "PhysiciansOfRecord",
    "PerformingPhysicianName",
    "NameOfPhysiciansReadingStudy",
    "OperatorsName",
    "RequestingPhysician",
    "InstitutionName",
    "InstitutionAddress",
    "InstitutionalDepartmentName",
    "StationName",
    "AccessionNumber",
    "StudyID",
    "RequestAttributesSequence",
    "DeviceSerialNumber",
    "IssuerOfPatientID",
    "StudyDescription",
    "SeriesDescription",
    "ImageComments",
    "RequestedProcedureDescription",
    "PerformedProcedureStepDescription",
    "ProtocolName",
    "ContentCreatorName",
    "PersonName",
    "CountryOfResidence",
    "RegionOfResidence",
    "CurrentPatientLocation",
    "PatientState",
    "ResponsiblePerson",
    "ResponsibleOrganization",
)
# UIDs replaced consistently within a project, so series still group after de-identification.
REMAP_UID_KEYWORDS: tuple[str, ...] = (
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "SOPInstanceUID",
    "FrameOfReferenceUID",
    "ReferencedSOPInstanceUID",
    "MediaStorageSOPInstanceUID",
)
METHOD = "Annotator: PS3.15 E basic profile subset, UIDs remapped"


def pseudonym(key: str, value: str, *, length: int = 16) -> str:
    """A stable keyed pseudonym of an identifier; the identifier cannot be recovered from it."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:length]


def remap_uid(key: str, uid: str) -> str:
    """A new UID under the 2.25 root (UUID-derived form), the same for the same input and key."""
    digest = hmac.new(key.encode(), uid.encode(), hashlib.sha256).digest()[:16]
    return "2.25." + str(int.from_bytes(digest, "big"))


def deidentify(ds: Dataset, *, key: str) -> str:
    """Strip identifiers from ds in place; return the patient's pseudonymous reference."""
    patient_ref = pseudonym(key, str(ds.get("PatientID", "") or ds.get("PatientName", "") or "unknown"))
    ds.remove_private_tags()
    for element in list(ds.iterall()):
        if element.keyword in REMAP_UID_KEYWORDS and element.value:
            element.value = remap_uid(key, str(element.value))
    for keyword in REMOVE_KEYWORDS:
        if keyword in ds:
            delattr(ds, keyword)
    if getattr(ds, "file_meta", None) is not None and "MediaStorageSOPInstanceUID" in ds.file_meta:
        ds.file_meta.MediaStorageSOPInstanceUID = remap_uid(key, str(ds.file_meta.MediaStorageSOPInstanceUID))
    ds.PatientID = patient_ref
    ds.PatientName = patient_ref
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = METHOD
    return patient_ref
