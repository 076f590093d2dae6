"""What the kernel says about a listening socket (iproute2's `ss`)."""

from __future__ import annotations

import subprocess


def listen_backlog(port: int) -> int:
    """How many connections may wait to be accepted on `port`: `ss` shows it as a listening
    socket's Send-Q."""
    out = subprocess.run(
        ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    (line,) = out.splitlines()  # one listening socket on the port
    return int(line.split()[2])
