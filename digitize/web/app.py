"""The desk's web application (Starlette, server-rendered Jinja2 pages, no JavaScript needed):
routes, the login and CSRF guard, and page rendering in the interface language. Every page
calls the library through `Site`; nothing here reads a path the browser names."""

from __future__ import annotations

import contextlib
import math
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool as sync
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from digitize.errors import DigitizeError, NoInputError, UsageProblem
from digitize.i18n import N_, _, for_task, in_language
from digitize.model import DocumentResult
from digitize.ocr.activecontent import carries
from digitize.paths import data_dir
from digitize.privacy import mask_text, mask_value
from digitize.web.auth import Throttle, check_password
from digitize.web.guard import ASGIApp, BoundedParser, Guard, TooLarge, host_names
from digitize.web.review_doc import check_answers, form_fields
from digitize.web.safety import csrf_ok, csrf_token
from digitize.web.sessions import Logins, desk_key
from digitize.web.site import Found, QueueFilter, Site
from digitize.web.words import code_words, confidence_words, field_label, kind_label, web_text

HERE = Path(__file__).resolve().parent
LANGS = ("vi", "en")
OPEN_PATHS = ("/login", "/static/")
STATUSES = ("ok", "needs_review", "incomplete", "failed")
MAX_FILES = 20  # files in one upload
FORM_SLACK = 256 * 1024  # a form's other fields, and the most a form without files may send
ARGON2_AT_ONCE = 2  # password checks in parallel (each takes a core and 64 MiB for ~0.1 s)
# Files served only while personal data is shown (the PDFs and package files are the records the
# clerk hands on; these are their unmasked text and data).
RECORDS = (".json", ".jsonl", ".txt", ".hocr", ".html", ".toml", ".csv", ".xml")
LABELS = {"ok": N_("done"), "needs_review": N_("needs review"), "incomplete": N_("incomplete"),
          "failed": N_("failed"), "waiting": N_("waiting"), "running": N_("running"),
          "done": N_("done"), "valid": N_("valid"), "invalid": N_("invalid"),
          "indeterminate": N_("indeterminate")}

_templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                         autoescape=select_autoescape(["html"]))
_templates.globals.update(carries=carries,  # "carries JavaScript code / attached files"
                          field_label=field_label, kind_label=kind_label, code_words=code_words,
                          confidence_words=confidence_words, web_text=web_text)
_templates.filters.update(web_text=web_text, field_label=field_label)


def queue_filter(request: Request) -> QueueFilter:
    """The review queue's filter from a page's query (desk, day, field); a day that is not one
    (YYYY-MM-DD) is no filter."""
    q = request.query_params
    day = q.get("day", "").strip()
    try:
        day = date.fromisoformat(day).isoformat() if day else ""
    except ValueError:
        day = ""
    return QueueFilter(q.get("desk", "").strip(), day, q.get("field", "").strip())

