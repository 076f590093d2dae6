"""docker-compose.yml, the Dockerfiles and deploy/nginx.conf, checked without a Docker engine (none
runs here): the compose file parses and has the layout of `make cluster`; every command is a real
`python -m bot` command; nginx's upstreams are the compose services on the ports they listen on;
deploy/nginx.conf is the rendering of the template `make cluster` uses; every variable the compose
file needs is documented in .env.example; secrets stay out of git and of the images."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.__main__ import build_parser
from bot.config import LISTEN_BACKLOG, PROJECT_ROOT
from bot.ops import prometheus_config
from bot.ops.nginx_config import COMPOSE_NOTE, compose_layout, render
from bot.ops.prometheus_config import compose_targets, scrape_config

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
APP_IMAGE = "atencion-virtual:latest"
APP_SERVICES = [name for name, service in SERVICES.items() if service.get("image") == APP_IMAGE]
NGINX_CONFIG = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")


def documented_keys() -> set[str]:
    lines = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line)}


def dockerfile_cmd(path: Path) -> list[str]:
    (cmd,) = re.findall(r"^CMD (\[.*\])$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return yaml.safe_load(cmd)


def upstreams(config: str) -> dict[str, list[tuple[str, int]]]:
    blocks = re.findall(r"upstream (\w+) \{(.*?)\}", config, re.DOTALL)
    return {
        name: [(host, int(port)) for host, port in re.findall(r"server ([\w.-]+):(\d+)", body)]
        for name, body in blocks
    }


def test_the_compose_file_has_the_layout_of_make_cluster():
    processes = {"migrate", "rasa-1", "rasa-2", "actions-1", "actions-2", "worker", "console"}
    assert set(SERVICES) == {"postgres", "redis", "nginx", *processes}
    assert SERVICES["postgres"]["image"].startswith("postgres:15")
    assert SERVICES["redis"]["image"].startswith("redis:7")
    assert set(APP_SERVICES) == processes
    assert SERVICES["migrate"]["restart"] == "no"
    for name in APP_SERVICES:
        if name != "migrate":
            conditions = {
                dependency: rule["condition"] for dependency, rule in SERVICES[name]["depends_on"].items()
            }
            assert "service_completed_successfully" in conditions.values() or conditions == {
                "rasa-1": "service_healthy"
            }, name
    # The Rasa servers one after another: the first creates the tracker store's table.
    assert SERVICES["rasa-2"]["depends_on"] == {"rasa-1": {"condition": "service_healthy"}}
    assert set(SERVICES["nginx"]["depends_on"]) == {"rasa-1", "rasa-2", "actions-1", "actions-2"}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_service_runs_a_real_command_of_this_project(name):
    command = SERVICES[name]["command"]
    assert command[:3] == ["python", "-m", "bot"], command
    build_parser().parse_args(command[3:])  # exits (fails the test) on anything it does not know


def test_the_images_default_commands_are_real_too():
    command = dockerfile_cmd(PROJECT_ROOT / "Dockerfile")
    assert command[:3] == ["python", "-m", "bot"]
    build_parser().parse_args(command[3:])
    assert dockerfile_cmd(PROJECT_ROOT / "deploy" / "nginx.Dockerfile")[0] == "nginx"


def test_the_servers_run_the_same_commands_as_make_run():
    commands = {" ".join(SERVICES[name]["command"]) for name in ("rasa-1", "rasa-2")}
    assert commands == {"python -m bot serve rasa"}
    commands = {" ".join(SERVICES[name]["command"]) for name in ("actions-1", "actions-2")}
    assert commands == {"python -m bot serve actions"}


def test_nginx_sends_to_the_compose_services_on_the_ports_they_listen_on():
    found = upstreams(NGINX_CONFIG)
    assert set(found) == {"rasa", "actions"}
    for upstream, port_key in (("rasa", "RASA_PORT"), ("actions", "ACTION_PORT")):
        hosts = [host for host, _port in found[upstream]]
        assert hosts == sorted(name for name in SERVICES if name.startswith(f"{upstream}-"))
        for host, port in found[upstream]:
            assert int(SERVICES[host]["environment"][port_key]) == port
    # The Rasa servers call the action servers through nginx, which listens where they look.
    for name in ("rasa-1", "rasa-2"):
        environment = SERVICES[name]["environment"]
        assert environment["ACTION_HOST"] == "nginx"
        assert f"listen {environment['ACTION_PORT']} backlog={LISTEN_BACKLOG};" in NGINX_CONFIG
    published = SERVICES["nginx"]["ports"]
    assert published == ["127.0.0.1:5005:5005"] and f"listen 5005 backlog={LISTEN_BACKLOG};" in NGINX_CONFIG
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in SERVICES["nginx"]["volumes"]


def test_deploy_nginx_conf_is_the_template_rendered_for_compose():
    expected = render(compose_layout(), COMPOSE_NOTE)
    assert expected == NGINX_CONFIG, (
        "deploy/nginx.conf is out of date: python -m bot.ops.nginx_config > deploy/nginx.conf"
    )


def test_deploy_prometheus_yml_is_the_scrape_configuration_rendered_for_compose():
    expected = scrape_config(compose_targets(), prometheus_config.COMPOSE_NOTE)
    actual = (PROJECT_ROOT / "deploy" / "prometheus.yml").read_text(encoding="utf-8")
    assert expected == actual, "out of date: python -m bot.ops.prometheus_config > deploy/prometheus.yml"


def test_every_variable_the_compose_file_uses_is_documented_in_env_example():
    text = (PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    assert interpolated and interpolated <= documented_keys()
    for name in APP_SERVICES:
        assert set(SERVICES[name]["environment"]) <= documented_keys(), name
        assert SERVICES[name]["env_file"] == ".env"


def test_secrets_stay_out_of_git_and_out_of_the_images():
    gitignored = (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    dockerignored = (PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in gitignored and ".env" in dockerignored
    assert {"var", ".venv", "models"} <= set(dockerignored)


def test_the_image_installs_the_lock_file_and_trains_the_model_at_build_time():
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    instructions = [line for line in dockerfile.splitlines() if line and not line.startswith("#")]
    assert instructions[0] == "FROM python:3.10-slim-bookworm"
    assert "pip install --requirement requirements.lock" in dockerfile
    assert "python -m bot train" in dockerfile


def test_every_process_is_healthy_only_when_ready():
    """Their healthchecks ask /ready (model, store, Telegram), not only whether the port answers."""
    for name, path in (("rasa-1", "/webhooks/telegram/ready"), ("rasa-2", "/webhooks/telegram/ready")):
        assert path in " ".join(SERVICES[name]["healthcheck"]["test"]), name
    assert "/ready" in " ".join(SERVICES["console"]["healthcheck"]["test"])
    for name in ("actions-1", "actions-2"):
        assert "127.0.0.1:5055/ready" in " ".join(SERVICES[name]["healthcheck"]["test"]), name
    worker_port = SERVICES["worker"]["environment"]["WORKER_PORT"]
    assert f"127.0.0.1:{worker_port}/ready" in " ".join(SERVICES["worker"]["healthcheck"]["test"])


def test_prometheus_scrapes_every_process_where_it_serves_metrics():
    scrape = yaml.safe_load((PROJECT_ROOT / "deploy" / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job for job in scrape["scrape_configs"]}
    rasa_targets = {t for c in jobs["atencion-rasa"]["static_configs"] for t in c["targets"]}
    rasa_servers = {name for name in SERVICES if name.startswith("rasa-")}
    assert rasa_targets == {f"{name}:5005" for name in rasa_servers}
    assert jobs["atencion-rasa"]["metrics_path"] == "/webhooks/telegram/metrics"
    assert jobs["atencion-store"]["static_configs"][0]["targets"] == ["console:8000"]
    action_targets = {t for c in jobs["atencion-actions"]["static_configs"] for t in c["targets"]}
    assert action_targets == {f"{name}:5055" for name in SERVICES if name.startswith("actions-")}
    worker_port = SERVICES["worker"]["environment"]["WORKER_PORT"]
    assert jobs["atencion-worker"]["static_configs"][0]["targets"] == [f"worker:{worker_port}"]
