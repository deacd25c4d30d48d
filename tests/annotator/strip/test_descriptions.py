"""ImageDescription cleaning keeps the length and the technical content, and blanks everything else."""

from __future__ import annotations

import pytest

from annotator.imaging.strip.descriptions import associated_kind, clean
from tests.annotator.strip.builders import leaks

APERIO = (
    b"Aperio Image Library v12.0.15 \r\n46920x33014 [0,100 46000x32914] (240x240) JPEG/RGB Q=70|AppMag = 20"
    b"|StripeWidth = 2040|ScanScope ID = SS1234|Filename = Doe_Jane|Date = 01/02/2020|Time = 09:59:15"
    b"|User = jdoe|Parmset = USM Filter|MPP = 0.4990|Left = 25.691574|Focus Offset = 0.000000"
    b"|ImageID = 1004486|Hospital = St Doe_Jane|AppMag = Doe^Jane\0"
)


def test_aperio_keeps_technical_pairs_and_blanks_the_rest() -> None:
    result = clean(APERIO)
    text = result.data.decode()
    assert len(result.data) == len(APERIO)
    assert leaks(result.data) == []
    assert text.startswith("Aperio Image Library v12.0.15 \r\n46920x33014 [0,100 46000x32914] (240x240) JPEG/RGB Q=70|")
    for kept in ("AppMag = 20", "StripeWidth = 2040", "MPP = 0.4990", "Left = 25.691574", "Focus Offset = 0.000000"):
        assert f"|{kept}|" in text
    assert "|Filename =         |" in text and "|Date =           |" in text
    assert "1004486" not in text and "USM" not in text
    assert result.note == (
        "Aperio values of ScanScope ID, Filename, Date, Time, User, Parmset, ImageID, AppMag, 1 other fields"
    )


def test_aperio_header_keeps_only_technical_words() -> None:
    result = clean(b"Aperio Image Library v10.0.50 Doe^Jane\nlabel 415x422\0")
    assert result.data == b"Aperio Image Library v10.0.50         \nlabel 415x422\0"


def test_xml_keeps_structure_and_technical_attributes() -> None:
    xml = (
        b'<?xml version="1.0"?><!-- exported by jdoe --><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"'
        b' Creator="jdoe"><Experimenter ID="Experimenter:0" FirstName="Jane" LastName="Doe^Jane"/>'
        b'<Image ID="Image:0" Name="Doe_Jane"><AcquisitionDate>2020-01-02T10:11:12</AcquisitionDate>'
        b"<Description><![CDATA[PatientName=Doe^Jane]]></Description>"
        b'<Pixels ID="Pixels:0" Type="uint8" SizeX="10" PhysicalSizeX="0.5" PhysicalSizeXUnit="\xc2\xb5m">'
        b'<Channel ID="Channel:0:0" Name="DAPI"/><TiffData><UUID FileName="Doe_Jane.ome.tif">urn:uuid:1234</UUID>'
        b"</TiffData></Pixels></Image></OME>\0"
    )
    result = clean(xml)
    assert len(result.data) == len(xml)
    assert leaks(result.data) == [] and b"Jane" not in result.data and b"2020" not in result.data
    for kept in (b'SizeX="10"', b'PhysicalSizeXUnit="\xc2\xb5m"', b'Name="DAPI"', b">urn:uuid:1234<", b'ID="Image:0"'):
        assert kept in result.data
    assert result.note.startswith("XML: ")


@pytest.mark.parametrize(
    "raw",
    [
        b"PatientName=Doe^Jane\0",
        b"<OME><Image Name='Doe^Jane'></OME>\0",  # unbalanced: cannot be cleaned safely
        b'<!DOCTYPE x [<!ENTITY a "Doe^Jane">]><x/>\0',
        b'{"shape": [2, 3], "patient": "Doe^Jane"}\0',
    ],
    ids=["plain", "broken-xml", "doctype", "json-extra"],
)
def test_unrecognised_descriptions_are_blanked_entirely(raw: bytes) -> None:
    result = clean(raw)
    assert result.note == "blanked"
    assert result.data == b" " * (len(raw) - 1) + b"\0"


def test_tifffile_shape_json_is_kept_and_hidden_bytes_are_zeroed() -> None:
    raw = b'{"shape": [2, 3, 4]}\0Doe^Jane\0'
    result = clean(raw)
    assert result.data == b'{"shape": [2, 3, 4]}' + bytes(10)
    assert result.note == "hidden bytes after its end"


def test_imagej_keeps_layout_lines() -> None:
    raw = b"ImageJ=1.54f\nimages=6\nchannels=2\nslices=3\nunit=\\u00B5m\nPatient=Doe^Jane\nloop=false\0"
    result = clean(raw)
    assert result.data == raw.replace(b"Patient=Doe^Jane", b" " * 16)
    assert result.note == "ImageJ: 1 lines blanked"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"Aperio Image Library v10.0.50\nlabel 415x422\0", "label"),
        (b"Aperio Image Library v10.0.50\r\nmacro 1280x431\0", "macro"),
        (b"Label\0", "label"),
        (b"Label_Image\0", "label"),
        (b"Aperio Image Library v12\r\n46920x33014 (240x240) JPEG/RGB|Filename = label macro\0", None),
        (b"<OME><Image Name='label'/></OME>\0", None),
        (b"labelled cells\0", None),
    ],
)
def test_associated_images_are_recognised_from_the_description(raw: bytes, kind: str | None) -> None:
    assert associated_kind(raw) == kind
