"""Every format through ingest, processing and the API: tiles per frame, whole frames, metadata never copied."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from annotator.core.storage import image_dir, store
from annotator.imaging import render
from annotator.imaging.models import Image
from annotator.imaging.processing import image_process
from annotator.imaging.services import image_reprocess, image_upload
from annotator.imaging.tiles.deepzoom import DeepZoom
from tests.annotator.dicom import factories as dicom_factories
from tests.annotator.tiles import factories
from tests.conftest import S3_PASS

pytestmark = pytest.mark.storage  # runs against the object store too (ANNOTATOR_TEST_S3=1)
local_layout = pytest.mark.skipif(S3_PASS, reason="inspects the local media folder's layout")

DZ = "{http://schemas.microsoft.com/deepzoom/2008}"
TEXT_CHUNKS = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"}


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path) -> None:
    """A media folder per test: ids repeat between tests, stored files must not."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _ingest(project, owner, name: str, payload: bytes) -> Image:
    result = image_upload(project=project, user=owner, files=[SimpleUploadedFile(name, payload)])
    assert not result.rejected, result.rejected
    image = result.images[0]
    image_process(image_id=image.pk)
    image.refresh_from_db()
    return image


def _tiff_bytes(tmp_path: Path, **options: object) -> bytes:
    return factories.tiff(tmp_path / "t.tif", 600, 500, **options).read_bytes()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _top(image: Image) -> int:
    return DeepZoom(image.width, image.height).top


FORMATS = {
    "16-bit png": (lambda tmp: factories.png16(300, 200), "g16.png", ("raster", 300, 200, 1, "jpeg")),
    "jpeg": (lambda tmp: factories.jpeg(320, 240), "photo.jpg", ("raster", 320, 240, 1, "jpeg")),
    "tiled tiff": (
        lambda tmp: _tiff_bytes(tmp, tile=True, compression="jpeg"),
        "tiled.tif",
        ("raster", 600, 500, 1, "jpeg"),
    ),
    "bigtiff": (lambda tmp: _tiff_bytes(tmp, tile=True, bigtiff=True), "big.tif", ("raster", 600, 500, 1, "jpeg")),
    "ome-tiff": (
        lambda tmp: factories.ome_tiff(tmp / "o.ome.tif").read_bytes(),
        "stack.ome.tif",
        ("raster", 120, 100, 3, "jpeg"),
    ),
    "pyramidal tiff (OpenSlide generic-tiff)": (
        lambda tmp: _tiff_bytes(tmp, tile=True, pyramid=True, compression="jpeg"),
        "slide.tif",
        ("slide", 600, 500, 1, "jpeg"),
    ),
    "aperio svs (OpenSlide aperio)": (
        lambda tmp: (factories.aperio_svs(tmp / "s.svs"), (tmp / "s.svs").read_bytes())[1],
        "slide.svs",
        ("slide", 768, 512, 1, "jpeg"),
    ),
    "hamamatsu ndpi (OpenSlide hamamatsu)": (
        lambda tmp: (factories.hamamatsu_ndpi(tmp / "s.ndpi"), (tmp / "s.ndpi").read_bytes())[1],
        "slide.ndpi",
        ("slide", 1024, 768, 1, "jpeg"),
    ),
    "nifti": (lambda tmp: factories.nifti(factories.volume()), "brain.nii", ("raster", 64, 48, 6, "png")),
    "nifti gz": (
        lambda tmp: factories.nifti(factories.volume(), gz=True),
        "brain.nii.gz",
        ("raster", 64, 48, 6, "png"),
    ),
}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_ingests_and_serves(fmt, tmp_path, project, owner, client_for) -> None:
    make, name, expected = FORMATS[fmt]
    image = _ingest(project, owner, name, make(tmp_path))
    assert image.status == "ready", image.error
    assert (image.kind, image.width, image.height, image.frames, image.tile_format) == expected
    client = client_for(owner)
    dzi = client.get(f"/api/v1/images/{image.pk}/dzi")
    size = ET.fromstring(_body(dzi)).find(f"{DZ}Size")
    assert (int(size.get("Width")), int(size.get("Height"))) == (image.width, image.height)
    tile = client.get(f"/api/v1/images/{image.pk}/tiles/{_top(image)}/0_0.{image.tile_format}")
    assert tile.status_code == 200 and "max-age" in tile["Cache-Control"] and tile["ETag"]
    PILImage.open(io.BytesIO(_body(tile))).load()
    thumb = PILImage.open(io.BytesIO(_body(client.get(f"/api/v1/images/{image.pk}/thumbnail"))))
    assert max(thumb.size) == min(256, max(image.width, image.height))
    frame = client.get(f"/api/v1/images/{image.pk}/frames/{image.frames - 1}")
    assert frame.status_code == 200 and frame["Content-Type"] == "image/png"
    assert PILImage.open(io.BytesIO(_body(frame))).size == (image.width, image.height)


