"""The console's web app (Sanic, as the Rasa server): every page needs a session but the login."""

from __future__ import annotations

import math
import re
import secrets
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot import health, metrics
from bot.console.auth import Credentials, LoginThrottle, Sessions
from bot.console.case_views import (
    MAX_SEARCH_LENGTH,
    CaseFilters,
    case_detail,
    case_list,
    console_label,
    filter_choices,
    is_small_number,
)
from bot.console.dashboard import DateRange, dashboard
from bot.console.review_views import decide, next_review, review_card
from bot.labels import label
from bot.review.labels import DISCARD
from bot.store.models import utcnow

HERE = Path(__file__).parent
COOKIE = "consola_sesion"
LOGIN_COOKIE = "consola_entrada"  # the login form's CSRF token (double submit: no session yet)
CSRF_FIELD = "csrf"
LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
PUBLIC_PATHS = ("/entrar", "/static/", "/health", "/ready", "/metrics")
CSRF: ContextVar[str] = ContextVar("console_csrf", default="")  # this request's, for every form
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def templates(timezone: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    zone = ZoneInfo(timezone)
    environment.filters.update(
        fecha=lambda moment: local_time(moment, zone),
        numero=spanish_number,
        estado=lambda code: console_label("status", code),
        tipo=lambda code: label("case_type", code),
        prioridad=lambda code: label("priority", code),
    )
    return environment


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return "—"
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).strftime("%d/%m/%Y %H:%M")


