"""Jobs whose worker died are queued again (through the outbox) or, out of attempts, failed with a sentence."""

from datetime import timedelta

from django.utils import timezone

from annotator.core.models import OutboxTask
from annotator.core.reaper import jobs_reap
from annotator.exports.models import ExportJob
from annotator.imaging.models import Image

IDLE_IMPORTS = {"imports": {"requeued": 0, "failed": 0}}  # no import job in these tests


def _image(project, status: str, *, beat_ago: float | None, attempts: int = 1) -> Image:
    beat = None if beat_ago is None else timezone.now() - timedelta(seconds=beat_ago)
    return Image.objects.create(
        project=project, name=f"{status}.png", kind="raster", status=status, heartbeat_at=beat, attempts=attempts
    )


def test_dead_jobs_are_requeued_live_ones_stay(project, settings) -> None:
    settings.ANNOTATOR_HEARTBEAT_STALE_SECONDS = 60
    dead = _image(project, "processing", beat_ago=120)
    live = _image(project, "processing", beat_ago=5)
    done = _image(project, "ready", beat_ago=3600)
    dead_export = ExportJob.objects.create(
        project=project,
        format="coco",
        status="running",
        started_at=timezone.now(),
        heartbeat_at=timezone.now() - timedelta(seconds=300),
        attempts=1,
    )
    live_export = ExportJob.objects.create(
        project=project, format="coco", status="running", started_at=timezone.now(), heartbeat_at=timezone.now()
    )

    counts = jobs_reap()
    assert counts == {"images": {"requeued": 1, "failed": 0}, "exports": {"requeued": 1, "failed": 0}, **IDLE_IMPORTS}
    assert Image.objects.get(pk=dead.pk).status == "pending"
    assert Image.objects.get(pk=live.pk).status == "processing"
    assert Image.objects.get(pk=done.pk).status == "ready"
    assert ExportJob.objects.get(pk=dead_export.pk).status == "queued"
    assert ExportJob.objects.get(pk=live_export.pk).status == "running"
    queued = {(task, tuple(args)) for task, args in OutboxTask.objects.values_list("task", "args")}
    assert queued == {
        ("annotator.imaging.tasks.process_image", (dead.pk,)),
        ("annotator.exports.tasks.run_export", (dead_export.pk,)),
    }
    assert jobs_reap() == {
        "images": {"requeued": 0, "failed": 0},
        "exports": {"requeued": 0, "failed": 0},
        **IDLE_IMPORTS,
    }


def test_out_of_attempts_or_overtime_fails_with_a_reason(project, settings) -> None:
    settings.ANNOTATOR_JOB_MAX_ATTEMPTS = 3
    crashing = _image(project, "processing", beat_ago=600, attempts=3)
    overtime = ExportJob.objects.create(
        project=project,
        format="coco",
        status="running",
        attempts=1,
        started_at=timezone.now() - timedelta(seconds=settings.ANNOTATOR_EXPORT_TASK_LIMIT + 60),
        heartbeat_at=timezone.now() - timedelta(seconds=600),
    )

    assert jobs_reap() == {
        "images": {"requeued": 0, "failed": 1},
        "exports": {"requeued": 0, "failed": 1},
        **IDLE_IMPORTS,
    }
    crashing.refresh_from_db()
    assert crashing.status == "failed" and "stopped 3 times because its worker died" in crashing.error
    overtime.refresh_from_db()
    assert overtime.status == "failed" and "time limit" in overtime.error and overtime.finished_at
    assert not OutboxTask.objects.exists()


def test_a_job_claimed_before_heartbeats_existed_counts_from_its_start(project, settings) -> None:
    legacy = _image(project, "processing", beat_ago=None)
    Image.objects.filter(pk=legacy.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    assert jobs_reap()["images"] == {"requeued": 1, "failed": 0}


def test_a_second_delivery_and_a_stale_run_change_nothing(project) -> None:
    from annotator.core.jobs import _beat_once, run_of
    from annotator.imaging.processing import _fail, image_process

    image = _image(project, "processing", beat_ago=1, attempts=1)
    image_process(image_id=image.pk)  # a duplicate message while the first run works: no second run
    assert Image.objects.get(pk=image.pk).attempts == 1
    stale_run = run_of(image, "processing")
    Image.objects.filter(pk=image.pk).update(attempts=2, heartbeat_at=None)  # the reaper re-queued, a worker took it
    _fail(stale_run, "the frozen first run woke up")
    _beat_once(Image, stale_run)
    image.refresh_from_db()
    assert (image.status, image.error, image.heartbeat_at) == ("processing", "", None)