class Web:
    """The routes over one `Site`; `logins` the login's password and sessions (None: no
    login)."""

    def __init__(self, site: Site, logins: Logins | None) -> None:
        self.site = site
        self.logins = logins
        self.throttle = Throttle()
        self._argon2: anyio.CapacityLimiter | None = None  # made on the server's event loop

    # ------------------------------------------------------------------ plumbing
    def page(self, request: Request, template: str, code: int = 200, **values: Any
             ) -> HTMLResponse:
        session = request.session
        lang = session.get("lang", "vi")
        show = bool(session.get("show_personal"))

        def private(value: object, key: str = "") -> str:
            # `key`: the metadata field it is the value of. A birth date alone ("1990-03-12")
            # is not recognisable as one in free text; its field says it is personal.
            if value is None:
                return ""
            return str(value) if show else mask_text(str(mask_value(key, value)))

        # Every request runs as a task in its session's language (_guarded); the session's
        # language may have changed during this one.
        with in_language(lang):
            html = _templates.get_template(template).render(
                _=_, lang=lang, csrf=csrf_token(session), show_personal=show, private=private,
                path=request.url.path, login=self.logins is not None,
                here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                logged_in=bool(session.get("user")), statuses=STATUSES,
                label=lambda key: _(LABELS.get(key, key)), **values)
        return HTMLResponse(html, status_code=code)

    def problem(self, request: Request, exc: DigitizeError) -> HTMLResponse:
        code = 404 if isinstance(exc, NoInputError) else 413 if isinstance(exc, TooLarge) \
            else 400
        return self.page(request, "problem.html", code=code,
                         message=web_text(no_paths(exc.message)))

    async def form(self, request: Request) -> Any:
        """The posted form, after its CSRF token is checked (every form carries one). A body
        larger than MAX_FILES files of the upload limit is refused before it is read."""
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            # The whole body is bounded by Guard; each file is counted here as it streams in.
            form = await BoundedParser(request.headers, request.stream(), max_files=MAX_FILES,
                                       max_fields=50, max_part_size=64 * 1024,
                                       max_file=self.site.max_upload).parse()
            request._form = form  # closed (its spooled files removed) with the request
        else:
            form = await request.form(max_files=0, max_fields=50, max_part_size=64 * 1024)
        if not csrf_ok(request.session, form.get("csrf")):
            raise PermissionError
        return form

    # ------------------------------------------------------------------ login
    def logged_in(self, request: Request) -> bool:
        """Whether the request's session is one the server opened and has not closed."""
        return self.logins is not None and bool(request.session.get("user")) and \
            self.logins.alive(request.session.get("sid"))

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            return self.page(request, "login.html")
        # Who guesses waits, and is refused before the form is read or a hash computed.
        address = request.client.host if request.client else ""
        wait = self.throttle.wait(address)
        if wait > 0:
            page = self.page(request, "login.html", code=429, wait=math.ceil(wait))
            page.headers["Retry-After"] = str(math.ceil(wait))
            return page
        form = await self.form(request)
        hashed = self.logins.hashed() if self.logins else None
        if hashed is None or self.logins is None:
            return self.page(request, "login.html", code=401, failed=True)
        self.throttle.attempt(address)
        # Argon2 is slow on purpose: off the event loop, a few at a time, so that guessers do
        # not hold up the other clerks' pages.
        if self._argon2 is None:
            self._argon2 = anyio.CapacityLimiter(ARGON2_AT_ONCE)
        if await anyio.to_thread.run_sync(check_password, hashed, str(form.get("password", "")),
                                          limiter=self._argon2):
            self.throttle.succeeded(address)
            request.session.clear()
            request.session["user"] = "desk"
            request.session["sid"] = await sync(self.logins.start)
            request.session["csrf"] = secrets.token_urlsafe(32)
            return RedirectResponse("/dossiers", 303)
        return self.page(request, "login.html", code=401, failed=True)

    async def logout(self, request: Request) -> Response:
        await self.form(request)
        if self.logins is not None:
            await sync(self.logins.end, request.session.get("sid"))  # every copy of the cookie
        request.session.clear()
        return RedirectResponse("/login", 303)

    async def language(self, request: Request) -> Response:
        lang = request.path_params["lang"]
        if lang in LANGS:
            request.session["lang"] = lang
        return _back(request.query_params.get("next", ""))

    async def personal(self, request: Request) -> Response:
        form = await self.form(request)
        request.session["show_personal"] = form.get("show") == "1"
        return _back(str(form.get("next", "")))

    # ------------------------------------------------------------------ pages
    async def dossiers(self, request: Request) -> Response:
        status = request.query_params.get("status", "")
        day = request.query_params.get("day", "")
        found = await sync(self.site.dossiers, status, day)
        return self.page(request, "dossiers.html", dossiers=found, status=status, day=day,
                         jobs=list(self.site.jobs.jobs.values()))

    async def dossier(self, request: Request) -> Response:
        p = request.path_params
        d = await sync(self.site.dossier, p["out"], p["dossier"])
        return self.page(request, "dossier.html", d=d, jobs=self.site.jobs.for_dossier(
            d.record.id), bundle=self.site.relative(d, d.record.bundle),
            target=self.site.cfg.upload.to)

    async def document(self, request: Request) -> Response:
        p = request.path_params

        def shown(d: Found, doc: DocumentResult) -> tuple[Found, DocumentResult, Any, str]:
            report = self.site.signature_report(d, doc) if doc.signature or \
                doc.input_signatures else None
            return d, doc, report, self.site.text(d, doc)

        d, doc, report, text = await sync(self.site.read_document, p["out"], p["dossier"],
                                          p["n"], shown)
        return self.page(request, "document.html", d=d, doc=doc, n=p["n"],
                         pages=int(doc.metadata.get("page_count") or 1), text=text,
                         report=report, pdf=self.site.relative(d, doc.pdf))

    async def send(self, request: Request) -> Response:
        form = await self.form(request)
        p = request.path_params
        d = await sync(self.site.dossier, p["out"], p["dossier"])
        if d.record.status.value != "ok" and form.get("confirm") != "1":
            # Fields still to review: the clerk says so once more before it leaves the desk.
            return self.page(request, "send.html", d=d, target=self.site.cfg.upload.to)
        job = await sync(self.site.send, p["out"], p["dossier"])
        return RedirectResponse(f"/jobs/{job.id}", 303)

    async def result(self, request: Request) -> Response:
        form = await self.form(request)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise UsageProblem(_("Choose the result's scan or PDF."))
        p = request.path_params
        job = await sync(self.site.add_result, p["out"], p["dossier"], upload.filename,
                         upload.file, str(form.get("code", "")))
        return RedirectResponse(f"/jobs/{job.id}", 303)

    async def package(self, request: Request) -> Response:
        p = request.path_params
        d = await sync(self.site.dossier, p["out"], p["dossier"])
        files = await sync(self.site.package_files, d)
        return self.page(request, "package.html", d=d, files=files, records=RECORDS)

    async def page_image(self, request: Request) -> Response:
        p = request.path_params
        png = await sync(self.site.page_image, p["out"], p["dossier"], p["n"], p["page"],
                         request.query_params.get("field", ""),
                         not request.session.get("show_personal"))
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})

    async def files(self, request: Request) -> Response:
        out, wanted = request.path_params["out"], request.path_params["path"]
        try:
            path = await sync(self.site.file, out, wanted)
        except NoInputError:
            # A link from a page shown before the dossier ran again: its package has a new name.
            now = await sync(self.site.moved_file, out, wanted)
            if now is None:
                raise
            return RedirectResponse(f"/files/{out}/{quote(now)}", 303)
        if path.suffix.lower() in RECORDS and not request.session.get("show_personal"):
            # Records and text files hold personal data unmasked, as the archive needs it.
            return self.page(request, "problem.html", code=403, message=_(
                "{name} shows personal data unmasked; turn on \"Show personal data\" first.")
                .format(name=path.name))
        return FileResponse(path, filename=path.name)

    async def review(self, request: Request) -> Response:
        if request.method == "POST":
            form = await self.form(request)
            # No operator from the form: the desk's configured clerk signs the answer.
            job = await sync(self.site.answer, int(form["out"]), str(form["dossier"]),
                             int(form["n"]), str(form["field"]), str(form.get("value", "")))
            return RedirectResponse(f"/jobs/{job.id}", 303)
        every = await sync(self.site.review_documents)
        only = queue_filter(request)
        return self.page(request, "review.html", docs=[q for q in every if only.holds(q[3])],
                         only=only, total=len(every),
                         desks=sorted({q[3][0].dossier.desk or "" for q in every} - {""}),
                         fields=list(dict.fromkeys(i.field for q in every for i in q[3])),
                         saved=request.query_params.get("saved", ""))

    async def review_document(self, request: Request) -> Response:
        """One document on one screen; its save checks every answer before writing any, then
        goes on to the next document while the dossier runs again."""
        p = request.path_params
        d, doc = await sync(self.site.document, p["out"], p["dossier"], p["n"])
        fields = form_fields(doc, bool(request.session.get("show_personal")))
        only = queue_filter(request)  # the queue's filter, kept from document to document
        queue = [(o, i, n) for o, i, n, _items in await sync(self.site.review_documents, only)
                 if (o, i, n) != (p["out"], p["dossier"], p["n"])]
        after = "/review/{}/{}/{}".format(*queue[0]) if queue else "/review"
        sent: dict[str, str] = {}
        problems: dict[str, str] = {}
        if request.method == "POST":
            form = await self.form(request)
            sent = {f.key: str(form.get(f"f:{f.key}", f.value)) for f in fields}
            answers, problems = check_answers(doc, fields, sent)
            if not problems:
                job = await sync(self.site.answer_document, p["out"], p["dossier"], p["n"],
                                 answers)
                sep = "&" if only.query else "?"
                return RedirectResponse(f"{after}{only.query}{sep}saved={job.id}", 303)
        saved = request.query_params.get("saved", "")
        return self.page(request, "review_doc.html", code=400 if problems else 200, d=d,
                         doc=doc, n=p["n"], fields=fields, sent=sent, problems=problems,
                         pages=int(doc.metadata.get("page_count") or 1),
                         next=after + only.query, only=only,
                         saved=self.site.jobs.jobs.get(int(saved)) if saved.isdigit() else None)

    async def job(self, request: Request) -> Response:
        job = self.site.jobs.jobs.get(request.path_params["id"])
        if job is None:
            raise NoInputError(_("No such job."))
        return self.page(request, "job.html", job=job)

    async def intake(self, request: Request) -> Response:
        if request.method == "POST":
            form = await self.form(request)
            files = [(f.filename or "scan", f.file) for f in form.getlist("files")
                     if isinstance(f, UploadFile) and f.filename]
            job = await sync(self.site.intake, str(form.get("code", "")), files,
                             str(form.get("procedure", "")))
            return RedirectResponse(f"/jobs/{job.id}", 303)
        return self.page(request, "intake.html", max_mb=self.site.max_upload // 2**20,
                         procedures=await sync(self.site.procedures))

    async def verify(self, request: Request) -> Response:
        if request.method == "POST":
            form = await self.form(request)
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise UsageProblem(_("Choose the file to verify."))
            verdict, report = await sync(self.site.verify_upload, upload.filename,
                                         upload.file, form.get("online") != "1")
            return self.page(request, "verify.html", verdict=verdict, report=report,
                             name=upload.filename)
        return self.page(request, "verify.html")

    async def find(self, request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if v.strip() and k in (
            "text", "id_number", "applicant", "dossier", "type", "from", "to", "desk")}
        hits = await sync(self.site.find, params) if params else None
        return self.page(request, "find.html", hits=hits, params=params)

    async def report(self, request: Request) -> Response:
        q = request.query_params
        result, charts, tables = await sync(self.site.report, q.get("since", ""),
                                            q.get("until", ""))
        return self.page(request, "report.html", result=result, charts=charts, tables=tables,
                         since=q.get("since", ""), until=q.get("until", ""))

    async def home(self, request: Request) -> Response:
        return RedirectResponse("/dossiers", 303)


