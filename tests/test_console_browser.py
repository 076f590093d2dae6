"""The supervisors' console in a real browser (Debian's Chromium, headless) over a seeded store:
log in, read the figures the report SQL computed, filter the cases, open one and read its
timeline and conversation. The dashboard's screenshot is saved for docs/reports-and-console.md."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.console.app import spanish_number
from bot.reports.bottlenecks import bottlenecks_report
from bot.reports.csat import csat_report
from bot.reports.sla import sla_report
from bot.reports.teams import teams_report
from bot.reports.volume import volume_report
from bot.store.db import create_session_factory
from bot.store.models import OPEN_STATUSES, Case, utcnow
from tests.support.console_seed import HOSTILE_TEXT
from tests.support.console_server import PASSWORD, USER

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
SCREENSHOT = ARTIFACTS / "console-dashboard.png"


@pytest.fixture
def page(browser, console: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-ES")
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def log_in(page, console: str, password: str = PASSWORD) -> None:
    page.goto(f"{console}/")
    assert page.url == f"{console}/entrar"
    page.fill("#usuario", USER)
    page.fill("#contrasena", password)
    page.click("form[action='/entrar'] button")


def kpi(page, name: str) -> str:
    return page.inner_text(f"[data-kpi='{name}'] .value")


def test_the_dashboard_shows_the_figures_the_reports_compute(page, console: str, console_store: str):
    log_in(page, console, password="no-es-esta")
    assert page.inner_text("[role=alert]") == "Usuario o contraseña incorrectos."
    log_in(page, console)
    page.wait_for_url(f"{console}/")

    today = utcnow().date()
    start = today - timedelta(days=29)
    with create_session_factory(console_store)() as session:
        sla = sla_report(session, start, today).total
        csat = csat_report(session, start, today).total
        volume = volume_report(session, start, today).total
        bottlenecks = bottlenecks_report(session, start, today)
        steps, slowest = bottlenecks.total.steps, bottlenecks.slowest
        logistics = next(r for r in teams_report(session, start, today).teams if r.label == "Logística")
    assert sla.cases == 24 and sla.overdue > 0  # the seed, as the figures below are read
    assert kpi(page, "casos") == str(sla.cases)
    assert kpi(page, "primera-respuesta-p50") == spanish_number(sla.response_p50, " h")
    assert kpi(page, "a-tiempo") == spanish_number(sla.resolution_on_time_pct, " %")
    assert kpi(page, "abiertos") == str(sla.open)
    assert kpi(page, "vencidos") == str(sla.overdue)
    assert kpi(page, "csat") == spanish_number(csat.csat_average)
    assert kpi(page, "contencion") == spanish_number(volume.containment_pct, " %")
    row = page.locator("[data-table='equipos'] tr", has_text="Logística").inner_text().split("\t")
    assert row[:4] == [
        "Logística",
        str(logistics.sla.cases),
        "100,0 %",
        spanish_number(logistics.sla.response_p50, " h"),
    ]
    assert page.locator("figure.chart svg").count() == 4
    longest = max(steps, key=lambda row: row.time)  # the step that holds the most time: orange
    where_time_goes = page.locator("figure.chart", has_text="Dónde se va el tiempo")
    assert where_time_goes.locator(".bar.highlight .label").text_content() == longest.step
    assert page.locator("figure.chart .bar.highlight").count() == 2  # and the fastest team
    assert f"Paso más lento: {slowest.step}" in page.inner_text("[data-note=cuello]")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 20_000


def test_a_supervisor_finds_the_overdue_cases_and_reads_one(page, console: str, console_store: str):
    log_in(page, console)
    page.click("nav >> text=Casos")
    page.check("input[name=vencidos]")
    page.click("form.filters button")
    opened = [status.value for status in OPEN_STATUSES]
    with create_session_factory(console_store)() as session:
        overdue = set(
            session.execute(
                select(Case.number).where(Case.status.in_(opened), Case.sla_due_at < utcnow())
            ).scalars()
        )
        (hostile,) = session.execute(select(Case.number).where(Case.description == HOSTILE_TEXT)).scalars()
    listed = set(page.locator("table.cases tbody td:first-child a").all_inner_texts())
    assert listed == overdue and hostile in listed
    assert "vencidos=1" in page.url and "Solo vencidos" in page.inner_text("form.filters")

    page.click(f"text={hostile}")
    assert page.inner_text("h1").startswith(f"Caso {hostile}")
    assert page.inner_text(".description") == HOSTILE_TEXT  # shown as text, never run
    assert page.dialogs == []
    timeline = page.inner_text("ol.timeline")
    for moment in ("Mensaje recibido", "Clasificado", "Caso registrado", "Escalado"):
        assert moment in timeline
    assert "el tipo de caso lo pide · nivel 2" in timeline


def test_a_handled_case_shows_who_did_what_and_the_conversation(page, console: str, console_store: str):
    log_in(page, console)
    page.goto(f"{console}/casos?agente=&tipo=queja&estado=cerrado")
    page.click("table.cases tbody tr:has-text('Laura Gómez') a >> nth=0")
    timeline = page.inner_text("ol.timeline")
    for moment in (
        "Tomado · Laura Gómez",
        "Primera respuesta de una persona · Laura Gómez",
        "Resuelto · Laura Gómez",
        "Encuesta enviada",
        "Respuesta a la encuesta · Cliente",
        "Cerrado",
    ):
        assert moment in timeline
    conversation = page.inner_text("ol.transcript")
    assert (
        "Hola, soy Laura. Ya estoy revisando tu caso" in conversation
        and "Gracias, quedo atento." in conversation
    )

    page.click("text=Salir")
    page.wait_for_url(f"{console}/entrar")
    page.goto(f"{console}/casos")
    assert page.url == f"{console}/entrar"