def spanish_number(value: float | int | None, suffix: str = "") -> str:
    """`1.5` → `1,5`; missing → "—"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value}".replace(".", ",") + suffix


def query_lists(request: Request) -> dict[str, list[str]]:
    """The query string as lists (Sanic's `args.get` gives only the first value)."""
    return {key: request.args.getlist(key) for key in request.args}


def build_app(
    credentials: Credentials,
    session_factory: sessionmaker,
    timezone: str,
    tracker: Engine,
    clock: Callable[[], datetime] = utcnow,
    secure_cookie: bool = False,
) -> Sanic:
    """`tracker`: the engine of Rasa's SQL tracker store (the review inbox shows conversations)."""
    app = Sanic(f"console-{uuid.uuid4().hex[:8]}")
    app.config.FORWARDED_SECRET = None
    sessions, throttle, pages = Sessions(clock), LoginThrottle(clock), templates(timezone)
    app.static("/static", str(HERE / "static"), name="static")

    def render(name: str, status: int = 200, **context: object) -> HTTPResponse:
        return html(pages.get_template(name).render(csrf=CSRF.get(), **context), status=status)

    def cookie(response: HTTPResponse, request: Request, name: str, value: str, path: str = "/") -> None:
        """HttpOnly, SameSite=Strict; Secure when configured or when a proxy says it spoke https."""
        secure = secure_cookie or request.headers.get("x-forwarded-proto", "").lower() == "https"
        response.cookies[name] = value
        for key, setting in (("httponly", True), ("samesite", "Strict"), ("path", path), ("secure", secure)):
            response.cookies[name][key] = setting

    def login_page(request: Request, status: int = 200, **context: object) -> HTTPResponse:
        """The login form with its CSRF token, also set as a cookie the POST must match: the
        browser's own if it has one (a favicon's redirect here must not replace the form's)."""
        kept = request.cookies.get(LOGIN_COOKIE) or ""
        CSRF.set(kept if LOGIN_TOKEN.fullmatch(kept) else secrets.token_urlsafe(24))
        response = render("login.html", status=status, **context)
        cookie(response, request, LOGIN_COOKIE, CSRF.get(), path="/entrar")
        return response

    @app.on_request
    async def require_session(request: Request) -> HTTPResponse | None:
        if request.path.startswith("/static") and request.path.endswith("/"):  # a folder: nothing to see
            return render("not_found.html", status=404, section="")
        token = request.cookies.get(COOKIE)
        if request.path.startswith(PUBLIC_PATHS):
            return None
        if not sessions.valid(token):
            return redirect("/entrar")
        CSRF.set(sessions.csrf.get(token, ""))
        if request.method == "POST" and not sessions.csrf_matches(token, request.form.get(CSRF_FIELD) or ""):
            return render("expired.html", status=403, section="")
        return None

    @app.on_response
    async def protect(request: Request, response: HTTPResponse) -> None:
        response.headers.update(SECURITY_HEADERS)
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"

    @app.get("/health")
    async def alive(_request: Request) -> HTTPResponse:
        return health.alive()

    @app.get("/ready")
    async def ready(_request: Request) -> HTTPResponse:
        return await health.ready({"database": health.database_check(lambda: session_factory)})

    store_metrics = metrics.store_registry(session_factory)

    @app.get("/metrics")
    async def exposition(_request: Request) -> HTTPResponse:
        return await metrics.exposition(store_metrics)

    @app.get("/entrar")
    async def login_form(request: Request) -> HTTPResponse:
        if sessions.valid(request.cookies.get(COOKIE)):
            return redirect("/")
        return login_page(request)

    @app.post("/entrar")
    async def login(request: Request) -> HTTPResponse:
        address = request.remote_addr or request.ip
        user, password = (request.form.get(field) or "" for field in ("usuario", "contrasena"))
        posted, expected = request.form.get(CSRF_FIELD) or "", request.cookies.get(LOGIN_COOKIE) or ""
        if not expected or not secrets.compare_digest(posted.encode(), expected.encode()):
            return login_page(request, status=403, error="caducada", user=user)
        wait = throttle.wait(address, user)
        if wait is not None:
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            return login_page(request, status=429, error="demasiados_intentos", minutes=minutes)
        if not credentials.match(user, password):
            throttle.failed(address, user)
            return login_page(request, status=401, error="credenciales", user=user)
        throttle.succeeded(address, user)
        response = redirect("/", status=303)
        cookie(response, request, COOKIE, sessions.open())
        cookie(response, request, LOGIN_COOKIE, "", path="/entrar")  # spent: the next login gets a new one
        response.cookies[LOGIN_COOKIE]["max-age"] = 0
        return response

    @app.post("/salir")
    async def logout(request: Request) -> HTTPResponse:
        sessions.close(request.cookies.get(COOKIE))
        response = redirect("/entrar", status=303)
        del response.cookies[COOKIE]
        return response

    @app.get("/")
    async def home(request: Request) -> HTTPResponse:
        now = clock()
        dates = DateRange.from_query(query_lists(request), now.date())
        with session_factory() as session:
            board = dashboard(session, dates, now)
        return render("dashboard.html", board=board, section="panel")

    @app.get("/casos")
    async def cases(request: Request) -> HTTPResponse:
        filters = CaseFilters.from_query(query_lists(request))
        with session_factory() as session:
            page, choices = case_list(session, filters, clock()), filter_choices(session)
        return render("cases.html", page=page, filters=filters, choices=choices, section="casos")

    @app.post("/casos")
    async def search_cases(request: Request) -> HTTPResponse:
        """The search box: posted, so that no customer's name ends up in an address or a log."""
        search = (request.form.get("buscar") or "").strip()[:MAX_SEARCH_LENGTH]
        if not search:
            return redirect("/casos", status=303)
        filters = CaseFilters(search=search)
        with session_factory() as session:
            page, choices = case_list(session, filters, clock()), filter_choices(session)
        if page.total == 1 and page.rows[0].number == search.upper():
            return redirect(f"/casos/{page.rows[0].number}", status=303)
        return render("cases.html", page=page, filters=filters, choices=choices, section="casos")

    @app.get("/casos/<number>")
    async def case(request: Request, number: str) -> HTTPResponse:
        with session_factory() as session:
            detail = case_detail(session, number, clock())
            if detail is None:
                return render("not_found.html", status=404, number=number, section="casos")
            return render("case.html", detail=detail, section="casos")

    @app.get("/revision")
    async def review(request: Request) -> HTTPResponse:
        after = request.args.get("despues", "")
        problem = request.args.get("error", "")
        with session_factory() as session:
            card = next_review(session, tracker, int(after) if is_small_number(after) else 0)
            return render("review.html", card=card, error=problem, section="revision")

    @app.get("/revision/<item_id:int>")
    async def review_item(request: Request, item_id: int) -> HTTPResponse:
        if not is_small_number(str(item_id)):  # no such id; SQLite cannot even compare it
            return render("not_found.html", status=404, section="revision")
        with session_factory() as session:
            card = review_card(session, tracker, item_id)
            if card is None:
                return render("not_found.html", status=404, section="revision")
            return render("review.html", card=card, error="", section="revision")

    @app.post("/revision/<item_id:int>")
    async def review_decision(request: Request, item_id: int) -> HTTPResponse:
        if not is_small_number(str(item_id)):
            return render("not_found.html", status=404, section="revision")
        choice = request.form.get("accion") or ""
        if choice == "saltar":
            return redirect(f"/revision?despues={item_id}", status=303)
        label = DISCARD if choice == "descartar" else (request.form.get("etiqueta") or "").strip()
        with session_factory.begin() as session:
            problem = decide(session, item_id, label, clock())
        if problem:
            return redirect(f"/revision?despues={item_id - 1}&error={problem}", status=303)
        return redirect(f"/revision?despues={item_id}", status=303)

    @app.exception(NotFound)
    async def not_found(request: Request, error: NotFound) -> HTTPResponse:
        return render("not_found.html", status=404, section="")

    return app