def _back(target: str) -> RedirectResponse:
    """Back to the page the clerk came from: a path of this site only (never another host)."""
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    return RedirectResponse(target if local else "/dossiers", 303)


def _guarded(web: Web, handler: Callable[[Request], Awaitable[Response]]
             ) -> Callable[[Request], Awaitable[Response]]:
    """The handler behind the login (when there is one), with the library's errors as pages and
    a missing or wrong CSRF token as 403."""

    async def endpoint(request: Request) -> Response:
        if web.logins is not None and request.session.get("user") and not web.logged_in(request):
            request.session.clear()  # logged out, or the password changed: the cookie is void
        with for_task(request.session.get("lang", "vi")):
            if web.logins is not None and not request.session.get("user") and \
                    not request.url.path.startswith(OPEN_PATHS):
                if request.method == "GET":
                    return RedirectResponse("/login", 303)
                return web.page(request, "problem.html", code=401, message=_(
                    "Log in first: your session has ended. Open the page again and log in."))
            try:
                return await _answer(web, handler, request)
            finally:
                await request.close()  # the form's spooled files, at once

    return endpoint


async def _answer(web: Web, handler: Callable[[Request], Awaitable[Response]],
                  request: Request) -> Response:
    """The handler's page, or the library's errors as pages and a missing or wrong CSRF token as
    a 403 page, in the clerk's language."""
    try:
        return await handler(request)
    except MultiPartException as exc:
        return web.problem(request, UsageProblem(str(exc)))
    except PermissionError:
        return web.page(request, "problem.html", code=403, message=_(
            "The form has expired; open the page again and repeat what you did."))
    except DigitizeError as exc:
        return web.problem(request, exc)
    except (KeyError, ValueError):
        return web.problem(request, UsageProblem(_("The form is incomplete.")))


