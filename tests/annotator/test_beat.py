"""Every beat entry names a task that exists and can be sent (a soft limit past its hard one cannot)."""

import importlib

from django.conf import settings


def test_every_beat_entry_can_be_sent() -> None:
    assert {"reap-jobs", "relay-outbox", "reap-uploads", "sweep-files"} <= set(settings.CELERY_BEAT_SCHEDULE)
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        module, _, name = entry["task"].rpartition(".")
        task = getattr(importlib.import_module(module), name)
        assert task.name == entry["task"]
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        assert soft <= hard, f"{task.name}: soft limit {soft} s past its hard limit {hard} s; Celery refuses to send it"
        assert entry["options"]["expires"] <= entry["schedule"]
