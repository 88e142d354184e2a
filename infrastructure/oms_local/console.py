"""The back-office console on the local gateway: its static files under ``/console/`` and a local sign-in.

In AWS the same files are served from S3 behind CloudFront; here the gateway hands ``/console`` and
``/console/...`` to :func:`answer`, which serves files from ``infrastructure/console`` and nothing outside it.
``POST /_local/token`` mints a token the local authorizer accepts, so the console's "sign in as local admin"
button works without a terminal; like every ``/_local`` route it exists only on the local stack.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import unquote

from oms.problems import FieldError, Problem

from oms_local.auth import DEFAULT_ADMIN, DEFAULT_CUSTOMER, DEFAULT_TTL_SECONDS, JwtSettings, mint

ROOT = Path(__file__).resolve().parent.parent / "console"
PREFIX = "/console"
TOKEN_PATH = "/_local/token"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}
# What CloudFront's response headers policy would add in AWS; the pages need nothing inline.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: https: http:; connect-src 'self' https:; "
        "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'"
    ),
}


class Served(NamedTuple):
    status: int
    body: bytes
    headers: dict[str, str]


def handles(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/") or path.rstrip("/") == TOKEN_PATH


def answer(method: str, path: str, body: bytes, jwt: JwtSettings, *, local_routes: bool) -> Served:
    """The answer to a request for which :func:`handles` is true."""
    if path.rstrip("/") == TOKEN_PATH:
        if not local_routes:
            return _problem(404, "route_not_found", "Not found", "The local routes are off.")
        if method != "POST":
            return _not_allowed(method, path, "POST")
        return _token(body, jwt)
    if method not in ("GET", "HEAD"):
        return _not_allowed(method, path, "GET, HEAD")
    if path == PREFIX:  # relative links in the pages resolve against /console/
        return Served(308, b"", {"Location": PREFIX + "/"})
    return serve_file(path[len(PREFIX) + 1 :])


def serve_file(relative: str, root: Path = ROOT) -> Served:
    """A file under ``root``; ``index.html`` for page paths (no extension); 404 for anything else."""
    parts = PurePosixPath(unquote(relative)).parts
    if any(
        part in ("..", ".") or "\\" in part or part.startswith(".") or not part.isprintable()
        for part in parts
    ):
        return _problem(404, "not_found", "Not found", "No such file.")
    target = root.joinpath(*parts) if parts else root / "index.html"
    try:
        resolved = target.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        resolved = None
    if resolved is not None and resolved.is_dir():
        resolved = resolved / "index.html"
    if resolved is None or not resolved.is_file():
        if parts and PurePosixPath(parts[-1]).suffix:
            return _problem(404, "not_found", "Not found", f"No file {relative!r} in the console.")
        resolved = root / "index.html"
    if not resolved.is_relative_to(root.resolve()):
        return _problem(404, "not_found", "Not found", "No such file.")
    content_type = CONTENT_TYPES.get(resolved.suffix.lower(), "application/octet-stream")
    headers = {"Content-Type": content_type, "Cache-Control": "no-cache", **SECURITY_HEADERS}
    return Served(200, resolved.read_bytes(), headers)


def _token(body: bytes, jwt: JwtSettings) -> Served:
    try:
        payload: Any = json.loads(body) if body else {}
    except ValueError:
        payload = None
    admin = payload.get("admin", False) if isinstance(payload, dict) else None
    if not isinstance(admin, bool):
        return _problem(
            422,
            "validation_failed",
            "The request is not valid",
            'Send {"admin": true} for a back-office token, {"admin": false} for a customer\'s.',
            errors=[{"field": "admin", "message": "must be true or false"}],
        )
    subject = DEFAULT_ADMIN if admin else DEFAULT_CUSTOMER
    token = mint(jwt, subject, admin=admin)
    reply = {"token": token, "subject": subject, "admin": admin, "expires_in": DEFAULT_TTL_SECONDS}
    return Served(
        200, json.dumps(reply).encode(), {"Content-Type": "application/json", "Cache-Control": "no-store"}
    )


def _problem(
    status: int, code: str, title: str, detail: str, errors: list[dict[str, str]] | None = None
) -> Served:
    fields = [FieldError(e["field"], e["message"]) for e in errors or []]
    body = Problem(detail, errors=fields, code=code, status=status, title=title).to_dict()
    return Served(status, json.dumps(body).encode(), {"Content-Type": "application/problem+json"})


def _not_allowed(method: str, path: str, allowed: str) -> Served:
    served = _problem(405, "method_not_allowed", "Method not allowed", f"{method} is not allowed on {path}.")
    return Served(served.status, served.body, {**served.headers, "Allow": allowed})
