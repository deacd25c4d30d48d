"""Locust scenario: annotators open their next image, pan over its tiles, save boxes and hand it in.

Run through benchmarks/load_run.py, which seeds users and images, starts gunicorn and passes the seed
in LOAD_SEED (a JSON file: {"project", "label", "width", "height", "tokens": [...]}).
"""

from __future__ import annotations

import json
import os
import random
from itertools import count

from locust import HttpUser, between, task

SEED = json.loads(open(os.environ["LOAD_SEED"]).read())  # noqa: SIM115 (read once at import)
_tokens = count()


class Annotator(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        token = SEED["tokens"][next(_tokens) % len(SEED["tokens"])]
        self.client.headers["Authorization"] = f"Token {token}"
        self.image: dict | None = None
        self.saved: list[dict] = []

    def _open_next(self) -> None:
        answer = self.client.get(f"/api/v1/projects/{SEED['project']}/next/", name="next image")
        self.image = answer.json() if answer.status_code == 200 else None
        self.saved = []
        if self.image is None:
            return
        image_id = self.image["id"]
        self.client.get(f"/api/v1/images/{image_id}/", name="image")
        self.client.get(f"/api/v1/projects/{SEED['project']}/labels/", name="labels")
        self.client.get(f"/api/v1/images/{image_id}/dzi", name="dzi")
        self.client.get(f"/api/v1/images/{image_id}/annotations/", name="annotations list")

    @task(6)
    def tiles(self) -> None:
        """A pan or zoom: a handful of tiles of one level, with the image's version as the viewer sends it."""
        if self.image is None:
            self._open_next()
            if self.image is None:
                return
        version = (self.image.get("dzi_url") or "?v=0").split("?", 1)[1]
        level, columns, rows = random.choice(SEED["levels"])
        for _ in range(6):
            col, row = random.randrange(columns), random.randrange(rows)
            self.client.get(
                f"/api/v1/images/{self.image['id']}/tiles/{level}/{col}_{row}.{SEED['tile_format']}?{version}",
                name="tile",
            )

    @task(3)
    def save(self) -> None:
        """The autosave: create two boxes and move one saved earlier, in one bulk request."""
        if self.image is None:
            return
        x, y = random.uniform(0, SEED["width"] - 60), random.uniform(0, SEED["height"] - 60)
        create = [{"label": SEED["label"], "geometry": {"x": x + d, "y": y + d, "w": 40, "h": 30}} for d in (0, 5)]
        update = []
        if self.saved:
            moved = self.saved.pop(0)
            geometry = {"x": x, "y": y, "w": 20, "h": 20}
            update = [{"id": moved["id"], "version": moved["version"], "geometry": geometry}]
        answer = self.client.post(
            f"/api/v1/images/{self.image['id']}/annotations/bulk/",
            json={"create": create, "update": update, "delete": []},
            name="bulk save",
        )
        if answer.status_code == 200:
            body = answer.json()
            self.saved += body["created"] + body["updated"]

    @task(1)
    def submit(self) -> None:
        """Hand the image in and open the next one."""
        if self.image is None or not self.saved:
            return
        self.client.post(f"/api/v1/images/{self.image['id']}/submit/", name="submit")
        self._open_next()
