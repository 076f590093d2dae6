"""The retraining loop's parts that need no training: the examples file written from the labels,
the quick configuration, keeping, promoting and rolling back models on disk, and loading a model
into each Rasa server of a cluster."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import yaml

from bot.config import PROJECT_ROOT
from bot.ops.launcher import free_port
from bot.review.model_store import ModelStore
from bot.review.retrain import Server, quick_config, reload, without_leaks
from bot.review.training_data import example_text, labelled_examples, nlu_yaml
from bot.store.models import ReviewItem, ReviewStatus, utcnow
from bot.training.nlu_files import holdout_paths, load_examples
from bot.training.train import fingerprint


def test_a_label_that_copies_a_held_out_sentence_is_never_trained_on():
    held_out = load_examples(holdout_paths())[0].text
    near_copy = held_out.upper().rstrip("?!.") + "!!"
    examples = {"queja": [near_copy, "el paquete vino abierto y faltaba una pieza del mueble"]}
    kept, leaking = without_leaks(examples)
    assert kept == {"queja": ["el paquete vino abierto y faltaba una pieza del mueble"]}
    assert leaking == (near_copy,)
    assert without_leaks({"duda": [near_copy]}) == ({}, (near_copy,))


def test_masked_values_become_example_values_and_no_bracket_is_left():
    assert (
        example_text("escribidme a [email] o al [teléfono]")
        == "escribidme a cliente@correo.es o al 612 345 678"
    )
    assert example_text("el pedido [pedido] [urgente](no)") == "el pedido PED-1234567 (urgente)(no)"


def test_only_labelled_items_are_written_as_rasa_nlu_data(session_factory):
    with session_factory.begin() as session:
        for text, label, status in [
            ("me llegó roto el [pedido]", "queja", ReviewStatus.LABELLED),
            ("cuánto tarda a canarias", "duda/envios", ReviewStatus.LABELLED),
            ("Cuánto tarda a Canarias", "duda/envios", ReviewStatus.LABELLED),
            ("blablabla", None, ReviewStatus.DISCARDED),
            ("hola que tal", None, ReviewStatus.PENDING),
        ]:
            session.add(
                ReviewItem(
                    key=text, text=text, count=1,
                    reasons=[], sources=[], conversations=[], label=label, status=status.value,
                    first_seen=utcnow(), last_seen=utcnow(),
                )
            )  # fmt: skip
    with session_factory() as session:
        examples = labelled_examples(session)
    assert examples == {
        "duda/envios": ["cuánto tarda a canarias", "Cuánto tarda a Canarias"],
        "queja": ["me llegó roto el PED-1234567"],
    }
    written = yaml.safe_load(nlu_yaml(examples))
    assert written["version"] == "3.1"
    assert written["nlu"][0] == {
        "intent": "duda/envios",
        "examples": "- cuánto tarda a canarias\n- Cuánto tarda a Canarias\n",
    }


def test_a_quick_configuration_changes_only_the_epochs(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text(
        "language: es\npipeline:\n- name: WhitespaceTokenizer\n- name: DIETClassifier\n  epochs: 100\n"
        "policies:\n- name: RulePolicy\n- name: TEDPolicy\n  epochs: 40\n  max_history: 5\n",
        encoding="utf-8",
    )
    quick = yaml.safe_load(quick_config(config, 3))
    assert quick["pipeline"][1] == {"name": "DIETClassifier", "epochs": 3}
    assert quick["policies"] == [{"name": "RulePolicy"}, {"name": "TEDPolicy", "epochs": 3, "max_history": 5}]


def test_the_projects_configuration_trains_no_epochs_and_is_left_as_it_is():
    original = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    assert yaml.safe_load(quick_config(PROJECT_ROOT / "config.yml", 3)) == original


def test_promotion_keeps_the_previous_model_and_rollback_restores_it(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "data", root / "data")
    for name in ("config.yml", "domain.yml"):
        shutil.copyfile(PROJECT_ROOT / name, root / name)
    store = ModelStore(root, tmp_path / "models")
    store.models.mkdir()
    store.current.write_bytes(b"first model")
    candidate = tmp_path / "candidate.tar.gz"
    candidate.write_bytes(b"second model")

    kept = store.promote(candidate, "version: '3.1'\nnlu: []\n", datetime(2026, 11, 24, 10, 0))
    assert store.current.read_bytes() == b"second model" and store.examples.exists()
    assert kept.name == "20261124-100000" and (kept / "atencion.tar.gz").read_bytes() == b"first model"
    assert (store.models / "atencion.fingerprint").read_text().strip() == fingerprint(root)

    restored = store.rollback(datetime(2026, 11, 24, 11, 0))
    assert restored == kept and not kept.exists() and store.previous() == []
    assert store.current.read_bytes() == b"first model" and not store.examples.exists()
    assert (
        store.models / "rolled_back" / "20261124-110000" / "atencion.tar.gz"
    ).read_bytes() == b"second model"
    assert (store.models / "atencion.fingerprint").read_text().strip() == fingerprint(root)
    assert store.rollback(datetime(2026, 11, 24, 12, 0)) is None


def test_only_the_newest_candidates_are_kept(tmp_path):
    store = ModelStore(tmp_path, tmp_path / "models")
    for stamp in ("20261120-090000", "20261121-090000", "20261122-090000", "20261123-090000"):
        (store.models / "candidates" / stamp).mkdir(parents=True)
    store.prune_candidates(keep=3)
    kept = sorted(path.name for path in (store.models / "candidates").iterdir())
    assert kept == ["20261121-090000", "20261122-090000", "20261123-090000"]


class FakeRasa(ThreadingHTTPServer):
    """Answers PUT /model as a Rasa server does (204), or with `status`; remembers what it loaded."""

    def __init__(self, status: int = 204) -> None:
        self.status, self.loaded = status, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                query = parse_qs(urlsplit(self.path).query)
                fake.loaded.append((urlsplit(self.path).path, query["token"], json.loads(body)))
                self.send_response(fake.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def test_in_a_cluster_each_rasa_server_loads_the_model_at_its_own_address(tmp_path):
    model = tmp_path / "atencion.tar.gz"
    first, second, broken = FakeRasa(), FakeRasa(), FakeRasa(status=400)
    gone = f"http://127.0.0.1:{free_port()}"
    try:
        replicas = (first.url, second.url, gone, broken.url)
        said = reload(Server("http://127.0.0.1:9", "clave", replicas), model)
    finally:
        for server in (first, second, broken):
            server.shutdown()
            server.server_close()
    expected = ("/model", ["clave"], {"model_file": str(model.resolve())})
    assert first.loaded == second.loaded == broken.loaded == [expected]
    assert said.startswith("cluster of 4 Rasa servers: ")
    assert f"loaded into the Rasa server at {first.url}; loaded into the Rasa server at {second.url}" in said
    assert f"no Rasa server running at {gone}" in said
    assert f"the Rasa server at {broken.url} refused to load it" in said
