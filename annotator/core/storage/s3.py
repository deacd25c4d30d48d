"""Files in any S3-compatible object store (django-storages' settings and connection, boto3's transfers).

The working root is this process's scratch folder: a step fetches what it reads, publishes what it
writes and releases its copy. Tiles never touch scratch: they are ranged reads of the stored container.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage

from annotator.core.storage.base import Store, StoreError

SINGLE_REQUEST_BYTES = 16 * 1024 * 1024  # below this one PUT/GET; above, boto3's multipart transfers
COMPLETE = ".complete"  # written in a fetched folder once every file below its prefix is here
MISSING = {"404", "NoSuchKey", "NotFound"}


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in MISSING


class S3Store(Store):
    """Stored objects in one bucket, keyed like paths below the working root."""

    remote = True

    def __init__(self, *, root: Path) -> None:
        super().__init__(root=root)
        self._storage = S3Storage()
        self.bucket = self._storage.bucket_name

    @property
    def _client(self) -> Any:
        return self._storage.connection.meta.client  # django-storages keeps one connection per thread

    def _call(self, what: str, key: str, call: Any, **kwargs: Any) -> Any:
        try:
            return call(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            if _missing(exc):
                raise StoreError(f"{key} is missing from the object store") from exc
            raise StoreError(f"the object store refused to {what} {key}: {exc}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"the object store cannot be reached ({what} {key}): {exc}") from exc

    def _keys_below(self, prefix: str) -> Iterator[str]:
        for key, _ in self._objects_below(prefix):
            yield key

    def _objects_below(self, prefix: str) -> Iterator[tuple[str, int]]:
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield item["Key"], int(item["Size"])
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"the object store cannot list {prefix}: {exc}") from exc

    def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist yet (deployments whose store starts empty)."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self._call("create bucket", self.bucket, self._client.create_bucket)
        except BotoCoreError as exc:
            raise StoreError(f"the object store cannot be reached: {exc}") from exc

    def publish(self, path: Path) -> None:
        self.key(path)
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and p.name != COMPLETE)
        for file in files:
            key = self.key(file)
            try:
                if file.stat().st_size <= SINGLE_REQUEST_BYTES:  # one PUT: half the time of a transfer for small files
                    with file.open("rb") as body:
                        self._client.put_object(Bucket=self.bucket, Key=key, Body=body)
                else:
                    self._client.upload_file(str(file), self.bucket, key)
            except (ClientError, BotoCoreError) as exc:
                raise StoreError(f"the object store refused {key}: {exc}") from exc

    def fetch(self, path: Path) -> Path:
        if path.is_file() or (path / COMPLETE).is_file():
            return path
        key = self.key(path)
        head = self._head(key)
        if head is not None:
            self._download(key, path, int(head["ContentLength"]))
            return path
        children = list(self._objects_below(key + "/"))
        for child, size in children:
            target = self.root / child
            if not target.is_file():
                self._download(child, target, size)
        if children:
            (path / COMPLETE).touch()
        return path

    def _download(self, key: str, target: Path, size: int) -> None:
        """Download to a private name, then rename: readers never see a half-written file."""
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-")
        try:
            if size <= SINGLE_REQUEST_BYTES:
                body = self._call("download", key, self._client.get_object, Key=key)["Body"]
                with os.fdopen(fd, "wb") as out:
                    fd = -1
                    for chunk in body.iter_chunks(1024 * 1024):
                        out.write(chunk)
            else:
                os.close(fd)
                fd = -1
                self._call("download", key, self._client.download_file, Key=key, Filename=partial)
            os.replace(partial, target)
        finally:
            if fd >= 0:
                os.close(fd)
            Path(partial).unlink(missing_ok=True)

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return self._call("look up", key, self._client.head_object, Key=key)
        except StoreError:
            return None

    def exists(self, path: Path) -> bool:
        key = self.key(path)
        if self._head(key) is not None:
            return True
        return next(self._keys_below(key + "/"), None) is not None

    def folder_ages(self, path: Path) -> dict[str, float]:
        """For each sub-folder of a folder in the bucket: when any object below it last changed (epoch s)."""
        prefix = self.key(path) + "/"
        newest: dict[str, float] = {}
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    name = item["Key"][len(prefix) :].split("/", 1)[0]
                    newest[name] = max(newest.get(name, 0.0), item["LastModified"].timestamp())
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"the object store cannot list {prefix}: {exc}") from exc
        return newest

    def files_below(self, path: Path) -> list[Path]:
        return sorted(self.root / key for key in self._keys_below(self.key(path) + "/"))

    def size(self, path: Path) -> int:
        key = self.key(path)
        return int(self._call("look up", key, self._client.head_object, Key=key)["ContentLength"])

    def read_range(self, path: Path, start: int, length: int) -> bytes:
        if length <= 0:
            return b""
        key = self.key(path)
        try:
            answer = self._call(
                "read", key, self._client.get_object, Key=key, Range=f"bytes={start}-{start + length - 1}"
            )
        except StoreError as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError) and cause.response.get("Error", {}).get("Code") == "InvalidRange":
                return b""  # past the end, as a positioned read of a file gives
            raise
        return answer["Body"].read()

    def read(self, path: Path) -> bytes:
        key = self.key(path)
        return self._call("read", key, self._client.get_object, Key=key)["Body"].read()

    def iter_chunks(self, path: Path, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        key = self.key(path)
        body = self._call("read", key, self._client.get_object, Key=key)["Body"]
        try:
            yield from body.iter_chunks(chunk_size)
        finally:
            body.close()

    def url(
        self, path: Path, *, expires: int, filename: str | None = None, content_type: str | None = None
    ) -> str | None:
        params: dict[str, str] = {"Bucket": self.bucket, "Key": self.key(path)}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        if content_type:
            params["ResponseContentType"] = content_type
        return str(self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires))

    def delete(self, path: Path) -> None:
        key = self.key(path)
        keys = [key, *self._keys_below(key + "/")]
        for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1,000 keys
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            self._call("delete", key, self._client.delete_objects, Delete={"Objects": batch, "Quiet": True})
        self.release(path)

    def release(self, path: Path) -> None:
        self.key(path)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