@local_layout
def test_frames_are_tiled_on_first_request_and_kept(project, owner, client_for) -> None:
    image = _ingest(project, owner, "vol.nii.gz", factories.nifti(factories.volume((64, 48, 6)), gz=True))
    frames_dir = image_dir(image.pk) / "frames"
    assert not frames_dir.exists()  # only frame 0 is tiled at processing
    client = client_for(owner)
    url = f"/api/v1/images/{image.pk}/tiles/{_top(image)}/0_0.png"
    first = client.get(url, {"frame": "3"})
    assert first.status_code == 200
    first_body = _body(first)
    built = frames_dir / "3.zip"
    stamp = built.stat().st_mtime_ns
    again = client.get(url, {"frame": "3"})
    assert _body(again) == first_body and built.stat().st_mtime_ns == stamp  # served from the cache
    assert sorted(p.name for p in frames_dir.iterdir() if not p.name.startswith(".")) == ["3.idx", "3.zip"]
    frame0 = client.get(url)
    assert _body(frame0) != first_body and frame0["ETag"] != first["ETag"]
    assert client.get(url, {"frame": "3"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, {"frame": "6"}).status_code == 400
    assert client.get(url, {"frame": "-1"}).status_code == 400
    # the tile of frame 3 shows frame 3: its pixels are the rendered frame's
    rendered = np.asarray(PILImage.open(io.BytesIO(_body(client.get(f"/api/v1/images/{image.pk}/frames/3")))))
    tile = np.asarray(PILImage.open(io.BytesIO(first_body)))
    assert np.array_equal(tile, rendered)
    image_reprocess(image_id=image.pk)
    image_process(image_id=image.pk)
    assert not frames_dir.exists()  # re-processing drops what the old original produced


@local_layout
def test_small_images_are_tiled_on_first_request_large_ones_at_processing(
    project, owner, client_for, monkeypatch
) -> None:
    monkeypatch.setattr("annotator.imaging.tiles.pyramid.LAZY_MAX_PIXELS", 320 * 240)
    small = _ingest(project, owner, "small.jpg", factories.jpeg(320, 240))
    large = _ingest(project, owner, "large.jpg", factories.jpeg(321, 240))
    assert (image_dir(large.pk) / "tiles.zip").is_file()  # built at processing
    assert not (image_dir(small.pk) / "tiles.zip").exists()  # not yet: nobody asked
    assert (image_dir(small.pk) / "thumbnail.jpg").is_file()
    client = client_for(owner)
    descriptor = client.get(f"/api/v1/images/{small.pk}/dzi")
    assert descriptor.status_code == 200
    assert ET.fromstring(_body(descriptor)).find(f"{DZ}Size").attrib == {"Width": "320", "Height": "240"}
    built = image_dir(small.pk) / "tiles.zip"
    stamp = built.stat().st_mtime_ns
    tile = client.get(f"/api/v1/images/{small.pk}/tiles/{_top(small)}/0_0.jpeg")
    assert tile.status_code == 200 and PILImage.open(io.BytesIO(_body(tile))).size == (255, 240)
    assert built.stat().st_mtime_ns == stamp  # built once, then served from the container
    (image_dir(large.pk) / "tiles.zip").unlink()  # a large frame 0 is never rebuilt inside a request
    missing = client.get(f"/api/v1/images/{large.pk}/tiles/{_top(large)}/0_0.jpeg")
    assert missing.status_code == 404 and missing.json()["code"] == "missing_file"


@local_layout
def test_a_ct_slice_thumbnail_is_its_windowed_frame_halved(project, owner, client_for) -> None:
    y, x = np.mgrid[0:512, 0:512]
    stored = ((x * 3 + y * 5) % 1500).astype(np.int16)
    ds = dicom_factories.image(stored, RescaleSlope=1, RescaleIntercept=-1024, WindowCenter=-300, WindowWidth=1200)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    image = _ingest(project, owner, "slice.dcm", buffer.getvalue())
    assert image.status == "ready", image.error
    client = client_for(owner)
    answer = client.get(f"/api/v1/images/{image.pk}/thumbnail")
    assert answer["Content-Type"] == "image/jpeg"
    thumb = np.asarray(PILImage.open(io.BytesIO(_body(answer))), dtype=np.float64)
    shown = np.asarray(PILImage.open(io.BytesIO(_body(client.get(f"/api/v1/images/{image.pk}/frames/0")))))
    halved = shown.reshape(256, 2, 256, 2).mean(axis=(1, 3))
    assert thumb.shape == (256, 256) and np.abs(thumb - halved).mean() < 4  # JPEG's loss, nothing more
    folder = image_dir(image.pk)
    (folder / "thumbnail.jpg").rename(folder / "thumbnail.png")  # as versions before JPEG thumbnails stored it
    legacy = client.get(f"/api/v1/images/{image.pk}/thumbnail")
    assert legacy.status_code == 200 and legacy["Content-Type"] == "image/png"


def test_urls_carry_the_derivatives_version_and_change_when_re_processed(project, owner, client_for) -> None:
    image = _ingest(project, owner, "photo.jpg", factories.jpeg(320, 240))
    client = client_for(owner)
    urls = client.get(f"/api/v1/images/{image.pk}/").json()
    version = urls["dzi_url"].split("?v=")[1]
    assert urls["thumbnail_url"].endswith(f"/thumbnail?v={version}")
    tile_url = f"/api/v1/images/{image.pk}/tiles/{_top(image)}/0_0.jpeg"
    current = client.get(tile_url, {"v": version})
    assert current["Cache-Control"] == "private, max-age=31536000, immutable"
    assert client.get(tile_url)["Cache-Control"] == "private, max-age=86400"  # unversioned: revalidated daily
    thumb = client.get(urls["thumbnail_url"])
    assert thumb.status_code == 200 and "immutable" in thumb["Cache-Control"]
    image_reprocess(image_id=image.pk)
    image_process(image_id=image.pk)
    again = client.get(f"/api/v1/images/{image.pk}/").json()
    assert again["dzi_url"].split("?v=")[1] != version  # a browser holding the old tiles asks anew
    stale = client.get(tile_url, {"v": version})
    assert stale.status_code == 200 and stale["Cache-Control"] == "private, max-age=86400"
    assert stale["ETag"] != current["ETag"]


def test_dicom_multiframe_tiles_and_raw_frames(tmp_path, project, owner, client_for) -> None:
    stored = (np.arange(4 * 32 * 40, dtype=np.int16).reshape(4, 32, 40) % 700) + 100 * np.arange(4)[:, None, None]
    ds = dicom_factories.enhanced_ct(stored.astype(np.int16), intercepts=[-1024.0] * 4, windows=[(40.0, 400.0)] * 4)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    image = _ingest(project, owner, "cine.dcm", buffer.getvalue())
    assert (image.status, image.kind, image.frames, image.tile_format) == ("ready", "dicom", 4, "png"), image.error
    client = client_for(owner)
    tile = client.get(f"/api/v1/images/{image.pk}/tiles/{_top(image)}/0_0.png", {"frame": "2"})
    assert tile.status_code == 200 and PILImage.open(io.BytesIO(_body(tile))).size == (40, 32)
    raw = client.get(f"/api/v1/images/{image.pk}/frames/2", {"raw": "1"})
    assert raw["Content-Type"] == "application/octet-stream"
    assert (raw["X-Frame-Dtype"], raw["X-Frame-Shape"], raw["X-Frame-Byte-Order"]) == ("int16", "32,40", "little")
    assert raw["X-Rescale-Intercept"] == "-1024" and raw["X-Window-Center"] == "40"
    values = np.frombuffer(_body(raw), dtype="<i2").reshape(32, 40)
    assert np.array_equal(values, stored[2] - 1024)


def test_raw_frames_of_rasters_and_volumes(project, owner, client_for) -> None:
    client = client_for(owner)
    png = _ingest(project, owner, "g16.png", factories.png16(30, 20, low=100, high=900))
    raw = client.get(f"/api/v1/images/{png.pk}/frames/0", {"raw": "1"})
    assert (raw["X-Frame-Dtype"], raw["X-Frame-Shape"]) == ("uint16", "20,30")
    assert (raw["X-Window-Center"], raw["X-Window-Width"]) == ("500", "800")
    values = np.frombuffer(_body(raw), dtype="<u2").reshape(20, 30)
    assert (values.min(), values.max()) == (100, 900)
    assert "X-Frame-Dtype" in raw["Access-Control-Expose-Headers"]
    data = factories.volume((16, 12, 5))
    volume = _ingest(project, owner, "v.nii", factories.nifti(data))
    raw = client.get(f"/api/v1/images/{volume.pk}/frames/4", {"raw": "1"})
    assert (raw["X-Frame-Dtype"], raw["X-Frame-Shape"], raw["X-Frame-Axes"]) == ("int16", "12,16", "x=i,y=j,frame=k")
    assert np.array_equal(np.frombuffer(_body(raw), dtype="<i2").reshape(12, 16), data[:, :, 4].T)
    assert raw["ETag"] != client.get(f"/api/v1/images/{volume.pk}/frames/4")["ETag"]
    missing = client.get(f"/api/v1/images/{volume.pk}/frames/5")
    assert missing.status_code == 404 and missing.json()["code"] == "no_frame"


def test_slide_sized_frames_are_refused_whole(project, owner, client_for, monkeypatch) -> None:
    image = _ingest(project, owner, "wide.jpg", factories.jpeg(320, 240))
    monkeypatch.setattr(render, "FRAME_MAX_PIXELS", 10_000)
    response = client_for(owner).get(f"/api/v1/images/{image.pk}/frames/0", {"raw": "1"})
    assert response.status_code == 400 and response.json()["code"] == "frame_too_large"
    assert "read larger images through their tiles" in response.json()["detail"]


def _text_segments(data: bytes) -> list[bytes]:
    """Metadata-carrying PNG chunks or JPEG segments (EXIF/XMP APP1, ICC APP2, comments) in an encoded image."""
    found = []
    if data.startswith(b"\x89PNG"):
        at = 8
        while at < len(data):
            length, kind = struct.unpack(">I4s", data[at : at + 8])
            if kind in TEXT_CHUNKS:
                found.append(kind)
            at += 12 + length
    elif data.startswith(b"\xff\xd8"):
        at = 2
        while at < len(data) and data[at] == 0xFF and data[at + 1] != 0xDA:
            marker, length = data[at + 1], struct.unpack(">H", data[at + 2 : at + 4])[0]
            if marker in (0xE1, 0xE2, 0xFE):
                found.append(bytes([marker]))
            at += 2 + length
    return found


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("texts.png", lambda tmp: factories.png_with_text()),
        ("described.tif", lambda tmp: _tiff_bytes(tmp, description=f"Patient: {factories.PATIENT}", tile=True)),
        ("pyramid.tif", lambda tmp: _tiff_bytes(tmp, description=factories.PATIENT, tile=True, pyramid=True)),
        ("stack.ome.tif", lambda tmp: factories.ome_tiff(tmp / "o.ome.tif").read_bytes()),
        ("named.nii.gz", lambda tmp: factories.nifti(factories.volume(), gz=True)),
    ],
)
def test_metadata_text_reaches_no_derivative(name, make, tmp_path, project, owner, client_for) -> None:
    payload = make(tmp_path)
    assert factories.PATIENT.encode() in payload or name.endswith(".gz")
    image = _ingest(project, owner, name, payload)
    assert image.status == "ready", image.error
    client = client_for(owner)
    for frame in {0, image.frames - 1}:  # small frames are tiled on first request: make every derivative exist
        client.get(f"/api/v1/images/{image.pk}/tiles/{_top(image)}/0_0.{image.tile_format}", {"frame": frame})
    files = store()  # what is stored, locally or in the bucket
    derived = [p for p in files.files_below(image_dir(image.pk)) if not p.name.startswith("original.")]
    assert {p.name for p in derived} >= {
        "tiles.zip",
        "tiles.idx",
        "thumbnail.jpg",
    }
    for path in derived:
        assert factories.PATIENT.encode() not in files.read(path), path
        assert b"Doe" not in files.read(path), path
    served = [
        _body(client.get(f"/api/v1/images/{image.pk}/thumbnail")),
        _body(client.get(f"/api/v1/images/{image.pk}/frames/0")),
        _body(client.get(f"/api/v1/images/{image.pk}/tiles/{_top(image)}/0_0.{image.tile_format}")),
    ]
    for data in served:
        assert b"Doe" not in data and _text_segments(data) == []


