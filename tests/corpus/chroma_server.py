"""Start and stop a real Chroma server (`chroma run`) on a free loopback port, for server-mode tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from assistant.offline import OFFLINE_ENV

STARTUP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chroma_executable() -> str:
    candidate = Path(sys.executable).with_name("chroma")
    return str(candidate) if candidate.exists() else "chroma"


class ChromaServer:
    def __init__(self, path: Path, host: str = "127.0.0.1") -> None:
        self.path = Path(path)
        self.host = host
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log = self.path / "server.log"

    def __enter__(self) -> "ChromaServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        env = {**os.environ, **OFFLINE_ENV}
        for attempt in range(3):  # a port taken between probing and binding: try another
            self.port = free_port()
            with self.log.open("ab") as log:
                self.process = subprocess.Popen(
                    [chroma_executable(), "run", "--path", str(self.path / "data"), "--host", self.host, "--port", str(self.port)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=env,
                )
            if self._wait_ready():
                return
            self.stop()
        raise RuntimeError(f"chroma run did not start; log:\n{self.log.read_text(errors='replace')[-2000:]}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        url = f"http://{self.host}:{self.port}/api/v2/heartbeat"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
