"""The `annotator` command: upload files and folders, export a dataset, or pull a frozen dataset version."""

from __future__ import annotations

import argparse
import json
import os
import sys

from annotator_client.client import Client
from annotator_client.errors import ApiError


def _client(args: argparse.Namespace) -> Client:
    return Client(args.url, token=args.token, username=args.username, password=os.environ.get("ANNOTATOR_PASSWORD"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="annotator", description="Upload to and export from an Annotator server.")
    parser.add_argument("--url", default=os.environ.get("ANNOTATOR_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("ANNOTATOR_TOKEN"))
    parser.add_argument("--username", default=os.environ.get("ANNOTATOR_USERNAME"), help="with ANNOTATOR_PASSWORD")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("upload", help="upload files and folders (a DICOM folder becomes its series)")
    up.add_argument("project", type=int)
    up.add_argument("paths", nargs="+")
    up.add_argument("--site")
    up.add_argument("--no-wait", action="store_true")
    ex = sub.add_parser("export", help="export, download, verify and unpack")
    ex.add_argument("project", type=int)
    ex.add_argument("format")
    ex.add_argument("dest")
    ex.add_argument("--options", default="{}", help='JSON, e.g. \'{"split": {"train": 0.8, "val": 0.1, "test": 0.1}}\'')
    pull = sub.add_parser("pull", help="export a frozen dataset version (the same bytes every time)")
    pull.add_argument("project", type=int)
    pull.add_argument("dest")
    pull.add_argument("--version", type=int, required=True)
    pull.add_argument("--format", default="coco")
    args = parser.parse_args(argv)
    try:
        client = _client(args)
        if args.command == "upload":
            images = client.upload(args.project, args.paths, site=args.site, wait=not args.no_wait)
            for image in images:
                print(f"{image['id']}\t{image['status']}\t{image['name']}\t{image.get('error') or ''}")
            for rejected in client.last_rejected:
                print(f"rejected\t{rejected['filename']}\t{rejected['detail']}", file=sys.stderr)
        elif args.command == "export":
            print(client.export(args.project, args.format, args.dest, **json.loads(args.options)))
        else:
            print(client.export(args.project, args.format, args.dest, version=args.version))
    except ApiError as exc:
        print(f"error: {exc.detail} ({exc.code}, HTTP {exc.status})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
