"""Jobs whose worker died are failed with a sentence; live and finished jobs are left alone."""

from datetime import timedelta

from django.utils import timezone

from annotator.core.reaper import jobs_reap
from annotator.exports.models import ExportJob
from annotator.imaging.models import Image


def test_stuck_jobs_fail_and_live_ones_stay(project, settings) -> None:
    long_ago = timezone.now() - timedelta(seconds=settings.ANNOTATOR_EXPORT_TASK_LIMIT + 3600)
    stuck = Image.objects.create(project=project, name="s.png", kind="raster", status="processing")
    live = Image.objects.create(project=project, name="l.png", kind="raster", status="processing")
    done = Image.objects.create(project=project, name="d.png", kind="raster", status="ready")
    Image.objects.filter(pk__in=[stuck.pk, done.pk]).update(updated_at=long_ago)
    old_export = ExportJob.objects.create(project=project, format="coco", status="running", started_at=long_ago)
    new_export = ExportJob.objects.create(project=project, format="coco", status="running", started_at=timezone.now())

    assert jobs_reap() == {"images": 1, "exports": 1}
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "re-process" in stuck.error
    assert Image.objects.get(pk=live.pk).status == "processing"
    assert Image.objects.get(pk=done.pk).status == "ready"
    assert ExportJob.objects.get(pk=old_export.pk).status == "failed"
    assert ExportJob.objects.get(pk=new_export.pk).status == "running"
    assert jobs_reap() == {"images": 0, "exports": 0}