def test_an_aperio_slide_goes_through_openslide_without_its_identifiers_or_label(
    tmp_path, project, owner, client_for
) -> None:
    level, _ = factories.aperio_svs(tmp_path / "case.svs")
    image = _ingest(project, owner, "case.svs", (tmp_path / "case.svs").read_bytes())
    assert image.status == "ready", image.error
    assert image.metadata["vendor"] == "aperio" and image.metadata["pixel_spacing"] == [0.0005, 0.0005]
    stored = [p.read_bytes() for p in image_dir(image.pk).rglob("*") if p.is_file()]
    for needle in (b"Doe_Jane", b"jdoe", b"SS1234", b"01/02/2020"):
        assert not any(needle in data for data in stored), needle
        assert needle.decode() not in str(Image.objects.filter(pk=image.pk).values().get())
    client = client_for(owner)
    tile = client.get(f"/api/v1/images/{image.pk}/tiles/{_top(image)}/0_0.jpeg")
    shown = np.asarray(PILImage.open(io.BytesIO(_body(tile))), dtype=np.int16)
    assert np.abs(shown - level[: shown.shape[0], : shown.shape[1]]).mean() < 12  # the slide's pixels, JPEG'd


def test_a_hamamatsu_slide_goes_through_openslide_without_its_identifiers_or_macro(
    tmp_path, project, owner, client_for
) -> None:
    level, _ = factories.hamamatsu_ndpi(tmp_path / "case.ndpi")
    image = _ingest(project, owner, "case.ndpi", (tmp_path / "case.ndpi").read_bytes())
    assert image.status == "ready", image.error
    assert image.metadata["vendor"] == "hamamatsu" and image.metadata["objective_power"] == 20.0
    stored = [p.read_bytes() for p in image_dir(image.pk).rglob("*") if p.is_file()]
    for needle in (b"Doe_Jane", b"jdoe", b"SS1234", b"01/02/2020"):
        assert not any(needle in data for data in stored), needle
    client = client_for(owner)
    tile = client.get(f"/api/v1/images/{image.pk}/tiles/{_top(image)}/0_0.jpeg")
    shown = np.asarray(PILImage.open(io.BytesIO(_body(tile))), dtype=np.int16)
    assert np.abs(shown - level[: shown.shape[0], : shown.shape[1]]).mean() < 4


