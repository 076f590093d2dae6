"""nginx in front of the scale-out deployment: its configuration, rendered from the one template
deploy/nginx.conf.j2 for `python -m bot cluster` (loopback ports) and for docker-compose.yml
(service names), and the command that runs Debian's nginx in the foreground.

`python -m bot.ops.nginx_config > deploy/nginx.conf` writes docker-compose.yml's configuration; with
`--expose-rest` it also routes the REST channel (set REST_CHANNEL_TOKEN for the Rasa servers first).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.config import LISTEN_BACKLOG, PROJECT_ROOT
from bot.ops.replicas import DEFAULT_ACTION_SERVERS, DEFAULT_RASA_SERVERS

TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf.j2"
COMPOSE_CONFIG = PROJECT_ROOT / "deploy" / "nginx.conf"
# docker-compose.yml: every Rasa server and nginx listen on 5005, every action server and nginx on 5055.
COMPOSE_RASA_PORT = 5005
COMPOSE_ACTION_PORT = 5055
COMPOSE_NOTE = "Generated from deploy/nginx.conf.j2 by `python -m bot.ops.nginx_config`: edit the template."


@dataclass(frozen=True)
class NginxLayout:
    """Where nginx listens and the servers behind it (`host:port` each)."""

    rasa_listen: str
    actions_listen: str
    rasa_servers: Sequence[str]
    action_servers: Sequence[str]
    pid: str
    access_log: str
    temp_dir: str | None = None  # None: nginx's compiled-in paths (they need root)
    worker_processes: str = "1"
    backlog: int = LISTEN_BACKLOG
    expose_rest: bool = False  # /webhooks/rest/ reaches the Rasa servers (REST_CHANNEL_TOKEN is set)


def render(layout: NginxLayout, generated_by: str) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE.parent),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # nginx configuration, not HTML  # noqa: S701
    )
    template = environment.get_template(TEMPLATE.name)
    return template.render(generated_by=generated_by, **vars(layout))


def compose_layout(
    rasa: int = DEFAULT_RASA_SERVERS, actions: int = DEFAULT_ACTION_SERVERS, expose_rest: bool = False
) -> NginxLayout:
    """docker-compose.yml's services `rasa-1`…, `actions-1`…, the official image's paths."""
    return NginxLayout(
        rasa_listen=str(COMPOSE_RASA_PORT),
        actions_listen=str(COMPOSE_ACTION_PORT),
        rasa_servers=[f"rasa-{n}:{COMPOSE_RASA_PORT}" for n in range(1, rasa + 1)],
        action_servers=[f"actions-{n}:{COMPOSE_ACTION_PORT}" for n in range(1, actions + 1)],
        pid="/var/run/nginx.pid",
        access_log="/dev/stdout",
        worker_processes="auto",
        expose_rest=expose_rest,
    )


def nginx_binary() -> str | None:
    """Debian's nginx (in /usr/sbin, which is not on every user's PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    debian = Path("/usr/sbin/nginx")
    return str(debian) if debian.exists() else None


def nginx_command(binary: str, prefix: Path, config: Path) -> list[str]:
    """nginx in the foreground, its errors on stderr from the first line (-e; nginx 1.19.5+)."""
    return [*nginx_arguments(binary, prefix, config), "-g", "daemon off;"]


def nginx_test_command(binary: str, prefix: Path, config: Path) -> list[str]:
    """`nginx -t`: is the configuration valid (quiet unless it is not)."""
    return [*nginx_arguments(binary, prefix, config), "-t", "-q"]


def nginx_arguments(binary: str, prefix: Path, config: Path) -> list[str]:
    return [binary, "-p", str(prefix), "-c", str(config), "-e", "stderr"]


if __name__ == "__main__":
    sys.stdout.write(render(compose_layout(expose_rest="--expose-rest" in sys.argv[1:]), COMPOSE_NOTE))
