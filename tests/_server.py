"""Real server processes for the adapter tests (gunicorn, uvicorn).

Each runs in a session of its own with its output in a file (a pipe nobody
reads would fill up under load and block the server), and is never left
running: a failure kills the whole process group, workers included.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path


def free_port() -> int:
    """A free loopback port (the server binds it right after)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening(port: int) -> bool:
    """Whether something accepts connections on the loopback ``port``."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


class Server:
    """A server process started with ``argv``; output in ``log``."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | str,
        env: Mapping[str, str],
        log: Path,
    ) -> None:
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=dict(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, probe: Callable[[], bool], timeout: float = 30) -> None:
        """Poll ``probe()`` until it is true; kill and fail if the server never is."""
        deadline = time.monotonic() + timeout
        while not probe():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"server did not start:\n{self.output()}")
            time.sleep(0.05)

    def stop(self, timeout: float = 60) -> str:
        """SIGTERM (a graceful shutdown); the output. Kills it if it hangs."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"server did not stop:\n{self.output()}") from None
        finally:
            self._kill_group()  # no orphaned worker either way
        return self.output()

    def kill(self) -> None:
        self._kill_group()
        self.proc.wait()

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