def test_a_dicom_whole_slide_is_one_slide_and_its_label_photo_is_dropped(project, owner, client_for) -> None:
    volume, pixels = dicom_factories.whole_slide(600, 400)
    half, _ = dicom_factories.whole_slide(300, 200)  # level 1 of the same slide
    label, _ = dicom_factories.whole_slide(120, 60, tile=60, kind="LABEL")
    for other in (half, label):
        other.StudyInstanceUID, other.SeriesInstanceUID = volume.StudyInstanceUID, volume.SeriesInstanceUID
        other.FrameOfReferenceUID = volume.FrameOfReferenceUID
    half.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].PixelSpacing = [0.001, 0.001]
    half.ImagedVolumeWidth, half.ImagedVolumeHeight = volume.ImagedVolumeWidth, volume.ImagedVolumeHeight
    files = []
    for name, ds in (("level1.dcm", half), ("label.dcm", label), ("level0.dcm", volume)):
        buffer = io.BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        files.append(SimpleUploadedFile(name, buffer.getvalue()))
    result = image_upload(project=project, user=owner, files=files)
    assert [(r["filename"], r["code"]) for r in result.rejected] == [("label.dcm", "slide_label")]
    assert "label image of a whole-slide scan" in result.rejected[0]["detail"]
    image_process(image_id=result.images[0].pk)
    image = Image.objects.get(pk=result.images[0].pk)
    assert image.status == "ready", image.error
    assert (image.kind, image.width, image.height, image.frames) == ("slide", 600, 400, 1)  # tiles are not frames
    assert image.name == "level0.dcm (+1 levels)" and image.metadata["slide_levels"] == 2  # one slide, 2 levels
    assert image.metadata["vendor"] == "dicom" and image.metadata["pixel_spacing"] == [0.0005, 0.0005]
    for path in image_dir(image.pk).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"Doe^Jane" not in data and b"PID-778899" not in data and b"S-2020-0102" not in data, path
    client = client_for(owner)
    tile = client.get(f"/api/v1/images/{image.pk}/tiles/{_top(image)}/0_0.jpeg")
    shown = np.asarray(PILImage.open(io.BytesIO(_body(tile))), dtype=np.int16)
    assert np.abs(shown - pixels[: shown.shape[0], : shown.shape[1]]).mean() < 4
    frame = client.get(f"/api/v1/images/{image.pk}/frames/0")
    assert np.array_equal(np.asarray(PILImage.open(io.BytesIO(_body(frame))))[..., :3], pixels)
    as_exports_name_it = image_dir(image.pk) / "original.wsi"  # exports address originals as original.<ext>
    exported = render.frame_png(original=as_exports_name_it, kind=image.kind, frame=0)
    assert np.array_equal(np.asarray(PILImage.open(io.BytesIO(exported)))[..., :3], pixels)


