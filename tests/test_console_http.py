"""The supervisors' console over HTTP, as the real `python -m bot console` process serves it over a
seeded store: nothing without a session, wrong passwords limited, filters that find the right
cases, customer text escaped, no customer data in any address."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bot.store.db import create_session_factory
from bot.store.models import OPEN_STATUSES, Agent, Case, Customer, Team, utcnow
from tests.support.console_seed import HOSTILE_TEXT
from tests.support.console_server import PASSWORD, USER, ConsoleSession, console_server, sign_in
from tests.support.postgres import fresh_postgres_database
from tests.support.tcp_proxy import proxied_database


@pytest.fixture
def signed_in(console: str) -> ConsoleSession:
    browser = ConsoleSession()
    answer = sign_in(browser, console)
    assert answer.url == f"{console}/" and "Panel" in answer.text
    return browser


def numbers_listed(page: str) -> list[str]:
    return re.findall(r'<a href="/casos/([DQS]-\d{4}-\d{6})">', page)


def cases_where(url: str, *conditions) -> set[str]:
    with create_session_factory(url)() as session:
        return set(session.execute(select(Case.number).where(*conditions)).scalars())


def test_every_page_needs_a_session(console: str, console_store: str):
    number = sorted(cases_where(console_store))[0]
    stranger = requests.Session()
    for path in ("/", "/casos", f"/casos/{number}", "/casos?estado=abiertos", "/?desde=2026-01-01", "/nada"):
        answer = stranger.get(f"{console}{path}", allow_redirects=False)
        assert (answer.status_code, answer.headers["Location"]) == (302, "/entrar"), path
        assert number not in answer.text
    assert stranger.post(f"{console}/salir", allow_redirects=False).headers["Location"] == "/entrar"
    assert stranger.get(f"{console}/static/console.css").status_code == 200  # the style sheet only


def test_wrong_passwords_are_refused_in_spanish_then_the_address_waits(console_store: str, tmp_path: Path):
    with console_server(console_store, tmp_path / "console.log") as base:
        guesser = ConsoleSession()
        for attempt in range(5):
            answer = sign_in(guesser, base, password=f"mal-{attempt}")
            assert answer.status_code == 401 and "Usuario o contraseña incorrectos." in answer.text
        right = sign_in(guesser, base)
        assert right.status_code == 429
        assert "Demasiados intentos fallidos. Vuelve a intentarlo dentro de 15 minutos." in right.text
        assert "consola_sesion" not in guesser.cookies


def test_a_form_posted_without_its_token_changes_nothing(console: str, signed_in: ConsoleSession):
    forged = signed_in.post(f"{console}/salir", data={"csrf": "de-otro-sitio"})
    assert forged.status_code == 403 and "Página caducada" in forged.text
    assert signed_in.get(f"{console}/casos").status_code == 200  # still signed in
    assert signed_in.post(f"{console}/casos", data={"csrf": "", "buscar": "a"}).status_code == 403
    stale_login = requests.post(f"{console}/entrar", data={"usuario": USER, "contrasena": PASSWORD})
    assert stale_login.status_code == 403 and "había caducado" in stale_login.text
    assert "consola_sesion" not in stale_login.cookies


def test_the_cookie_is_secure_behind_a_proxy_that_speaks_https(console: str):
    browser = ConsoleSession()
    browser.get(f"{console}/entrar")
    answer = browser.post(
        f"{console}/entrar",
        data={"usuario": USER, "contrasena": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
        allow_redirects=False,
    )
    assert answer.status_code == 303 and "secure" in answer.headers["Set-Cookie"].lower()
    plain = ConsoleSession()
    plain.get(f"{console}/entrar")
    login = {"usuario": USER, "contrasena": PASSWORD}
    answer = plain.post(f"{console}/entrar", data=login, allow_redirects=False)
    assert "secure" not in answer.headers["Set-Cookie"].lower()


def test_the_session_cookie_is_private_and_ends_on_logout(console: str, signed_in: requests.Session):
    (cookie,) = signed_in.cookies
    assert cookie.name == "consola_sesion" and cookie.has_nonstandard_attr("HttpOnly")
    page = signed_in.get(f"{console}/casos")
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src" not in page.headers["Content-Security-Policy"]  # no script may run at all
    signed_in.post(f"{console}/salir")
    stolen = requests.get(f"{console}/casos", cookies={"consola_sesion": cookie.value}, allow_redirects=False)
    assert stolen.headers["Location"] == "/entrar"


def test_filters_find_exactly_the_cases_that_match(
    console: str, console_store: str, signed_in: requests.Session
):
    with create_session_factory(console_store)() as session:
        laura = session.execute(select(Agent.id).where(Agent.name == "Laura Gómez")).scalar_one()
        calidad = session.execute(select(Team.id).where(Team.name == "calidad")).scalar_one()
    opened = {"nuevo", "en_proceso", "escalado", "reabierto"}
    checks = {
        "estado=abiertos": cases_where(console_store, Case.status.in_(opened)),
        "tipo=queja&estado=cerrado": cases_where(
            console_store, Case.type == "queja", Case.status == "cerrado"
        ),
        "equipo=calidad": cases_where(console_store, Case.team_id == calidad),
        f"agente={laura}": cases_where(console_store, Case.assigned_agent_id == laura),
        "agente=ninguno&tipo=queja": cases_where(
            console_store, Case.assigned_agent_id.is_(None), Case.type == "queja"
        ),
        "vencidos=1": cases_where(console_store, Case.status.in_(opened), Case.sla_due_at < utcnow()),
    }
    for query, expected in checks.items():
        page = signed_in.get(f"{console}/casos?{query}").text
        assert set(numbers_listed(page)) == expected and expected, query
        assert f"{len(expected)} caso" in page
    everything = signed_in.get(f"{console}/casos").text
    assert set(numbers_listed(everything)) == cases_where(console_store)


def test_customer_text_is_shown_escaped(console: str, console_store: str, signed_in: requests.Session):
    (number,) = cases_where(console_store, Case.description == HOSTILE_TEXT)
    page = signed_in.get(f"{console}/casos/{number}").text
    assert "&lt;script&gt;alert(&#34;hola&#34;)&lt;/script&gt;" in page and "<script>" not in page
    assert "Nadie &lt;i&gt;Importante&lt;/i&gt;" in page


def test_no_customer_data_in_any_address(console: str, console_store: str, signed_in: requests.Session):
    with create_session_factory(console_store)() as session:
        customers = session.execute(select(Customer.chat_id, Customer.name)).all()
    private = {value for row in customers for value in row if value} | {"Lucía", "Fernández"}
    pages = [signed_in.get(f"{console}{path}").text for path in ("/", "/casos")]
    pages += [
        signed_in.get(f"{console}/casos/{number}").text for number in sorted(cases_where(console_store))
    ]
    addresses = {match for page in pages for match in re.findall(r'(?:href|action|src)="([^"]*)"', page)}
    assert addresses and not [a for a in addresses for value in private if value in a]


def test_an_unknown_case_is_a_spanish_404(console: str, signed_in: requests.Session):
    answer = signed_in.get(f"{console}/casos/Q-1999-000001")
    assert answer.status_code == 404 and "No hay ningún caso con el número" in answer.text


HUGE = "9" * 40


@pytest.mark.parametrize(
    "path",
    [
        f"/casos?pagina={HUGE}",
        f"/casos?agente={HUGE}",
        "/casos?pagina=-3&agente=-1&estado=%00&tipo=<b>",
        f"/casos/{HUGE}",
        "/casos/%F0%9F%92%A5",
        "/?desde=0001-01-01&hasta=9999-12-31",
        "/?desde=9999-12-31",
        "/?hasta=0001-01-01",
        "/?desde=2026-02-30",
        f"/revision?despues={HUGE}",
        f"/revision/{HUGE}",
        "/revision/-1",
        "/static/",
        "/static/../bot/config.py",
    ],
)
def test_hostile_parameters_get_an_answer_never_a_server_error(
    console: str, signed_in: requests.Session, path
):
    answer = signed_in.get(f"{console}{path}", allow_redirects=False)
    assert answer.status_code < 500, answer.text[:300]
    if answer.status_code in (400, 404):
        assert "<html" in answer.text and 'lang="es"' in answer.text  # the console's own Spanish page
    anonymous = requests.get(f"{console}{path}", allow_redirects=False)
    assert anonymous.status_code < 500


def test_the_search_box_finds_a_customers_cases_without_putting_them_in_an_address(
    console: str, console_store: str, signed_in: requests.Session
):
    with create_session_factory(console_store)() as session:
        customer = session.execute(select(Customer).where(Customer.name.is_not(None))).scalars().first()
        expected = set(session.execute(select(Case.number).where(Case.customer_id == customer.id)).scalars())
    found = signed_in.post(f"{console}/casos", data={"buscar": customer.name.split()[0].lower()})
    assert found.status_code == 200 and expected <= set(numbers_listed(found.text))
    assert found.url == f"{console}/casos"  # the name travelled in the body only

    number = sorted(expected)[0]
    exact = signed_in.post(f"{console}/casos", data={"buscar": number.lower()}, allow_redirects=False)
    assert (exact.status_code, exact.headers["Location"]) == (303, f"/casos/{number}")
    nothing = signed_in.post(f"{console}/casos", data={"buscar": "%_nadie_así%"})
    assert numbers_listed(nothing.text) == [] and "Ningún caso coincide" in nothing.text


def test_health_and_readiness_answer_without_a_session_and_say_nothing_of_customers(console: str):
    alive = requests.get(f"{console}/health", allow_redirects=False)
    assert (alive.status_code, alive.json()) == (200, {"status": "alive"})
    ready = requests.get(f"{console}/ready", allow_redirects=False)
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "checks": {"database": "ok"}})


def test_without_its_database_the_console_is_alive_but_not_ready(postgres_databases, tmp_path: Path):
    with (
        fresh_postgres_database(postgres_databases) as url,
        proxied_database(url) as (proxied_url, proxy),
        console_server(proxied_url, tmp_path / "console.log") as base,
    ):
        assert requests.get(f"{base}/ready").status_code == 200
        proxy.cut()
        answer = requests.get(f"{base}/ready", timeout=60)
        assert answer.status_code == 503 and answer.json()["status"] == "not ready"
        assert answer.json()["checks"]["database"] == "the database does not answer (OperationalError)"
        assert requests.get(f"{base}/health").status_code == 200
        proxy.restore()
        deadline = time.monotonic() + 30
        while requests.get(f"{base}/ready").status_code != 200:
            assert time.monotonic() < deadline, "still not ready 30 s after the database came back"
            time.sleep(0.5)


def samples(text: str, name: str) -> dict[frozenset, float]:
    """The samples of one metric in Prometheus' text format: labels → value."""
    found = {}
    for line in text.splitlines():
        sample, _, value = line.rpartition(" ")
        metric_name, _, labels = sample.partition("{")
        if metric_name == name:
            found[frozenset(re.findall(r'(\w+)="([^"]*)"', labels))] = float(value)
    return found


def test_the_store_metrics_count_what_the_store_holds_and_name_nobody(console: str, console_store: str):
    text = requests.get(f"{console}/metrics").text
    opened = {s.value for s in OPEN_STATUSES}
    registered, open_now = (
        samples(text, "atencion_cases_registered_total"),
        samples(text, "atencion_cases_open"),
    )
    for kind in ("duda", "queja", "solicitud"):
        assert registered[frozenset({("type", kind)})] == len(cases_where(console_store, Case.type == kind))
        waiting = cases_where(console_store, Case.type == kind, Case.status == "escalado")
        assert open_now.get(frozenset({("type", kind), ("status", "escalado")}), 0) == len(waiting)
    assert sum(open_now.values()) == len(cases_where(console_store, Case.status.in_(opened))) > 0
    assert samples(text, "atencion_inbox_pending") == {frozenset(): 0.0}
    assert set(samples(text, "atencion_escalations_total").values()) != {0.0}
    with create_session_factory(console_store)() as session:
        names = session.execute(select(Customer.name)).scalars().all()
    assert HOSTILE_TEXT not in text and not any(name and name in text for name in names)
