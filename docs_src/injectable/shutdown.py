"""``setup_graceful_shutdown()``: what is still open is closed at exit."""

import signal
import sys
import time
from collections.abc import Iterator

from fastapi_everywhere import sync


def get_connection() -> Iterator[str]:
    print("opened", flush=True)
    yield "conn"
    print("closed", flush=True)


def main() -> None:
    # Python's default SIGTERM ends the process without running exit handlers;
    # turning it into SystemExit lets them run (no handler is installed for you).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    container = sync.FastAPIContainer()  # left open on purpose
    container.get(get_connection)
    print("ready", flush=True)
    time.sleep(60)  # a worker's loop; SIGTERM ends it


if __name__ == "__main__":
    main()