def test_a_zipped_mirax_slide_is_one_de_identified_slide(tmp_path, project, owner, client_for) -> None:
    made = factories.mirax_slide(tmp_path / "scan")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("scans/case.mrxs", b"")
        for name in made["files"]:
            archive.write(tmp_path / "scan" / "case" / name, f"scans/case/{name}")
        archive.writestr("scans/case/Thumbs/notes.txt", b"not part of the slide")
        archive.writestr("scans/photo.jpg", factories.jpeg(64, 48))
    result = image_upload(project=project, user=owner, files=[SimpleUploadedFile("batch.zip", buffer.getvalue())])
    assert [(r["filename"], r["code"]) for r in result.rejected] == [
        ("batch.zip/scans/case/Thumbs/notes.txt", "unsupported_format")
    ]
    assert sorted(image.name for image in result.images) == ["case.mrxs", "photo.jpg"]
    slide = next(image for image in result.images if image.name == "case.mrxs")
    image_process(image_id=slide.pk)
    slide.refresh_from_db()
    assert slide.status == "ready", slide.error
    assert (slide.kind, slide.width, slide.height, slide.frames) == ("slide", 512, 512, 1)
    assert slide.metadata["vendor"] == "mirax" and slide.metadata["objective_power"] == 20.0
    stored = b"".join(p.read_bytes() for p in image_dir(slide.pk).rglob("*") if p.is_file())
    for needle in (b"Doe_Jane", b"jdoe", b"SS1234", b"01/02/2020", made["label"], made["macro"]):
        assert needle not in stored
    assert "Doe_Jane" not in str(Image.objects.filter(pk=slide.pk).values().get())
    client = client_for(owner)
    tile = client.get(f"/api/v1/images/{slide.pk}/tiles/{_top(slide)}/0_0.jpeg")
    shown = np.asarray(PILImage.open(io.BytesIO(_body(tile))), dtype=np.int16)
    assert np.abs(shown - made["level0"][: shown.shape[0], : shown.shape[1]]).mean() < 4


