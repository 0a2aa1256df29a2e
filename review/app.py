"""The discrepancy review queue: a FastAPI app with server-rendered Jinja2 pages.

    from review.app import create_app
    app = create_app("sqlite:///out/demo/scrutiny.db")     # `scrutiny review` serves it on 127.0.0.1:8000

Pages (all need a signed-in user; every POST needs the session's CSRF token):
    /login /logout                      sign in and out
    /queue                              the flags, filtered, sorted (errors, then RAG-changing), keyset-paged
    /flags/{id}                         one flag: evidence crops, figures, rule message, catalogue entry,
                                        other flags on the row, actions, history
    /flags/{id}/crop/{n}.png            an evidence crop
    /flags/{id}/{action}                confirm | dismiss | correct | remap | comment | assign   (POST)
    /bulk                               confirm or dismiss every open flag of a filter (admin)
    /measures, /measures/item           unmapped and needs_review measures, with their top candidates
    /measures/remap                     map a measure to an indicator (POST)
    /audit                              the review log, newest first
    /users                              users and roles (admin)
"""
from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from schemas import ReviewAction
from store import Store
from store.models import FLAG_STATUSES
from store.review_store import (
    SEVERITIES,
    AssignmentConflict,
    BulkConflict,
    ConflictError,
    Cursor,
    FlagDetail,
    MappingConflict,
    QueueFilter,
    ReviewStore,
    SessionRecord,
)

from .auth import LoginThrottle, authenticate, new_token, same_token
from .crops import CropRenderer, crop_specs, text_excerpt, words_excerpt

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "scrutiny_session"
LOGIN_COOKIE = "scrutiny_login"
PAGE_SIZE = 50
FILTER_FIELDS = ("council", "paper", "indicator", "rule", "severity", "status", "assignee")
DONE_MESSAGES = {
    "confirmed": "Confirmed: recorded as a real error in the paper.",
    "dismissed": "Dismissed.",
    "corrected": "Corrected: the export now uses the value you entered.",
    "remapped": "Remapped: the export now uses the indicator you chose.",
    "remapped_alias": "Remapped, and saved as an alias for future runs.",
    "commented": "Comment added.",
    "assigned": "Assignment saved.",
    "bulk": "Bulk decision saved.",
    "end": "That was the last flag of this filter.",
}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")


class LoginRequired(Exception):
    def __init__(self, next_url: str = "/queue"):
        self.next_url = next_url


# Small helpers ----------------------------------------------------------------------------------

