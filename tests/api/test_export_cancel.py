"""Cancelling an export: a queued or running job ends cancelled, nothing is built for it, an ended one is a 409."""

from __future__ import annotations

from annotator.core.storage import export_dir
from annotator.exports.models import ExportJob, ExportStatus
from annotator.exports.services import export_run


def test_a_queued_export_is_cancelled_and_never_built(project, owner, client_for) -> None:
    job = ExportJob.objects.create(project=project, format="coco", created_by=owner)
    client = client_for(owner)
    answer = client.post(f"/api/v1/exports/{job.pk}/cancel/")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "cancelled" and answer.json()["finished_at"]
    export_run(job_id=job.pk)  # the task arrives after the cancel: it claims nothing
    job.refresh_from_db()
    assert job.status == ExportStatus.CANCELLED and not job.sha256
    assert not export_dir(job.pk).exists()
    again = client.post(f"/api/v1/exports/{job.pk}/cancel/")
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
    assert client.get(f"/api/v1/exports/{job.pk}/download").json()["code"] == "export_not_ready"


def test_a_running_export_cancelled_mid_run_keeps_its_cancelled_state(project, owner, client_for) -> None:
    job = ExportJob.objects.create(project=project, format="coco", created_by=owner, status=ExportStatus.RUNNING)
    assert client_for(owner).post(f"/api/v1/exports/{job.pk}/cancel/").status_code == 200
    job.refresh_from_db()
    assert job.status == ExportStatus.CANCELLED


def test_an_annotator_may_not_cancel(project, member, client_for) -> None:
    job = ExportJob.objects.create(project=project, format="coco")
    answer = client_for(member("annotator")).post(f"/api/v1/exports/{job.pk}/cancel/")
    assert answer.status_code == 403
    job.refresh_from_db()
    assert job.status == ExportStatus.QUEUED