def test_decompression_bombs_and_absurd_sizes_fail_with_a_sentence(project, owner, settings) -> None:
    bomb = _ingest(project, owner, "bomb.png", factories.png_claiming(200_000, 200_000))
    assert bomb.status == "failed"
    assert "200000 × 200000 pixels (40,000,000,000), above the limit" in bomb.error
    volume = bytearray(factories.nifti(factories.volume((4, 4, 2))))
    volume[42:48] = struct.pack("<3h", 30_000, 30_000, 30_000)  # dim[1..3]: a header claiming 2.7e13 voxels
    absurd = _ingest(project, owner, "absurd.nii", bytes(volume))
    assert absurd.status == "failed" and "30000 × 30000 pixels" in absurd.error, absurd.error
    settings.ANNOTATOR_MAX_IMAGE_PIXELS = 10_000
    small_limit = _ingest(project, owner, "ordinary.png", factories.png16(300, 200))
    assert small_limit.status == "failed"
    assert small_limit.error == "the image is 300 × 200 pixels (60,000), above the limit of 10,000 pixels per image"
    assert not (image_dir(small_limit.pk) / "tiles.zip").exists()


@local_layout
def test_a_truncated_upload_fails_without_leftovers(project, owner) -> None:
    cut = _ingest(project, owner, "cut.nii.gz", factories.nifti(factories.volume((64, 64, 20)), gz=True)[:4000])
    assert cut.status == "failed" and "NIfTI" in cut.error, cut.error
    assert sorted(p.name for p in image_dir(cut.pk).iterdir()) == ["original.nii.gz"]