def _fmt_dt(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


def _fmt_num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def parse_number(text: str) -> float:
    """A reviewer's value: '85', '85.5%', '1,234', '-3' -> float; ValueError otherwise."""
    cleaned = text.strip().replace(",", "").rstrip("%").strip()
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
        raise ValueError(f"{text!r} is not a number")
    return float(cleaned)


def safe_next(url: str | None) -> str:
    """Only local paths: never an open redirect to another site."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/queue"
    return url


def queue_filter(params: Any, user: str | None = None) -> QueueFilter:
    """The filter from query parameters. No status means 'open'; status=any means every status;
    assignee=me means the signed-in user."""
    values: dict[str, str | None] = {}
    for name in FILTER_FIELDS:
        raw = params.get(name)
        values[name] = raw.strip()[:200] if isinstance(raw, str) and raw.strip() else None
    status = values["status"]
    if status is None:
        values["status"] = "open"
    elif status == "any":
        values["status"] = None
    elif status not in FLAG_STATUSES:
        raise HTTPException(400, f"unknown status {status!r}")
    if values["severity"] is not None and values["severity"] not in SEVERITIES:
        raise HTTPException(400, f"unknown severity {values['severity']!r}")
    if values["assignee"] == "me":
        values["assignee"] = user
    return QueueFilter(**values)


def filter_params(f: QueueFilter) -> dict[str, str]:
    out = {name: getattr(f, name) for name in FILTER_FIELDS if getattr(f, name) is not None}
    if f.status is None:
        out["status"] = "any"
    return out


def filter_qs(f: QueueFilter, **extra: Any) -> str:
    params = filter_params(f) | {k: v for k, v in extra.items() if v is not None}
    return urlencode(params)


# The app ---------------------------------------------------------------------------------------------

def create_app(
    database_url: str | None = None,
    *,
    store: Store | None = None,
    secure_cookies: bool = False,
    allowed_hosts: list[str] | None = None,
    papers_dirs: list[str | Path] = (),
    catalogue: Any = None,
    migrate: bool = True,
) -> FastAPI:
    """The review app over one store. `secure_cookies` adds Secure to cookies (serve over HTTPS then);
    `allowed_hosts` refuses other Host headers (DNS rebinding); `papers_dirs` are extra folders to look
    for a paper's file in (by file name; a file is used only when its sha256 is the paper's id)."""
    store = store or Store(database_url)
    if migrate:
        store.migrate()
    review = ReviewStore(store)
    renderer = CropRenderer()
    throttle = LoginThrottle()
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["dt"] = _fmt_dt
    env.filters["num"] = _fmt_num
    env.globals["filter_qs"] = filter_qs
    env.globals["statuses"] = FLAG_STATUSES
    state: dict[str, Any] = {"catalogue": catalogue, "options": (0.0, None)}

    app = FastAPI(title="Scrutiny review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store, app.state.review = store, review
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def get_catalogue():
        if state["catalogue"] is None:
            from catalogue import load_catalogue

            state["catalogue"] = load_catalogue()
        return state["catalogue"]

    def indicator_choices() -> list[tuple[str, str]]:
        if state.get("choices") is None:
            cat = get_catalogue()
            state["choices"] = [(i, cat.peek(i).title) for i in cat.ids]
        return state["choices"]

    def options() -> dict[str, list]:
        at, cached = state["options"]
        if cached is None or time.monotonic() - at > 30:
            cached = review.filter_options()
            state["options"] = (time.monotonic(), cached)
        return cached

    # Middleware: security headers and Host check ------------------------------------------------------

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        if allowed_hosts is not None:
            host = (request.headers.get("host") or "").rsplit(":", 1)[0].strip("[]")
            if host not in allowed_hosts:
                return PlainTextResponse("Unknown host", status_code=400)
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        if request.method == "GET" and not request.url.path.endswith(".png"):
            return RedirectResponse("/login?" + urlencode({"next": exc.next_url}), status_code=303)
        return PlainTextResponse("Sign in first.", status_code=401)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        session = getattr(request.state, "session", None)
        html = env.get_template("error.html").render(session=session, status=exc.status_code, message=exc.detail,
                                                     csrf=session.csrf_token if session else None)
        return HTMLResponse(html, status_code=exc.status_code)

    # Sessions and CSRF ---------------------------------------------------------------------------------

    def current(request: Request) -> SessionRecord:
        session = review.get_session(request.cookies.get(SESSION_COOKIE))
        if session is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(safe_next(target) if request.method == "GET" else "/queue")
        request.state.session = session
        return session

    def admin(session: SessionRecord = Depends(current)) -> SessionRecord:
        if not session.user.is_admin:
            raise HTTPException(403, "Only an admin can do this.")
        return session

    def same_origin(request: Request) -> None:
        """Refuse requests a browser marks as coming from another site."""
        if request.headers.get("sec-fetch-site") == "cross-site":
            raise HTTPException(403, "Cross-site request refused.")
        origin = request.headers.get("origin")
        if origin and origin != "null":
            host = request.headers.get("host", "")
            if urlsplit(origin).netloc != host:
                raise HTTPException(403, "Cross-origin request refused.")
        elif origin == "null":
            raise HTTPException(403, "Cross-origin request refused.")

    async def csrf_protect(request: Request, session: SessionRecord = Depends(current)) -> SessionRecord:
        same_origin(request)
        form = await request.form()  # parsed once; FastAPI reuses it for the route's Form fields
        if not same_token(form.get("csrf_token"), session.csrf_token):
            raise HTTPException(403, "The form was out of date or did not come from this site (CSRF check "
                                     "failed). Reload the page and try again.")
        return session

    def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        session = getattr(request.state, "session", None)
        html = env.get_template(name).render(
            request=request, session=session, user=session.user if session else None,
            csrf=session.csrf_token if session else None, **ctx)
        return HTMLResponse(html, status_code=status)

    # Sign in and out ------------------------------------------------------------------------------------

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/queue", status_code=303)

    def login_page(request: Request, next_url: str, error: str | None = None, status: int = 200) -> HTMLResponse:
        token = new_token()
        response = render(request, "login.html", status=status, login_token=token, next_url=safe_next(next_url),
                          error=error, no_users=not review.users())
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies,
                            max_age=3600, path="/login")
        return response

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/queue") -> HTMLResponse:
        return login_page(request, next)

    @app.post("/login")
    def login(request: Request, username: str = Form(""), password: str = Form(""),
              login_token: str = Form(""), next: str = Form("/queue")) -> Response:
        same_origin(request)
        if not same_token(login_token, request.cookies.get(LOGIN_COOKIE)):
            return login_page(request, next, "The sign-in form had expired. Please try again.", status=403)
        client = request.client.host if request.client else "?"
        wait = throttle.blocked_for(username, client)
        if wait > 0:
            return login_page(request, next, f"Too many failed sign-ins. Try again in {int(wait) + 1} seconds.",
                              status=429)
        user = authenticate(review, username, password)
        if user is None:
            throttle.failed(username, client)
            return login_page(request, next, "Wrong username or password.", status=401)
        throttle.succeeded(username, client)
        token, _session = review.create_session(user.id)
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies,
                            max_age=12 * 3600, path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    actions = APIRouter(dependencies=[Depends(csrf_protect)])

    @actions.post("/logout")
    def logout(request: Request) -> Response:
        review.delete_session(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # The queue ----------------------------------------------------------------------------------------

    @app.get("/queue", response_class=HTMLResponse)
    def queue(request: Request, after: str | None = None, before: str | None = None,
              done: str | None = None, n: int | None = None,
              session: SessionRecord = Depends(current)) -> HTMLResponse:
        f = queue_filter(request.query_params, session.user.username)
        try:
            page = review.queue_page(f, after=Cursor.decode(after), before=Cursor.decode(before), limit=PAGE_SIZE)
        except ValueError as error:
            raise HTTPException(400, str(error)) from error
        counts = review.counts(f)
        return render(request, "queue.html", f=f, page=page, counts=counts, total=sum(counts.values()),
                      matching=counts[f.status] if f.status else sum(counts.values()),
                      options=options(), done=DONE_MESSAGES.get(done or ""), done_n=n,
                      params=filter_params(f), measures=review.measures_count())

    # One flag -----------------------------------------------------------------------------------------

    def flag_or_404(flag_id: str) -> FlagDetail:
        detail = review.flag(flag_id)
        if detail is None:
            raise HTTPException(404, "No such flag.")
        return detail

    def item_page(request: Request, session: SessionRecord, flag_id: str, f: QueueFilter, *,
                  status: int = 200, error: str | None = None, conflict: str | None = None,
                  done: str | None = None, form: dict | None = None) -> HTMLResponse:
        detail = flag_or_404(flag_id)
        flag = detail.discrepancy
        row = review.measure_row(flag.document_id, flag.row_ref) if flag.row_ref else None
        crops = []
        path = None
        for i, spec in enumerate(crop_specs(flag, row)):
            crop: dict[str, Any] = {"title": spec.title, "kind": spec.kind}
            if spec.lines is not None:
                page = review.page(flag.document_id, spec.page)
                crop["lines"] = text_excerpt(page.text, spec.lines) if page else []
            else:
                if path is None:
                    path = _paper_path(flag.document_id, detail.file_name)
                if path is not None:
                    crop["src"] = f"/flags/{flag_id}/crop/{i}.png"
                    crop["alt"] = f"{spec.title}, highlighted"
                else:
                    page = review.page(flag.document_id, spec.page)
                    crop["words"] = (words_excerpt(page.words, spec, page.width or 595, page.height or 842)
                                     if page else [])
            crops.append(crop)
        cat = get_catalogue()
        indicator = cat.get(flag.indicator_id) if flag.indicator_id and flag.indicator_id in cat else None
        observations = review.row_observations(flag.document_id, flag.row_ref) if flag.row_ref else []
        selected_key = next((k for k, p, _t, _v in observations if p == flag.period_label),
                            observations[-1][0] if observations else None)
        mapping = (review.current_mapping(flag.document_id, flag.row_ref)
                   if flag.row_ref and row is not None else (flag.indicator_id, None))
        mapped = cat.get(mapping[0]) if mapping[0] and mapping[0] in cat else None
        history = collapse_remaps(
            review.history(discrepancy_id=flag_id, document_id=flag.document_id, row_ref=flag.row_ref)
            if flag.row_ref else review.history(discrepancy_id=flag_id))
        values = review.observation_values([d.observation_key for d in history if d.observation_key])
        others = [x for x in review.row_flags(flag.document_id, flag.row_ref) if x.id != flag_id]
        candidates = [(c.indicator_id, c.score, cat.get(c.indicator_id).title if c.indicator_id in cat else "")
                      for c in (row.candidates if row else [])][:3]
        return render(
            request, "flag.html", status=status, d=detail, flag=flag, row=row, crops=crops, indicator=indicator,
            england=_latest_benchmark(indicator), observations=observations, selected_key=selected_key,
            mapping=mapping, mapped=mapped, history=history, values=values, others=others, candidates=candidates,
            f=f, qs=filter_qs(f), prev_id=review.neighbour(f, flag_id, forward=False),
            next_id=review.neighbour(f, flag_id, forward=True), error=error, conflict=conflict,
            done=DONE_MESSAGES.get(done or ""), users=options()["users"], form=form or {},
            indicator_choices=indicator_choices(),
        )

    def _paper_path(document_id: str, file_name: str | None) -> Path | None:
        candidates = review.paper_files(document_id)
        if file_name:
            candidates += [str(Path(d) / file_name) for d in papers_dirs]
        return renderer.verified_path(document_id, candidates)

    @app.get("/flags/{flag_id}", response_class=HTMLResponse)
    def flag_view(request: Request, flag_id: str, done: str | None = None,
                  session: SessionRecord = Depends(current)) -> HTMLResponse:
        f = queue_filter(request.query_params, session.user.username)
        return item_page(request, session, flag_id, f, done=done)

    @app.get("/flags/{flag_id}/crop/{index}.png")
    def flag_crop(flag_id: str, index: int, session: SessionRecord = Depends(current)) -> Response:
        detail = flag_or_404(flag_id)
        flag = detail.discrepancy
        row = review.measure_row(flag.document_id, flag.row_ref) if flag.row_ref else None
        specs = crop_specs(flag, row)
        if not 0 <= index < len(specs) or specs[index].lines is not None:
            raise HTTPException(404, "No such crop.")
        path = _paper_path(flag.document_id, detail.file_name)
        if path is None:
            raise HTTPException(404, "The paper's file is not available on this machine.")
        png = renderer.render(path, specs[index])
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    def after_decision(flag_id: str, f: QueueFilter, done: str) -> RedirectResponse:
        """Auto-advance: the next flag of the filter, else back to the queue."""
        nxt = review.neighbour(f, flag_id, forward=True)
        if nxt is None:
            return RedirectResponse(f"/queue?{filter_qs(f, done='end')}", status_code=303)
        return RedirectResponse(f"/flags/{nxt}?{filter_qs(f, done=done)}", status_code=303)

    def back_filter(back: str, user: str) -> QueueFilter:
        return queue_filter(dict(parse_qsl(back[:2000])), user)

    def conflict_text(flag_id: str, action: str, expected: int) -> str:
        detail = flag_or_404(flag_id)
        last = next((d for d in reversed(review.history(discrepancy_id=flag_id))
                     if d.action in (ReviewAction.confirm, ReviewAction.dismiss, ReviewAction.correct)), None)
        who = (f"{last.reviewer} {last.action.value}ed it at {_fmt_dt(last.created_at)}"
               if last else "it was changed (re-run of the pipeline)")
        return (f"Conflict: your {action} was NOT saved. Another reviewer changed this flag while you were "
                f"looking at it: {who}; it is now '{detail.status}' (version {detail.version}, you saw version "
                f"{expected}). Check its current state below and decide again.")

    @actions.post("/flags/{flag_id}/confirm")
    def confirm(request: Request, flag_id: str, version: int = Form(...), reason: str = Form(""),
                back: str = Form(""), session: SessionRecord = Depends(current)) -> Response:
        return _decide(request, session, flag_id, "confirm", version, reason, back)

    @actions.post("/flags/{flag_id}/dismiss")
    def dismiss(request: Request, flag_id: str, version: int = Form(...), reason: str = Form(""),
                back: str = Form(""), session: SessionRecord = Depends(current)) -> Response:
        if not reason.strip():
            f = back_filter(back, session.user.username)
            return item_page(request, session, flag_id, f, status=400,
                             error="Say why you dismiss this flag (the reason is kept in the audit log).")
        return _decide(request, session, flag_id, "dismiss", version, reason, back)

    def _decide(request: Request, session: SessionRecord, flag_id: str, action: str, version: int,
                reason: str, back: str) -> Response:
        f = back_filter(back, session.user.username)
        flag_or_404(flag_id)
        try:
            review.decide(flag_id, action, session.user.username, expected_version=version,
                          reason=reason.strip()[:4000] or None)
        except ConflictError:
            return item_page(request, session, flag_id, f, status=409, conflict=conflict_text(flag_id, action, version))
        return after_decision(flag_id, f, "confirmed" if action == "confirm" else "dismissed")

    @actions.post("/flags/{flag_id}/correct")
    def correct(request: Request, flag_id: str, version: int = Form(...), observation_key: str = Form(...),
                value: str = Form(""), reason: str = Form(""), back: str = Form(""),
                session: SessionRecord = Depends(current)) -> Response:
        f = back_filter(back, session.user.username)
        detail = flag_or_404(flag_id)
        keys = {k for k, *_ in review.row_observations(detail.discrepancy.document_id, detail.discrepancy.row_ref)} \
            if detail.discrepancy.row_ref else set()
        form = {"value": value, "reason": reason, "observation_key": observation_key}
        if observation_key not in keys:
            return item_page(request, session, flag_id, f, status=400, form=form,
                             error="Choose which printed value you are correcting.")
        try:
            number = parse_number(value)
        except ValueError:
            return item_page(request, session, flag_id, f, status=400, form=form,
                             error=f"The corrected value must be a number (got {value!r}).")
        try:
            review.correct(flag_id, observation_key, number, session.user.username, expected_version=version,
                           reason=reason.strip()[:4000] or None)
        except ConflictError:
            return item_page(request, session, flag_id, f, status=409, form=form,
                             conflict=conflict_text(flag_id, "correction", version))
        return after_decision(flag_id, f, "corrected")

    @actions.post("/flags/{flag_id}/remap")
    def remap_flag(request: Request, flag_id: str, indicator_id: str = Form(""), indicator_other: str = Form(""),
                   expected_indicator: str = Form(""),
                   save_alias: str = Form(""), reason: str = Form(""), back: str = Form(""),
                   session: SessionRecord = Depends(current)) -> Response:
        f = back_filter(back, session.user.username)
        flag = flag_or_404(flag_id).discrepancy
        indicator_id = (indicator_other.strip() or indicator_id).strip().split(" ", 1)[0]
        if not flag.row_ref:
            return item_page(request, session, flag_id, f, status=400, error="This flag is not about a measure row.")
        if indicator_id not in get_catalogue():
            return item_page(request, session, flag_id, f, status=400,
                             error=f"{indicator_id!r} is not a catalogue indicator.")
        try:
            review.remap(flag.document_id, flag.row_ref, indicator_id, session.user.username,
                         expected_indicator=expected_indicator or None, flag_id=flag_id,
                         reason=reason.strip()[:4000] or None, save_alias=bool(save_alias))
        except MappingConflict as error:
            return item_page(request, session, flag_id, f, status=409,
                             conflict=f"Conflict: your remap was NOT saved. Someone else remapped this measure "
                                      f"while you were looking at it: it is now {error.actual or 'unmapped'} "
                                      f"(you saw {error.expected or 'unmapped'}). Check and decide again.")
        done = "remapped_alias" if save_alias else "remapped"
        return RedirectResponse(f"/flags/{flag_id}?{filter_qs(f, done=done)}", status_code=303)

    @actions.post("/flags/{flag_id}/comment")
    def comment(request: Request, flag_id: str, text: str = Form(""), back: str = Form(""),
                session: SessionRecord = Depends(current)) -> Response:
        f = back_filter(back, session.user.username)
        flag_or_404(flag_id)
        if not text.strip():
            return item_page(request, session, flag_id, f, status=400, error="A comment cannot be empty.")
        review.comment(session.user.username, text[:4000], flag_id=flag_id)
        return RedirectResponse(f"/flags/{flag_id}?{filter_qs(f, done='commented')}", status_code=303)

    @actions.post("/flags/{flag_id}/assign")
    def assign(request: Request, flag_id: str, assignee: str = Form(""), expected_assignee: str = Form(""),
               back: str = Form(""), session: SessionRecord = Depends(current)) -> Response:
        f = back_filter(back, session.user.username)
        flag_or_404(flag_id)
        target = session.user.username if assignee == "me" else (assignee.strip() or None)
        try:
            review.assign(flag_id, target, session.user.username, expected=expected_assignee or None)
        except AssignmentConflict as error:
            return item_page(request, session, flag_id, f, status=409,
                             conflict=f"Conflict: your assignment was NOT saved. Meanwhile this flag was assigned "
                                      f"to {error.actual or 'nobody'} (you saw {error.expected or 'nobody'}).")
        except ValueError as error:
            return item_page(request, session, flag_id, f, status=400, error=str(error))
        return RedirectResponse(f"/flags/{flag_id}?{filter_qs(f, done='assigned')}", status_code=303)

    # Bulk -----------------------------------------------------------------------------------------------

    @app.get("/bulk", response_class=HTMLResponse)
    def bulk_preview(request: Request, action: str = "confirm", session: SessionRecord = Depends(admin)) -> HTMLResponse:
        if action not in ("confirm", "dismiss"):
            raise HTTPException(400, "Bulk actions are confirm and dismiss.")
        f = queue_filter(request.query_params, session.user.username)
        f = replace(f, status="open")
        return render(request, "bulk.html", f=f, action=action, count=review.bulk_count(f),
                      params=filter_params(f), options=options())

    @actions.post("/bulk")
    def bulk_apply(request: Request, action: str = Form(...), expected_count: int = Form(...),
                   reason: str = Form(""), back: str = Form(""), session: SessionRecord = Depends(admin)) -> Response:
        f = replace(back_filter(back, session.user.username), status="open")
        if action not in ("confirm", "dismiss"):
            raise HTTPException(400, "Bulk actions are confirm and dismiss.")
        if action == "dismiss" and not reason.strip():
            return render(request, "bulk.html", status=400, f=f, action=action, count=review.bulk_count(f),
                          params=filter_params(f), options=options(), error="Say why these flags are dismissed.")
        try:
            n = review.bulk_decide(f, action, session.user.username, expected_count=expected_count,
                                   reason=reason.strip()[:4000] or f"bulk {action}")
        except BulkConflict as error:
            return render(request, "bulk.html", status=409, f=f, action=action, count=error.actual,
                          params=filter_params(f), options=options(),
                          error=f"Conflict: nothing was changed. {error}.")
        return RedirectResponse(f"/queue?{filter_qs(replace(f, status=None), done='bulk', n=n)}", status_code=303)

    # Measures held for review -----------------------------------------------------------------------------

    @app.get("/measures", response_class=HTMLResponse)
    def measures(request: Request, status: str | None = None, paper: str | None = None, after: str | None = None,
                 done: str | None = None, session: SessionRecord = Depends(current)) -> HTMLResponse:
        cursor = None
        if after:
            doc, _, pos = after.rpartition(".")
            if not doc or not pos.isdigit():
                raise HTTPException(400, "bad position")
            cursor = (doc, int(pos))
        items, nxt = review.measures_for_review(after=cursor, status=status, paper=paper or None, limit=PAGE_SIZE)
        cat = get_catalogue()
        rows = []
        for item in items:
            cands = [(c["indicator_id"], c["score"],
                      cat.get(c["indicator_id"]).title if c["indicator_id"] in cat else "")
                     for c in item.candidates[:3]]
            rows.append((item, cands))
        return render(request, "measures.html", rows=rows, next_after=f"{nxt[0]}.{nxt[1]}" if nxt else None,
                      mstatus=status, paper=paper, counts=review.measures_count(), options=options(),
                      done=DONE_MESSAGES.get(done or ""))

    @app.get("/measures/item", response_class=HTMLResponse)
    def measure_item(request: Request, doc: str, row: str, done: str | None = None,
                     session: SessionRecord = Depends(current)) -> HTMLResponse:
        return _measure_page(request, doc, row, done=done)

    def _measure_page(request: Request, doc: str, row_ref: str, *, status: int = 200, error: str | None = None,
                      conflict: str | None = None, done: str | None = None) -> HTMLResponse:
        row = review.measure_row(doc, row_ref)
        if row is None:
            raise HTTPException(404, "No such measure.")
        cat = get_catalogue()
        mapping = review.current_mapping(doc, row_ref)
        candidates = [(c.indicator_id, c.score, cat.get(c.indicator_id).title if c.indicator_id in cat else "")
                      for c in row.candidates][:3]
        shown = collapse_remaps(review.history(document_id=doc, row_ref=row_ref))
        document = review.store.get_document(doc)
        flags = review.row_flags(doc, row_ref)
        return render(request, "measure.html", status=status, row=row, mapping=mapping, candidates=candidates,
                      mapped=cat.get(mapping[0]) if mapping[0] and mapping[0] in cat else None, history=shown,
                      document=document, flags=flags, error=error, conflict=conflict,
                      done=DONE_MESSAGES.get(done or ""), indicator_choices=indicator_choices())

    @actions.post("/measures/remap")
    def measure_remap(request: Request, doc: str = Form(...), row: str = Form(...), indicator_id: str = Form(""),
                      indicator_other: str = Form(""), expected_indicator: str = Form(""), save_alias: str = Form(""), reason: str = Form(""),
                      next: str = Form(""), session: SessionRecord = Depends(current)) -> Response:
        indicator_id = (indicator_other.strip() or indicator_id).strip().split(" ", 1)[0]
        if review.measure_row(doc, row) is None:
            raise HTTPException(404, "No such measure.")
        if indicator_id not in get_catalogue():
            return _measure_page(request, doc, row, status=400, error=f"{indicator_id!r} is not a catalogue indicator.")
        try:
            review.remap(doc, row, indicator_id, session.user.username, expected_indicator=expected_indicator or None,
                         reason=reason.strip()[:4000] or None, save_alias=bool(save_alias))
        except MappingConflict as error:
            return _measure_page(request, doc, row, status=409,
                                 conflict=f"Conflict: your remap was NOT saved. Someone else mapped this measure "
                                          f"to {error.actual or 'nothing'} while you were looking at it.")
        done = "remapped_alias" if save_alias else "remapped"
        if next == "list":
            return RedirectResponse(f"/measures?{urlencode({'done': done})}", status_code=303)
        return RedirectResponse(f"/measures/item?{urlencode({'doc': doc, 'row': row, 'done': done})}", status_code=303)

    # Audit and users -----------------------------------------------------------------------------------------

    @app.get("/audit", response_class=HTMLResponse)
    def audit(request: Request, before: int | None = None, reviewer: str | None = None, action: str | None = None,
              session: SessionRecord = Depends(current)) -> HTMLResponse:
        entries = review.audit(before_id=before, reviewer=reviewer or None, action=action or None, limit=100)
        values = review.observation_values([d.observation_key for d in entries if d.observation_key])
        return render(request, "audit.html", entries=entries, values=values, reviewer=reviewer, action=action,
                      actions=[a.value for a in ReviewAction], users=options()["users"],
                      next_before=entries[-1].id if len(entries) == 100 else None)

    @app.get("/users", response_class=HTMLResponse)
    def users(request: Request, session: SessionRecord = Depends(admin)) -> HTMLResponse:
        return render(request, "users.html", users=review.users())

    app.include_router(actions)
    return app


def collapse_remaps(history: list) -> list:
    """One remap writes one decision per printed value of the row: show each reviewer's act once."""
    seen, shown = set(), []
    for d in history:
        if d.action == ReviewAction.remap:
            key = (d.reviewer, d.created_at, d.indicator_id, d.from_state)
            if key in seen:
                continue
            seen.add(key)
        shown.append(d)
    return shown


def _latest_benchmark(indicator) -> Any:
    if indicator is None:
        return None
    england = [b for b in indicator.benchmarks if b.geography == "england"]
    return max(england, key=lambda b: (b.year or 0, b.period_label)) if england else None
