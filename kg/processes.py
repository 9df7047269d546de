"""Child processes the project starts (servers in tests and benchmarks): always stopped, never left behind."""

from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    """Ask politely (SIGTERM), then insist (SIGKILL) if it has not exited within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
