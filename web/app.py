"""The staff web console (Starlette + Jinja2, no front-end build): inbox, complaint detail with
actions, dashboard, exports, sign-in.

Usage:
    app = create_app(settings)          # served by the bot process or `python bot.py web`

Every page handler is a plain (sync) function: Starlette runs it on a worker thread, so SQLite
and template rendering never hold up the bot's event loop when both share a process. Each worker
thread keeps its own connection to the same database file. Every action calls the same db/
function as the Telegram command, so the citizen is told the same way (db.outbox).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import sqlite_utils
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from db import complaints, deadlines
from db.database import DatabaseUnavailable, open_database
from db.duplicates import SameComplaint, link, linked, similar_open
from db.satisfaction import by_department_and_month
from db.staff import ADMIN, role_of
from db.templates import (
    BadTemplate,
    Template,
    TemplateChanged,
    TemplateNotFound,
    add_template,
    delete_template,
    get_template,
    set_auto_ack,
    templates_for,
)
from db.workbench import (
    DUE_FILTERS,
    SORTS,
    BadExtension,
    ComplaintClosed,
    DeadlineAlreadyExtended,
    InboxFilter,
    deadline_compliance,
    departments,
    inbox,
    statutory_kinds,
    volume_by_department_and_week,
)
from display import (
    MAX_NOTE_UNITS,
    due_text,
    extension_problem,
    filled_template,
    kst_text,
    telegram_length,
    template_problem,
)
from notices import change_status, close_as_repeated, extend_deadline, reply_to_linked, set_type
from web import auth, charts, exports, photos

logger = logging.getLogger(__name__)

COOKIE = "console_session"
PRE_CSRF_COOKIE = "console_csrf"
PAGE_SIZE = 50
TEMPLATE_CHANGED_TEXT = (
    "그 상용구는 이미 지워졌거나 보여 드린 뒤에 바뀌었습니다. 목록을 다시 확인해 주세요."
)


def fingerprint(template: Template) -> str:
    """What the removal confirmation sends back to say which version of a template it showed
    (the text itself would come back with its line breaks changed by the browser)."""
    return hashlib.sha256(repr(template).encode()).hexdigest()[:16]


TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
TEMPLATES.filters["kst"] = lambda value: kst_text(value) if value else "-"
TEMPLATES.globals["due_text"] = due_text
TEMPLATES.globals["fingerprint"] = fingerprint


class _Connections(threading.local):
    db: sqlite_utils.Database | None = None


def create_app(settings, *, fetch_file: photos.FileFetcher | None = None) -> Starlette:
    """The console for the database and roles of ``settings``; ``fetch_file`` gets a Telegram
    file's bytes for the complaint photos (without it they show a placeholder)."""
    connections = _Connections()
    photo_cache = photos.cache_dir(settings.database_path)

    def database() -> sqlite_utils.Database:
        if connections.db is None:
            connections.db = open_database(settings.database_path, durable=False)
        return connections.db

    def role(user_id: int) -> str | None:
        return role_of(
            database(), user_id, admin_ids=settings.admin_ids, staff_ids=settings.staff_ids
        )

    def current(request: Request) -> auth.Session | None:
        session = auth.session_for(database(), request.cookies.get(COOKIE))
        return session if session and role(session.user_id) else None

    def page(
        name: str, request: Request, session: auth.Session | None, status: int = 200, **values
    ) -> HTMLResponse:
        html = TEMPLATES.get_template(name).render(
            request=request,
            session=session,
            is_admin=bool(session and role(session.user_id) == ADMIN),
            **values,
        )
        return HTMLResponse(html, status_code=status)

    def login_page(request: Request, message: str = "", status: int = 200, **values) -> Response:
        token = request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(24)
        response = page("login.html", request, None, status, message=message, csrf=token, **values)
        response.set_cookie(PRE_CSRF_COOKIE, token, httponly=True, samesite="strict")
        return response

    def to_login() -> Response:
        return RedirectResponse("/login", status_code=303)

    async def form_of(request: Request) -> dict[str, str]:
        form = await request.form()
        return {key: str(value) for key, value in form.items()}

    def login_get(request: Request) -> Response:
        return login_page(request)

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    async def login_post(request: Request) -> Response:
        form = await form_of(request)
        if not _same(form.get("csrf"), request.cookies.get(PRE_CSRF_COOKIE)):
            return login_page(request, "페이지가 만료되었습니다. 다시 시도해 주세요.", 400)
        return await _threaded(_login, request, form)

    def _login(request: Request, form: dict[str, str]) -> Response:
        db = database()
        try:
            auth.check_rate(db, client(request))
        except auth.TooManyAttempts:
            return login_page(
                request,
                f"로그인 실패가 많아 {auth.FAILURE_WINDOW_MINUTES}분 동안 "
                "막았습니다. 잠시 후 다시 시도해 주세요.",
                429,
            )
        step = form.get("step", "password")
        user_id: int | None = None
        if step == "password":
            user_id = auth.check_account(
                db, form.get("username", "").strip(), form.get("password", "")
            )
        elif step in ("send_code", "code"):
            try:
                user_id = int(form.get("user_id", "").strip())
            except ValueError:
                user_id = None
            if user_id is not None and step == "send_code":
                auth.record_failure(db, client(request))  # code requests count as attempts
                if role(user_id):
                    auth.send_login_code(db, user_id)
                # The same answer for anyone: the page does not tell who is staff.
                return login_page(
                    request,
                    "텔레그램으로 로그인 코드를 보냈습니다. 코드를 입력해 주세요.",
                    user_id=user_id,
                    code_sent=True,
                )
            if user_id is not None and not auth.check_login_code(
                db, user_id, form.get("code", "")
            ):
                user_id = None
        if user_id is None or not role(user_id):
            auth.record_failure(db, client(request))
            return login_page(request, "로그인 정보가 맞지 않습니다.", 401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            auth.open_session(db, user_id),
            httponly=True,
            samesite="strict",
            max_age=auth.SESSION_HOURS * 3600,
        )
        return response

    async def logout(request: Request) -> Response:
        return await _threaded(_logout, request, await form_of(request))

    def _logout(request: Request, form: dict[str, str]) -> Response:
        session = current(request)
        if session and _same(form.get("csrf"), session.csrf):
            auth.close_session(database(), request.cookies[COOKIE])
        response = to_login()
        response.delete_cookie(COOKIE)
        return response

    def inbox_page(request: Request) -> Response:
        session = current(request)
        if session is None:
            return to_login()
        filters, problems = _filters(request.query_params)
        offset = _number(request.query_params.get("offset"))
        total, found = inbox(database(), filters, limit=PAGE_SIZE, offset=offset)
        query = {k: v for k, v in request.query_params.items() if k != "offset" and v}
        return page(
            "inbox.html",
            request,
            session,
            complaints=found,
            total=total,
            filters=filters,
            problems=problems,
            offset=offset,
            page_size=PAGE_SIZE,
            query=urlencode(query),
            statuses=complaints.STATUSES,
            types=[*deadlines.TYPES, *statutory_kinds(database())],
            departments=departments(database()),
            due_filters=DUE_FILTERS,
            sorts=SORTS,
        )

    def detail(request: Request, message: str = "", status: int = 200) -> Response:
        session = current(request)
        if session is None:
            return to_login()
        receipt = request.path_params["receipt"]
        complaint = complaints.get_complaint(database(), receipt)
        if complaint is None:
            return page("missing.html", request, session, 404, receipt=receipt)
        chosen = _number(request.query_params.get("template"))
        try:
            draft = filled_template(get_template(database(), chosen), complaint) if chosen else ""
        except TemplateNotFound:
            draft = ""
        return page(
            "detail.html",
            request,
            session,
            status,
            c=complaint,
            draft=draft,
            templates=templates_for(database(), complaint),
            similar=similar_open(database(), complaint),
            linked=linked(database(), complaint.receipt),
            message=message or request.query_params.get("m", ""),
            events=complaints.history(database(), complaint.receipt),
            types=[*deadlines.TYPES, *statutory_kinds(database())],
            final=not complaints.TRANSITIONS[complaint.status],
        )

    async def photo(request: Request) -> Response:
        session = await _threaded(current, request)
        if session is None:
            return to_login()
        receipt, number = request.path_params["receipt"], request.path_params["n"]
        complaint = await _threaded(complaints.get_complaint, database(), receipt)
        if complaint is None or not 1 <= number <= len(complaint.attachments):
            return Response("사진이 없습니다.", status_code=404)
        data, kind = await photos.photo(
            photo_cache, receipt, complaint.attachments[number - 1], fetch_file
        )
        return Response(data, media_type=kind, headers={"Cache-Control": "private, no-store"})

    async def action(request: Request) -> Response:
        form = await form_of(request)
        return await _threaded(_act, request, form)

    def _act(request: Request, form: dict[str, str]) -> Response:
        session = current(request)
        if session is None:
            return to_login()
        if not _same(form.get("csrf"), session.csrf):
            return detail(
                request, "보안 확인(CSRF)에 실패했습니다. 페이지를 새로 고쳐 주세요.", 403
            )
        try:
            message = _apply(database(), request.path_params["receipt"], form, session.user_id)
        except complaints.ComplaintNotFound:
            return detail(request, "민원이 없습니다.", 404)
        except (complaints.InvalidTransition, ComplaintClosed):
            message = "지금 상태에서는 할 수 없는 처리입니다."
        except DeadlineAlreadyExtended:
            message = "처리기한은 이미 한 번 연장했습니다."
        except SameComplaint:
            message = "같은 민원끼리는 연결할 수 없습니다."
        except BadExtension as exc:
            message = f"처리하지 못했습니다: {extension_problem(exc)}"
        except (deadlines.UnknownType, ValueError) as exc:
            message = f"처리하지 못했습니다: {exc}"
        else:
            target = f"/complaints/{request.path_params['receipt']}?{urlencode({'m': message})}"
            return RedirectResponse(target, status_code=303)
        return detail(request, message, 400)

    def dashboard(request: Request) -> Response:
        session = current(request)
        if session is None:
            return to_login()
        db = database()
        volume = volume_by_department_and_week(db)
        compliance = deadline_compliance(db)
        return page(
            "dashboard.html",
            request,
            session,
            volume_chart=charts.stacked_bars(volume),
            volume=volume,
            compliance_chart=charts.compliance_bars(compliance),
            compliance=compliance,
            by_status=complaints.stats_by_status(db),
            satisfaction=by_department_and_month(db),
            satisfaction_chart=charts.average_bars(by_department_and_month(db)),
        )

    def templates_page(
        request: Request,
        message: str = "",
        status: int = 200,
        removing: Template | None = None,
    ) -> Response:
        session = current(request)
        if session is None:
            return to_login()
        return page(
            "templates.html",
            request,
            session,
            status,
            message=message,
            removing=removing,
            templates=templates_for(database()),
            types=[*deadlines.TYPES, *statutory_kinds(database())],
            departments=departments(database()),
        )

    async def templates_post(request: Request) -> Response:
        form = await form_of(request)
        return await _threaded(_change_templates, request, form)

    def _change_templates(request: Request, form: dict[str, str]) -> Response:
        session = current(request)
        if session is None:
            return to_login()
        if role(session.user_id) != ADMIN or not _same(form.get("csrf"), session.csrf):
            return templates_page(request, "관리자만 상용구를 바꿀 수 있습니다.", 403)
        try:
            if form.get("action") == "delete":  # shown first: removed by the confirmation
                return templates_page(
                    request, removing=get_template(database(), _number(form.get("id")))
                )
            if form.get("action") == "delete_confirmed":
                _remove_shown(database(), form)
            elif form.get("action") == "auto":
                set_auto_ack(database(), _number(form.get("id")), form.get("on") == "1")
            else:
                add_template(
                    database(),
                    form.get("name", ""),
                    form.get("body", ""),
                    created_by=session.user_id,
                    complaint_type=form.get("type") or None,
                    department=form.get("department") or None,
                )
        except (TemplateChanged, TemplateNotFound):
            return templates_page(request, TEMPLATE_CHANGED_TEXT, 400)
        except BadTemplate as exc:
            return templates_page(request, f"저장하지 못했습니다: {template_problem(exc)}", 400)
        except ValueError as exc:
            return templates_page(request, f"저장하지 못했습니다: {exc}", 400)
        return RedirectResponse("/templates", status_code=303)

    def export(request: Request) -> Response:
        session = current(request)
        if session is None:
            return to_login()
        filters, _ = _filters(request.query_params)
        kind = request.path_params["kind"]
        _, found = inbox(database(), filters, limit=-1)
        if kind == "xlsx":
            return Response(
                exports.xlsx(found),
                media_type=exports.XLSX_TYPE,
                headers={"Content-Disposition": "attachment; filename=complaints.xlsx"},
            )
        return Response(
            exports.csv_bytes(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=complaints.csv"},
        )

    routes = [
        Route("/login", login_get, methods=["GET"]),
        Route("/login", login_post, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", inbox_page),
        Route("/complaints/{receipt}", detail),
        Route("/complaints/{receipt}/action", action, methods=["POST"]),
        Route("/complaints/{receipt}/photos/{n:int}", photo),
        Route("/dashboard", dashboard),
        Route("/templates", templates_page, methods=["GET"]),
        Route("/templates", templates_post, methods=["POST"]),
        Route("/export.{kind:str}", export),
    ]
    app = Starlette(routes=routes, exception_handlers={DatabaseUnavailable: _unavailable})
    return app


async def _threaded(fn, *args):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


def _unavailable(request: Request, exc: Exception) -> Response:
    logger.warning("console: database unavailable: %s", exc)
    return HTMLResponse(
        "데이터베이스를 잠시 사용할 수 없습니다. 잠시 후 다시 시도해 주세요.", status_code=503
    )


def _same(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(given, expected)


def _remove_shown(db: sqlite_utils.Database, form: dict[str, str]) -> None:
    """Removes the template the confirmation showed; TemplateChanged if it changed since."""
    current = get_template(db, _number(form.get("id")))
    if not hmac.compare_digest(fingerprint(current), form.get("shown", "")):
        raise TemplateChanged(current.id)
    delete_template(db, current.id)


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def _filters(params) -> tuple[InboxFilter, list[str]]:
    """The inbox filter from the query string; unreadable values are dropped and reported."""
    problems = []
    dates = {}
    for name in ("since", "until"):
        text = params.get(name) or ""
        try:
            dates[name] = date.fromisoformat(text) if text else None
        except ValueError:
            dates[name] = None
            problems.append(f"날짜 '{text}'를 읽을 수 없습니다 (YYYY-MM-DD).")
    due = params.get("due") or None
    sort = params.get("sort") or "due"
    return InboxFilter(
        status=params.get("status") or None,
        complaint_type=params.get("type") or None,
        department=params.get("department") or None,
        due=due if due in DUE_FILTERS else None,
        text=(params.get("q") or "").strip() or None,
        since=dates["since"],
        until=dates["until"],
        sort=sort if sort in SORTS else "due",
    ), problems


def _apply(db: sqlite_utils.Database, receipt: str, form: dict[str, str], actor: int) -> str:
    """Runs one action from the detail page; returns what to tell the staff member."""
    what = form.get("action")
    text = form.get("text", "").strip()
    if telegram_length(text) > MAX_NOTE_UNITS:
        raise ValueError(
            f"{MAX_NOTE_UNITS:,}자까지 쓸 수 있습니다 (이모지 등 일부 문자는 2자로 셉니다)."
        )
    if what == "reply":
        answered = reply_to_linked(db, receipt, actor_id=actor, text=text)
        also = f" (연결된 민원 {len(answered) - 1}건에도)" if len(answered) > 1 else ""
        return f"답변을 등록했습니다{also}. 민원인에게 곧 전달됩니다."
    if what == "link":
        link(db, receipt, form.get("other", "").strip().upper(), actor_id=actor)
        return "유사 민원을 연결했습니다. 답변은 연결된 민원 모두에 기록됩니다."
    if what == "repeat":
        close_as_repeated(
            db, receipt, form.get("other", "").strip().upper(), actor_id=actor, text=text
        )
        return "반복 민원으로 종결하고 민원인에게 알렸습니다."
    if what == "transfer":
        department = form.get("department", "").strip()
        if not department:
            raise ValueError("이관할 부서를 적어 주세요.")
        change_status(
            db,
            receipt,
            complaints.TRANSFERRED,
            actor_id=actor,
            department=department,
            note=f"{department}(으)로 이관",
        )
        return f"{department}(으)로 이관했습니다."
    if what in ("progress", "close"):
        status = complaints.IN_PROGRESS if what == "progress" else complaints.DONE
        change_status(db, receipt, status, actor_id=actor, note=text)
        return f"'{status}'(으)로 바꿨습니다."
    if what == "extend":
        try:
            new_due = date.fromisoformat(form.get("due", ""))
        except ValueError:
            raise ValueError("새 처리기한을 YYYY-MM-DD로 적어 주세요.") from None
        extend_deadline(db, receipt, new_due, reason=text, actor_id=actor)
        return "처리기한을 연장하고 민원인에게 알렸습니다."
    if what == "type":
        set_type(db, receipt, form.get("type", ""), actor_id=actor)
        return "민원 유형을 바꿨습니다."
    if what == "note":
        complaints.add_note(db, receipt, actor_id=actor, text=text)
        return "내부 메모를 남겼습니다 (민원인에게는 보이지 않습니다)."
    raise ValueError("알 수 없는 처리입니다.")
