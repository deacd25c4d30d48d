"""Viewer benchmark (headless Chromium): window/level repaint on 512², slice change with/without prefetch, first frame.

    .venv/bin/python benchmarks/viewer_bench.py                  # prints the table
    .venv/bin/python benchmarks/viewer_bench.py --write-readme   # and replaces the table in benchmarks/README.md
    .venv/bin/python benchmarks/viewer_bench.py --screenshots docs  # also the CT and slide screenshots

What it does, all on this machine (needs frontend/dist built, e.g. `make setup`):
1. in a scratch folder, migrates a SQLite database and seeds the demo project (tasks run in-process), then
   uploads a generated 512 × 512 CT series of --slices slices (int16 HU, the e2e test's generator);
2. starts `manage.py runserver --noreload` on a free local port and opens the series in Debian's Chromium
   (Playwright, headless, 1280 × 800);
3. first frame: navigation start → the first slice painted (the surface's data-opened-ms, performance.now());
4. repaint: with the Window/level tool, --moves synthetic pointer moves; each move's handler windows the
   512² slice through the lookup table and puts it on the canvas (the surface's lastPaintMs), and the time to
   the next animation frame after the move is taken too;
5. slice change: ArrowDown through the stack, key press → the new slice painted: with prefetch off
   (sessionStorage `annotator.prefetchRadius` = 0: every slice comes from the network) on a fresh page; with
   prefetch on, on a fresh page 3 s after it opened (keys pressed back to back, faster than a person); then
   ArrowUp back through the stack (the first pass left every slice in the cache).
Times are medians and 95th percentiles in ms.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SETUP = """
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from annotator.imaging.models import Image
from annotator.imaging.services import image_upload
from annotator.projects.models import Project
from tests.e2e.ct_series import ct_series
call_command("demo_seed")
user = get_user_model().objects.get(username="demo")
project = Project.objects.get(name__startswith="Demo")
hu = (0,) * {slices}
files = [SimpleUploadedFile(f.name, f.getvalue()) for f in ct_series(size=512, hu_per_slice=hu, phantom=True)]
image = image_upload(project=project, user=user, files=files, site="bench").images[0]
image.refresh_from_db()
assert image.status == "ready", image.error
slide = Image.objects.get(name="demo_slide.svs")
print("IDS", image.pk, slide.pk)
"""

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]

MOVES_JS = """async (moves) => {
  const el = document.querySelector('[data-testid=viewer]');
  const box = el.getBoundingClientRect();
  const x0 = box.left + box.width / 2, y0 = box.top + box.height / 2;
  const opts = (x, y) => ({ clientX: x, clientY: y, pointerId: 7, isPrimary: true, button: 0, bubbles: true });
  el.dispatchEvent(new PointerEvent('pointerdown', opts(x0, y0)));
  const paint = [], frame = [];
  for (let i = 1; i <= moves; i++) {
    const t0 = performance.now();
    el.dispatchEvent(new PointerEvent('pointermove', opts(x0 + (i % 200), y0 + (i % 50))));
    paint.push(Number(el.dataset.paintMs));
    await new Promise((r) => requestAnimationFrame(() => r()));
    frame.push(performance.now() - t0);
  }
  el.dispatchEvent(new PointerEvent('pointerup', opts(x0, y0)));
  return { paint, frame };
}"""

SLICES_JS = """async ([steps, direction]) => {
  const el = document.querySelector('[data-testid=viewer]');
  const times = [];
  for (let i = 0; i < steps; i++) {
    const target = String(Number(el.dataset.frame) + direction);
    const t0 = performance.now();
    const painted = new Promise((resolve) => {
      const obs = new MutationObserver(() => {
        if (el.dataset.frame === target) { obs.disconnect(); resolve(); }
      });
      obs.observe(el, { attributes: true, attributeFilter: ['data-frame'] });
    });
    const key = direction > 0 ? 'ArrowDown' : 'ArrowUp';
    document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    await painted;
    times.push(performance.now() - t0);
  }
  return times;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stats(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def prepare(work: Path, slices: int) -> tuple[dict[str, str], int, int]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env |= {"ANNOTATOR_VAR_DIR": str(work), "DEBUG": "1", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, timeout=600)
    out = subprocess.run(
        [*manage, "shell", "-c", SETUP.format(slices=slices)],
        env=env,
        check=True,
        timeout=1800,
        capture_output=True,
        text=True,
    ).stdout
    ids = re.search(r"IDS (\d+) (\d+)", out)
    if not ids:
        raise SystemExit(f"setup printed no image ids:\n{out}")
    return env, int(ids.group(1)), int(ids.group(2))


@contextlib.contextmanager
def server(env: dict[str, str], port: int):
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
                break
            except OSError as exc:
                if "HTTP Error" in str(exc):
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("runserver did not come up") from exc
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def login(page, base: str) -> None:
    page.goto(f"{base}/")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo-annotator")
    page.click("button[type=submit]")
    page.get_by_test_id("project-link").first.wait_for()


def open_image(page, base: str, image_id: int) -> None:
    page.goto(f"{base}/#/images/{image_id}")
    page.reload()  # a fresh document: performance.now() counts from this navigation
    page.locator("[data-testid=viewer][data-ready=true]").wait_for(timeout=60_000)


def run(args: argparse.Namespace) -> list[tuple[str, float, float, str]]:
    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="viewer-bench-") as scratch:
        env, ct_id, slide_id = prepare(Path(scratch), args.slices)
        with server(env, free_port()) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            login(page, base)

            first = []
            for _ in range(args.repeat):
                open_image(page, base, ct_id)
                first.append(float(page.get_by_test_id("viewer").get_attribute("data-opened-ms")))
            rows.append(("first frame (navigation → slice painted)", *stats(first), f"{args.repeat} loads"))

            page.keyboard.press("w")
            timing = page.evaluate(MOVES_JS, args.moves)
            rows.append(("window/level repaint, 512² int16 (handler)", *stats(timing["paint"]), f"{args.moves} moves"))
            rows.append(("window/level move → next animation frame", *stats(timing["frame"]), f"{args.moves} moves"))
            page.keyboard.press("Escape")

            steps = args.slices - 1
            page.evaluate("() => sessionStorage.setItem('annotator.prefetchRadius', '0')")
            open_image(page, base, ct_id)
            cold = page.evaluate(SLICES_JS, [steps, 1])
            rows.append(("slice change, prefetch off (network each time)", *stats(cold), f"{steps} slices"))
            page.evaluate("() => sessionStorage.removeItem('annotator.prefetchRadius')")
            open_image(page, base, ct_id)
            page.wait_for_timeout(3000)  # prefetch fetches the 8 slices after the first
            ahead = page.evaluate(SLICES_JS, [steps, 1])
            rows.append(("slice change, prefetch on, first pass (keys held)", *stats(ahead), f"{steps} slices"))
            back = page.evaluate(SLICES_JS, [steps, -1])
            rows.append(("slice change after the first pass (cached)", *stats(back), f"{steps} slices"))

            if args.screenshots:
                screenshots(page, base, ct_id, slide_id, Path(args.screenshots))
            browser.close()
    return rows


def screenshots(page, base: str, ct_id: int, slide_id: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/#/images/{ct_id}?frame=12")
    page.reload()
    page.locator("[data-testid=viewer][data-ready=true]").wait_for(timeout=60_000)
    page.get_by_role("combobox", name="Window preset").select_option(label="Lung")
    box = page.locator("canvas.raw-frame").bounding_box()
    scale = box["width"] / 512
    page.keyboard.press("d")
    page.mouse.move(box["x"] + 60 * scale, box["y"] + 250 * scale)
    page.mouse.down()
    page.mouse.move(box["x"] + 452 * scale, box["y"] + 250 * scale, steps=5)
    page.mouse.up()
    page.keyboard.press("Escape")
    page.mouse.move(box["x"] + 150 * scale, box["y"] + 240 * scale)
    page.screenshot(path=str(folder / "viewer-ct.png"))
    page.goto(f"{base}/#/images/{slide_id}")
    page.reload()
    page.locator("[data-testid=viewer][data-ready=true]").wait_for(timeout=60_000)
    page.wait_for_timeout(2500)
    viewer = page.get_by_test_id("viewer").bounding_box()
    page.mouse.move(viewer["x"] + viewer["width"] / 2, viewer["y"] + viewer["height"] / 2)
    page.mouse.wheel(0, -400)
    page.wait_for_timeout(2500)
    page.screenshot(path=str(folder / "viewer-slide.png"))


def table(rows: list[tuple[str, float, float, str]], args: argparse.Namespace) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Chromium headless (software GL)"
    lines = [
        f"Viewer ({time.strftime('%Y-%m-%d')}, {machine}; `python benchmarks/viewer_bench.py --slices {args.slices}`):",
        "",
        "| measurement | median ms | p95 ms | n |",
        "|---|---:|---:|---|",
        *[f"| {name} | {med:.1f} | {p95:.1f} | {n} |" for name, med, p95, n in rows],
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=40)
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--screenshots", default="")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    text = table(run(args), args)
    print(text)
    if args.write_readme:
        readme = ROOT / "benchmarks" / "README.md"
        body = readme.read_text()
        start, end = "<!-- viewer-bench -->", "<!-- /viewer-bench -->"
        block = f"{start}\n{text}\n{end}"
        if start in body:
            body = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, body, flags=re.S)
        else:
            body += f"\n## Viewer\n\n{block}\n"
        readme.write_text(body)


if __name__ == "__main__":
    main()
