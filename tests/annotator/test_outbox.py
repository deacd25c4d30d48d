"""The outbox: a task row is sent after its transaction commits, once, and a leased row waits for its lease."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from annotator.core.models import OutboxTask
from annotator.core.outbox import outbox_enqueue, outbox_relay

HARMLESS = "annotator.core.tasks.relay_outbox"  # a task that is safe to send for real


def test_sent_after_commit_and_only_once(db, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = outbox_enqueue(task=HARMLESS, args=[])
        assert OutboxTask.objects.get(pk=row.pk).sent_at is None  # nothing leaves before the commit
    row.refresh_from_db()
    assert row.sent_at is not None and row.claimed_until is None
    assert outbox_relay() == 0  # already sent: a relay does not send it again


def test_a_leased_row_waits_and_is_sent_after_its_lease(db) -> None:
    row = OutboxTask.objects.create(task=HARMLESS, args=[], claimed_until=timezone.now() + timedelta(minutes=1))
    assert outbox_relay() == 0  # another relay holds it (it may be sending it right now)
    OutboxTask.objects.filter(pk=row.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert outbox_relay() == 1  # that relay died: the lease ran out and the row goes
    assert OutboxTask.objects.get(pk=row.pk).sent_at is not None


def test_an_unknown_task_waits_with_its_error_instead_of_breaking_the_relay(db) -> None:
    row = OutboxTask.objects.create(task="annotator.core.tasks.no_such_task", args=[])
    assert outbox_relay() == 0
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 1 and "no_such_task" in row.last_error
