"""A frozen snapshot reads back as the snapshot it froze, with the same bytes every time."""

from __future__ import annotations

from dataclasses import replace

from annotator.exports import frozen
from annotator.exports.versions import snapshot_diff

from .builders import LESION, ORGAN, ann, image, project


def test_freeze_then_thaw_round_trips(tmp_path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path
    snap = project(
        image(1, ann(LESION, {"x": 1, "y": 2, "w": 3, "h": 4}, attributes={"grade": 2})),
        image(2, ann(ORGAN, {"points": [[0, 0], [4, 0], [2, 3]]}, frame=0), workflow_state="new"),
    )
    frozen.freeze(snap, tmp_path / "a.gz")
    frozen.freeze(snap, tmp_path / "b.gz")
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    back = frozen.thaw(tmp_path / "a.gz")
    assert back == replace(
        snap, images=tuple(replace(i, folder=str(tmp_path / "images" / str(i.id))) for i in snap.images)
    )
    assert [i.id for i in frozen.thaw(tmp_path / "a.gz", only_accepted=True).images] == [1]
    assert snapshot_diff(snap, back)["counts"] == {"added": 0, "changed": 0, "removed": 0}
