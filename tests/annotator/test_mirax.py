"""MIRAX slides: stored under our names with Slidedat.ini cleaned, the slide id remapped and the glass photos gone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from annotator.core.errors import RejectedFile
from annotator.imaging import mirax
from tests.annotator.strip.builders import IDENTIFYING
from tests.annotator.tiles.factories import MIRAX_ID, mirax_slide


def _stored(tmp_path: Path, **options: str) -> tuple[dict, Path, list[str]]:
    made = mirax_slide(tmp_path / "in", **options)
    target = tmp_path / "out"
    removed = mirax.store(mirax.Bundle(tmp_path / "in" / "case"), target, key="project-key")
    return made, target, removed


def test_a_stored_slide_keeps_its_pixels_and_loses_its_identity(tmp_path: Path) -> None:
    openslide = pytest.importorskip("openslide")
    made, target, removed = _stored(tmp_path)
    assert removed == [
        "MIRAX Slidedat.ini: identifying values and the slide id",
        "MIRAX label/macro/preview photos (2)",
    ]
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == [
        "slide", "slide.mrxs", "slide/Data0000.dat", "slide/Index.dat", "slide/Slidedat.ini"
    ]  # fmt: skip
    everything = b"".join(p.read_bytes() for p in target.rglob("*") if p.is_file())
    assert [secret for secret in (*IDENTIFYING, b"jdoe study", MIRAX_ID.encode()) if secret in everything] == []
    assert made["label"] not in everything and made["macro"] not in everything  # the photos' bytes are gone
    slidedat = (target / "slide" / "Slidedat.ini").read_text()
    new_id = next(line.split("=", 1)[1] for line in slidedat.splitlines() if line.startswith("SLIDE_ID="))
    assert len(new_id) == len(MIRAX_ID) and new_id == mirax.pseudonym_id(MIRAX_ID, "project-key")
    assert (target / "slide" / "Index.dat").read_bytes().startswith(b"01.02" + new_id.encode())
    slide = openslide.OpenSlide(target / "slide.mrxs")
    assert slide.properties["openslide.vendor"] == "mirax" and slide.dimensions == (512, 512)
    assert list(slide.associated_images) == []  # unlisted: no reader looks for the label or macro any more
    assert slide.properties["openslide.mpp-x"] == "0.25" and slide.properties["openslide.objective-power"] == "20"
    region = np.asarray(slide.read_region((0, 0), 0, (512, 512)))[..., :3].astype(int)
    assert np.abs(region - made["level0"]).mean() < 2


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda folder: (folder / "Data0000.dat").unlink(), "lacks Data0000.dat"),
        (lambda folder: (folder / "Index.dat").write_bytes(b"01.02" + b"x" * 60), "does not belong"),
        (lambda folder: (folder / "Index.dat").write_bytes(b"01.02" + MIRAX_ID.encode()), "truncated"),
        (lambda folder: (folder / "Slidedat.ini").unlink(), "no Slidedat.ini"),
    ],
)
def test_broken_bundles_are_refused_with_the_reason(tmp_path: Path, damage, message: str) -> None:
    mirax_slide(tmp_path / "in")
    damage(tmp_path / "in" / "case")
    with pytest.raises(RejectedFile, match=message) as refused:
        mirax.store(mirax.Bundle(tmp_path / "in" / "case"), tmp_path / "out", key="k")
    assert refused.value.code == "invalid_slide"


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "sub/Data0000.dat", ".hidden", ".."])
def test_data_file_names_from_slidedat_cannot_reach_outside_the_folder(tmp_path: Path, name: str) -> None:
    mirax_slide(tmp_path / "in")
    slidedat = tmp_path / "in" / "case" / "Slidedat.ini"
    slidedat.write_text(slidedat.read_text().replace("FILE_0=Data0000.dat", f"FILE_0={name}"))
    with pytest.raises(RejectedFile, match="unusable file"):
        mirax.store(mirax.Bundle(tmp_path / "in" / "case"), tmp_path / "out", key="k")
    assert not (tmp_path / "out" / "slide").exists()  # refused before anything was written