def no_paths(message: str) -> str:
    """A message for the browser with every server path cut to its last name (an error page
    never shows where the desk keeps its files)."""
    return _PATH.sub(lambda m: m.group(1) or "…", message)


_PATH = re.compile(r"(?<![\w.:/~])/(?:[^\s/'\"]+/)+([^\s/'\"]*)")


def create_app(site: Site, login: Logins | str | None, secret: str | None = None,
               listen: str = "127.0.0.1") -> ASGIApp:
    """The desk's application, behind `Guard`: only the Host names of `listen` (and `[web]
    allowed_hosts`), bodies bounded per route, security headers on every response. `login`
    is its password and sessions (`Logins.from_file`), or a password hash alone (sessions in
    memory), or None for no login."""
    logins = Logins(login) if isinstance(login, str) else login
    web = Web(site, logins)

    def route(path: str, handler: Callable[[Request], Awaitable[Response]],
              methods: tuple[str, ...] = ("GET",)) -> Route:
        return Route(path, _guarded(web, handler), methods=list(methods))

    routes = [
        route("/", web.home),
        route("/login", web.login, ("GET", "POST")),
        route("/logout", web.logout, ("POST",)),
        route("/lang/{lang}", web.language),
        route("/personal", web.personal, ("POST",)),
        route("/dossiers", web.dossiers),
        route("/dossiers/{out:int}/{dossier}", web.dossier),
        route("/dossiers/{out:int}/{dossier}/send", web.send, ("POST",)),
        route("/dossiers/{out:int}/{dossier}/result", web.result, ("POST",)),
        route("/dossiers/{out:int}/{dossier}/package", web.package),
        route("/dossiers/{out:int}/{dossier}/{n:int}", web.document),
        route("/dossiers/{out:int}/{dossier}/{n:int}/page/{page:int}.png", web.page_image),
        route("/files/{out:int}/{path:path}", web.files),
        route("/review", web.review, ("GET", "POST")),
        route("/review/{out:int}/{dossier}/{n:int}", web.review_document, ("GET", "POST")),
        route("/jobs/{id:int}", web.job),
        route("/intake", web.intake, ("GET", "POST")),
        route("/verify", web.verify, ("GET", "POST")),
        route("/find", web.find),
        route("/report", web.report),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    # The cookie's key is the one kept with the sessions, so a restart logs nobody out.
    # Without a login, the key kept in the data folder: open tabs outlive a restart.
    key = secret or (logins.key if logins else desk_key(data_dir() / "web-secret"))
    middleware = [Middleware(SessionMiddleware, secret_key=key,
                             session_cookie="digitize_session", same_site="strict",
                             max_age=12 * 3600)]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        site.jobs.shutdown()  # the jobs under way finish; their outputs are never half-made

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    hosts, any_ip = host_names(listen, site.cfg.web.allowed_hosts)
    uploads = {"/intake": MAX_FILES * site.max_upload + FORM_SLACK,
               "/verify": site.max_upload + FORM_SLACK}
    def bound(path: str) -> int:  # a dossier's result is one file
        if path.startswith("/dossiers/") and path.endswith("/result"):
            return site.max_upload + FORM_SLACK
        return uploads.get(path, FORM_SLACK)
    return Guard(app, hosts, any_ip, bound)
