"""Check that the configured store works (write, ranged read, delete a probe); --create makes a missing bucket."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.core.storage import StoreError, ensure_dir, store, working_root


class Command(BaseCommand):
    help = "Check the configured storage (a probe file written, read back by range and removed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--create", action="store_true", help="create the S3 bucket when it does not exist")

    def handle(self, *args: Any, create: bool = False, **options: Any) -> None:
        files = store()
        if files.remote and create:
            from annotator.core.storage.s3 import S3Store

            assert isinstance(files, S3Store)
            files.ensure_bucket()
        probe = ensure_dir(working_root() / "probe") / f"{secrets.token_hex(8)}.txt"
        payload = b"annotator storage probe"
        try:
            probe.write_bytes(payload)
            files.publish(probe)
            files.release(probe)
            if files.read_range(probe, 10, 7) != payload[10:17]:
                raise CommandError("the store returned other bytes than were written")
            files.delete(probe)
        except StoreError as exc:
            raise CommandError(f"storage check failed: {exc}") from exc
        where = f"bucket {files.bucket}" if hasattr(files, "bucket") else str(working_root())
        self.stdout.write(self.style.SUCCESS(f"storage ok: {'s3' if files.remote else 'local'} ({where})"))
