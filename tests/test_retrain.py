"""`python -m bot retrain` and `rollback` for real: models trained with few epochs on a copy of the
project's data, judged on the held-out sets, and loaded into a running Rasa server without a
restart. A candidate taught with wrong labels is refused and production stays; a good one is
promoted and served; rollback brings the previous one back."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import urllib.request
from pathlib import Path

import pytest
import yaml
from sqlalchemy import update

from bot.config import PROJECT_ROOT, get_settings
from bot.ops.launcher import free_port, running_services
from bot.review.model_store import ModelStore
from bot.review.rasa_api import call
from bot.review.retrain import Server, quick_config, retrain, rollback
from bot.review.verdict import Gate
from bot.store.models import ReviewItem, ReviewStatus, utcnow
from bot.training.train import run_rasa_train

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).parent / "artifacts"
EPOCHS = 10
TOKEN = "prueba-de-recarga"
GATE = Gate(f1_tolerance=0.02, max_recall_drop=0.10)  # few epochs: a little noise is no regression


def training_complaints() -> list[str]:
    """The project's own queja examples (entity annotations removed): taught as requests, they
    contradict what the model learnt, as a careless labeller would."""
    blocks = yaml.safe_load((PROJECT_ROOT / "data" / "nlu" / "queja.yml").read_text(encoding="utf-8"))["nlu"]
    lines = [
        line[2:]
        for block in blocks
        if block.get("intent") == "queja"
        for line in block["examples"].splitlines()
    ]
    return [re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line).strip() for line in lines if line.strip()]


GOOD = {
    "queja": [
        "me llegó la lámpara rota y nadie me da una solución",
        "llevo diez días sin mi pedido, es inaceptable",
    ],
    "solicitud": [
        "quiero cambiar la dirección de entrega de mi pedido",
        "necesito una copia de la factura de marzo",
    ],
    "duda/envios": ["cuánto tarda un envío a canarias?"],
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> ModelStore:
    """A copy of config.yml, domain.yml and data/ and a production model trained on it."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(PROJECT_ROOT / "data", root / "data")
    shutil.copyfile(PROJECT_ROOT / "domain.yml", root / "domain.yml")
    (root / "config.yml").write_text(quick_config(PROJECT_ROOT / "config.yml", EPOCHS), encoding="utf-8")
    store = ModelStore(root, root / "models")
    cache = str(PROJECT_ROOT / ".rasa" / "cache")
    run_rasa_train(store.models, root / "train.log", root=root, RASA_CACHE_DIRECTORY=cache)
    return store


def label(session_factory, examples: dict[str, list[str]]) -> None:
    with session_factory.begin() as session:
        for intent, texts in examples.items():
            for text in texts:
                session.add(
                    ReviewItem(
                        key=text.lower(), text=text, count=1, reasons=["low_confidence"], sources=[],
                        conversations=[], label=intent, status=ReviewStatus.LABELLED.value,
                        first_seen=utcnow(), last_seen=utcnow(),
                    )
                )  # fmt: skip


def keep_sample(report: Path) -> None:
    """The promoted run's report and matrices, for the README (docs/retrain-sample.md)."""
    ARTIFACTS.mkdir(exist_ok=True)
    png = report.with_name(report.stem + "-confusion.png")
    shutil.copyfile(png, ARTIFACTS / "retrain-sample-confusion.png")
    text = report.read_text(encoding="utf-8").replace(png.name, "retrain-sample-confusion.png")
    (ARTIFACTS / "retrain-sample.md").write_text(text, encoding="utf-8")


def model_id(server: Server) -> str:
    return call(server.url, server.token, "GET", "/status")["model_id"]


def answer(server: Server, text: str) -> list[dict]:
    body = json.dumps({"sender": "recarga", "message": text}).encode()
    request = urllib.request.Request(f"{server.url}/webhooks/rest/webhook", data=body)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


# About the model pipeline (it trains two candidates), not the store: on SQLite only.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_wrong_labels_are_refused_a_good_candidate_is_served_and_rollback_goes_back(
    workspace: ModelStore, session_factory, database_url: str, tmp_path: Path
):
    settings = dataclasses.replace(
        get_settings(), rasa_port=free_port(), action_port=free_port(), rasa_api_token=TOKEN
    )
    server = Server(f"http://127.0.0.1:{settings.rasa_port}", TOKEN)
    reports = tmp_path / "reports"
    with running_services(settings, log_prefix="test-retrain-", model=workspace.current):
        production, served = digest(workspace.current), model_id(server)

        wrong = training_complaints()
        label(session_factory, {"solicitud": wrong})  # every complaint the model knows, as a request
        refused = retrain(session_factory, workspace, GATE, server, reports, epochs=EPOCHS)
        assert refused.examples == len(wrong) > 150 and not refused.verdict.promote
        reasons = refused.verdict.reasons
        assert reasons and all("macro-F1" in reason or "recall of queja" in reason for reason in reasons)
        assert digest(workspace.current) == production and model_id(server) == served
        assert not workspace.examples.exists() and workspace.previous() == []
        report = refused.report.read_text(encoding="utf-8")
        assert "**REFUSED**" in report and reasons[0] in report
        assert (reports / refused.report.name.replace(".md", "-confusion.png")).stat().st_size > 10_000

        with session_factory.begin() as session:
            session.execute(update(ReviewItem).values(status=ReviewStatus.DISCARDED.value))
        label(session_factory, GOOD)
        promoted = retrain(session_factory, workspace, GATE, server, reports, epochs=EPOCHS)
        assert promoted.verdict.promote, promoted.verdict.reasons
        assert promoted.server == f"loaded into the Rasa server at {server.url}"
        assert model_id(server) != served and digest(workspace.current) != production
        assert "cuánto tarda un envío a canarias?" in workspace.examples.read_text(encoding="utf-8")
        assert len(workspace.previous()) == 1 and "**PROMOTED**" in promoted.report.read_text()
        keep_sample(promoted.report)
        assert answer(server, "hola") and answer(
            server, "me llegó la lámpara rota y nadie me da una solución"
        )

        restored, said = rollback(workspace, server)
        assert restored is not None and said == f"loaded into the Rasa server at {server.url}"
        assert digest(workspace.current) == production and model_id(server) == served
        assert not workspace.examples.exists() and workspace.previous() == []
        assert rollback(workspace, server) == (None, "no previous model is kept: nothing to go back to")
