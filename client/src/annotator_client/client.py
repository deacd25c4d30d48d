"""`Client`: typed calls to the Annotator REST API v1, plus upload (resumable) and export (verified) that wait."""

from __future__ import annotations

import json
import os
import time
import zipfile
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import requests
from tqdm.auto import tqdm

from annotator_client import files as _files
from annotator_client.errors import ApiError, ChecksumError

Json = dict[str, Any]
MAX_CHUNK = 8 * 1024 * 1024
FINISHED_IMAGE = {"ready", "held", "failed"}
FINISHED_EXPORT = {"done", "failed", "cancelled"}


class Client:
    """One session with an Annotator server, authenticated by token (or username and password, exchanged for one)."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        *,
        timeout: float = 120.0,
        progress: bool = True,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.progress = progress
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if token is None and username is not None:
            token = self._call("POST", "/auth/token/", json={"username": username, "password": password or ""})["token"]
        if token:
            self.session.headers["Authorization"] = f"Token {token}"
        self.token = token

    # -- plumbing -----------------------------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.url}/api/v1{path}"

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = self.session.request(method, self._url(path), timeout=kwargs.pop("timeout", self.timeout), **kwargs)
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        return response

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        return response.json() if response.content else None

    def _list(self, path: str, **params: Any) -> list[Json]:
        items: list[Json] = []
        url: str | None = path
        query: dict[str, Any] | None = {"page_size": 1000, **{k: v for k, v in params.items() if v is not None}}
        while url:
            page = self._call("GET", url, params=query)
            items.extend(page["results"])
            url, query = page.get("next"), None  # next links carry their own query
        return items

    # -- resources ----------------------------------------------------------------------------------------------
    def me(self) -> Json:
        return self._call("GET", "/auth/me/")

    def projects(self) -> list[Json]:
        return self._list("/projects/")

    def project(self, project_id: int) -> Json:
        return self._call("GET", f"/projects/{project_id}/")

    def create_project(self, name: str, description: str = "") -> Json:
        return self._call("POST", "/projects/", json={"name": name, "description": description})

    def labels(self, project_id: int) -> list[Json]:
        return self._list(f"/projects/{project_id}/labels/")

    def create_label(self, project_id: int, name: str, kind: str, color: str = "#e5484d", **extra: Any) -> Json:
        body = {"name": name, "kind": kind, "color": color, **extra}
        return self._call("POST", f"/projects/{project_id}/labels/", json=body)

    def images(self, project_id: int, **filters: Any) -> list[Json]:
        return self._list(f"/projects/{project_id}/images/", **filters)

    def image(self, image_id: int) -> Json:
        return self._call("GET", f"/images/{image_id}/")

    def annotations(self, image_id: int) -> list[Json]:
        return self._list(f"/images/{image_id}/annotations/")

    def create_annotation(
        self, image_id: int, label: int, geometry: Any, frame: int = 0, attributes: Json | None = None
    ) -> Json:
        body = {"label": label, "geometry": geometry, "frame": frame, "attributes": attributes or {}}
        return self._call("POST", f"/images/{image_id}/annotations/", json=body)

    def assign(self, project_id: int, images: list[int], assignee: Any = None, reviewer: Any = None) -> Any:
        body = {
            "images": images,
            **({"assignee": assignee} if assignee else {}),
            **({"reviewer": reviewer} if reviewer else {}),
        }
        return self._call("POST", f"/projects/{project_id}/assignments/", json=body)

    def submit(self, image_id: int) -> Json:
        return self._call("POST", f"/images/{image_id}/submit/")

    def review(self, image_id: int, decision: str, comment: str = "") -> Json:
        return self._call("POST", f"/images/{image_id}/review/", json={"decision": decision, "comment": comment})

    def exports(self, project_id: int) -> list[Json]:
        return self._list(f"/projects/{project_id}/exports/")

    def export_job(self, export_id: int) -> Json:
        return self._call("GET", f"/exports/{export_id}/")

    def start_export(self, project_id: int, format: str, **options: Any) -> Json:
        return self._call("POST", f"/projects/{project_id}/exports/", json={"format": format, "options": options})

    def cancel_export(self, export_id: int) -> Json:
        return self._call("POST", f"/exports/{export_id}/cancel/")

    def versions(self, project_id: int) -> list[Json]:
        return self._list(f"/projects/{project_id}/versions/")

    def create_version(self, project_id: int, name: str, notes: str = "") -> Json:
        return self._call("POST", f"/projects/{project_id}/versions/", json={"name": name, "notes": notes})

    # -- upload -------------------------------------------------------------------------------------------------
    def upload(
        self,
        project_id: int,
        paths: Iterable[str | Path],
        site: str | None = None,
        wait: bool = True,
        timeout: float = 900,
    ) -> list[Json]:
        """Upload files and folders (a folder's files in one request, so a DICOM series becomes one image; files of
        16 MiB and more resumable in chunks). Rejected files raise nothing: they are in `self.last_rejected`.
        Returns the images, processed (ready, held or failed) when `wait`."""
        picked = _files.expand([paths] if isinstance(paths, (str, Path)) else paths)
        plan = _files.plan(picked)
        images: list[Json] = []
        self.last_rejected: list[Json] = []
        total = sum(p.stat().st_size for p in picked)
        with tqdm(total=total, unit="B", unit_scale=True, desc="upload", disable=not self.progress) as bar:
            for batch in plan.batches:
                with ExitStack() as stack:
                    parts = [("file", (p.name, stack.enter_context(p.open("rb")))) for p in batch]
                    data = {"site": site} if site else {}
                    result = self._call("POST", f"/projects/{project_id}/images/", files=parts, data=data)
                bar.update(sum(p.stat().st_size for p in batch))
                images += result["images"]
                self.last_rejected += result["rejected"]
            for path in plan.resumable:
                result = self._resumable(project_id, path, site or "", bar)
                images += result["images"]
                self.last_rejected += result["rejected"]
        return self.wait_for_images([i["id"] for i in images], timeout=timeout) if wait else images

    def _resume_store(self) -> Path:
        return Path(
            os.environ.get("ANNOTATOR_CLIENT_STATE", Path.home() / ".cache" / "annotator-client" / "uploads.json")
        )

    def _resumable(self, project_id: int, path: Path, site: str, bar: Any) -> Json:
        store = self._resume_store()
        state = json.loads(store.read_text()) if store.is_file() else {}
        stat = path.stat()
        key = f"{self.url}|{project_id}|{path.resolve()}|{stat.st_size}|{int(stat.st_mtime)}"
        info = None
        if key in state:  # an earlier run stopped half-way: go on from the server's offset
            try:
                info = self._call("GET", f"/uploads/{state[key]}/")
                if info["status"] != "open":
                    info = None
            except ApiError as exc:
                if exc.status not in (404, 410):
                    raise
        if info is None:
            body = {"filename": path.name, "size": stat.st_size, "sha256": _files.sha256_file(path), "site": site}
            info = self._call("POST", f"/projects/{project_id}/uploads/", json=body)
            state[key] = info["id"]
            store.parent.mkdir(parents=True, exist_ok=True)
            store.write_text(json.dumps(state))
        chunk = min(MAX_CHUNK, int(info.get("chunk_size") or MAX_CHUNK))
        offset = int(info["offset"])
        bar.update(offset)
        with path.open("rb") as handle:
            while offset < stat.st_size:
                handle.seek(offset)
                block = handle.read(chunk)
                headers = {"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)}
                try:
                    response = self._send("PATCH", f"/uploads/{info['id']}/", data=block, headers=headers)
                    new = int(response.headers["Upload-Offset"])
                except (requests.ConnectionError, requests.Timeout):
                    time.sleep(2)  # a dropped network: ask the server where to go on
                    new = int(self._call("GET", f"/uploads/{info['id']}/")["offset"])
                except ApiError as exc:
                    if exc.status != 409 or "offset" not in (exc.body or {}):
                        raise
                    new = int(exc.body["offset"])
                bar.update(new - offset)
                offset = new
        result = self._call("POST", f"/uploads/{info['id']}/complete/")
        state.pop(key, None)
        store.write_text(json.dumps(state))
        return result

    def wait_for_images(self, image_ids: list[int], timeout: float = 900, poll: float = 1.0) -> list[Json]:
        """Poll until every image is ready, held or failed; return them (TimeoutError past `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        done: dict[int, Json] = {}
        while len(done) < len(image_ids):
            for image_id in image_ids:
                if image_id not in done:
                    image = self.image(image_id)
                    if image["status"] in FINISHED_IMAGE:
                        done[image_id] = image
            if len(done) < len(image_ids):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(image_ids) - len(done)} image(s) still processing after {timeout}s")
                time.sleep(poll)
        return [done[i] for i in image_ids]

    # -- export -------------------------------------------------------------------------------------------------
    def export(self, project_id: int, format: str, dest: str | Path, timeout: float = 1800, **options: Any) -> Path:
        """Export, wait, download, check the zip's SHA-256 and every line of SHA256SUMS, unpack; return the folder."""
        job = self.start_export(project_id, format, **options)
        job = self.wait_for_export(job["id"], timeout=timeout)
        return self.download_export(job, dest)

    def wait_for_export(self, export_id: int, timeout: float = 1800, poll: float = 1.0) -> Json:
        return self._wait("export", lambda: self.export_job(export_id), export_id, timeout, poll)

    def _wait(self, what: str, fetch: Any, job_id: int, timeout: float, poll: float) -> Json:
        """Poll a job (export or import) with a progress bar until it ends; ApiError unless it is done."""
        deadline = time.monotonic() + timeout
        with tqdm(total=100, desc=f"{what} {job_id}", unit="%", disable=not self.progress) as bar:
            while True:
                job = fetch()
                bar.update(round(job["progress"] * 100) - bar.n)
                if job["status"] in FINISHED_EXPORT:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{what} {job_id} still {job['status']} after {timeout}s")
                time.sleep(poll)
        if job["status"] != "done":
            raise ApiError(409, f"{what}_{job['status']}", job.get("error") or f"The {what} {job['status']}.", body=job)
        return job

    def import_job(self, import_id: int) -> Json:
        return self._call("GET", f"/imports/{import_id}/")

    def import_annotations(
        self,
        project_id: int,
        path: str | Path,
        mapping: dict[str, int] | None = None,
        wait: bool = True,
        timeout: float = 1800,
    ) -> Json:
        """Import a COCO or native file (or a zip of either, e.g. an export) as pre-labels; with wait, return the
        finished job, whose report says what was imported, what was already present and what was skipped why."""
        data = {"mapping": json.dumps(mapping)} if mapping else {}
        with Path(path).open("rb") as handle:
            job = self._call("POST", f"/projects/{project_id}/imports/", files={"file": handle}, data=data)
        if not wait:
            return job
        return self._wait("import", lambda: self.import_job(job["id"]), job["id"], timeout, 1.0)

    def download_export(self, job: Json, dest: str | Path) -> Path:
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        archive = dest / f"export-{job['id']}.zip"
        response = self._send("GET", f"/exports/{job['id']}/download", stream=True)
        with (
            archive.open("wb") as out,
            tqdm(
                total=job.get("size") or None, unit="B", unit_scale=True, desc="download", disable=not self.progress
            ) as bar,
        ):
            for block in response.iter_content(1024 * 1024):
                out.write(block)
                bar.update(len(block))
        if job.get("sha256") and _files.sha256_file(archive) != job["sha256"]:
            raise ChecksumError(f"{archive} does not match the export's SHA-256 {job['sha256']}")
        folder = dest / f"export-{job['id']}"
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():  # never write outside the folder
                if not (folder / member).resolve().is_relative_to(folder.resolve()):
                    raise ChecksumError(f"the zip names a path outside its folder: {member}")
            zipped.extractall(folder)
        list(_files.check_sums(folder))
        return folder
