"""A real `kg serve` on a free loopback port, in its own process, for tests that speak HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from kg.processes import stop_process

ADMIN_KEY = "cle-admin-de-test"
API_KEY = "cle-api-de-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(data_dir: Path, **settings: str):
    """Yield the base URL of a server on ``data_dir``; settings become KG_* environment variables."""
    port = free_port()
    env = {**os.environ, "KG_ADMIN_KEY": ADMIN_KEY, "KG_API_KEY": API_KEY}
    env.update({f"KG_{k.upper()}": str(v) for k, v in settings.items()})
    kg = Path(sys.executable).parent / "kg"
    log = (data_dir.parent / f"serve-{port}.log").open("w")
    process = subprocess.Popen(
        [str(kg), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"kg serve stopped: {(data_dir.parent / f'serve-{port}.log').read_text()[-2000:]}")
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("kg serve did not start within 120 s")
            time.sleep(0.3)
        yield url
    finally:
        stop_process(process)
        log.close()
