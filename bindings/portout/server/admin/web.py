"""What every page of the admin center shares: who is signed in, the session cookie, CSRF
tokens, the security headers, and rendering a template.

The session cookie holds the session token the core issued at sign-in (``pws_...``); the
core keeps only a keyed hash of it, and each request resumes the session there
(:meth:`portout.Store.resume_web_session`), so signing out, an idle timeout, or the account's
removal ends it on every worker at once. The cookie is ``HttpOnly``, ``SameSite=Strict``, and
``Secure`` with the ``__Host-`` prefix under TLS.

Every form carries a CSRF token: a keyed hash of the session's token (of the sign-in cookie
before a session exists), so a page of another site cannot post one; a POST whose ``Origin``
is another site's is refused as well.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from portout._core import allowed_operations
from portout.server.config import ServerConfig, is_loopback
from portout.store import Store

__all__ = ["AdminWeb", "Forbidden", "SignInNeeded", "Viewer", "csrf_token", "safe_next"]

HERE = Path(__file__).resolve().parent

#: The cookie that holds a session's token; under TLS, with the __Host- prefix (Secure, Path=/,
#: no Domain: no other host or path can set or read it).
SESSION_COOKIE = "portout-session"
#: Before sign-in: a random value the sign-in form's CSRF token is derived from.
SIGN_IN_COOKIE = "portout-sign-in"

#: What the pages may load and do: only what portout serves, no inline script or style, never
#: framed, forms posted only here.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

ROLE_LABELS = {
    "StoreAdmin": "Provider's desk (StoreAdmin)",
    "TelephonyAdmin": "Tenant admin (TelephonyAdmin)",
    "Auditor": "Auditor",
}


class SignInNeeded(Exception):
    """No live session: to the sign-in page, then back to ``next``."""

    def __init__(self, next_path: str = "/admin/", message: str | None = None, *, code_pending: bool = False) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.message = message
        #: The password was right and the TOTP code is still to come: the session stays.
        self.code_pending = code_pending


class Forbidden(Exception):
    """The page asks for what the account's role may not do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def csrf_token(secret: str) -> str:
    """The CSRF token of a session (or of the sign-in cookie): a keyed hash of its secret."""
    key = hashlib.blake2b(secret.encode(), digest_size=32, person=b"portout-csrf-key").digest()
    return hashlib.blake2b(b"admin-form", key=key, digest_size=24).hexdigest()


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a path of the admin center only (never another site)."""
    if not path or not path.startswith("/admin/") or path.startswith("//") or "\\" in path:
        return "/admin/"
    if any(ord(c) < 0x21 for c in path):
        return "/admin/"
    return path


@dataclass
class Viewer:
    """The signed-in account, for one request: its session (as the account), its token's CSRF
    token, and what its role may do."""

    session: Store
    csrf: str
    name: str
    role: str
    tenant_scope: tuple[str, ...]
    allowed: frozenset[str] = field(default_factory=frozenset)

    def may(self, operation: str) -> bool:
        return operation in self.allowed

    def require(self, operation: str, what: str) -> None:
        if operation not in self.allowed:
            raise Forbidden(f"Your role ({self.role}) may not {what}.")

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class AdminWeb:
    """The pages' shared machinery, one per worker."""

    def __init__(self, gate: Store, config: ServerConfig) -> None:
        self.gate = gate
        self.config = config
        self.templates = Environment(
            loader=FileSystemLoader(str(HERE / "templates")),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True, lstrip_blocks=True)
        self.templates.filters["when"] = when
        self.templates.filters["words"] = words

    # -- the client and its connection ---------------------------------------------------------

    @staticmethod
    def client_of(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    @staticmethod
    def secure(request: Request) -> bool:
        return request.url.scheme == "https"

    def session_cookie_name(self, request: Request) -> str:
        return "__Host-" + SESSION_COOKIE if self.secure(request) else SESSION_COOKIE

    def require_private_channel(self, request: Request) -> None:
        """A password, a session or a PIN travels only over TLS, or over loopback."""
        if not self.secure(request) and not is_loopback(self.client_of(request)):
            raise Forbidden("The admin center is served only over HTTPS.")

    def require_same_origin(self, request: Request) -> None:
        """A POST from a page of another site is refused, whatever it carries."""
        origin = request.headers.get("origin")
        if origin is None:
            return  # a browser that sends none: the CSRF token still decides
        if origin == "null" or urlsplit(origin).netloc != request.headers.get("host", ""):
            raise Forbidden("This form was not sent from the admin center.")

    # -- sessions ------------------------------------------------------------------------------

    def viewer(self, request: Request) -> Viewer:
        """The signed-in account, or SignInNeeded."""
        from portout.errors import PortOutError

        self.require_private_channel(request)
        token = request.cookies.get(self.session_cookie_name(request))
        next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not token:
            raise SignInNeeded(next_path)
        try:
            session = self.gate.resume_web_session(token, client_address=self.client_of(request),
                                                   idle_timeout=self.config.session_idle_timeout)
        except PortOutError as error:
            ended = error.error_id.split(",", 1)[0]
            if ended == "TotpCodeRequired":
                raise SignInNeeded(next_path, code_pending=True) from None
            if ended in ("SessionEnded", "AuthenticationFailed", "AuthenticationThrottled"):
                raise SignInNeeded(next_path, "Your session has ended. Sign in again.") from None
            raise
        principal = session.principal
        assert principal is not None
        return Viewer(session, csrf_token(token), principal.name, session.role, session.tenant_scope,
                      frozenset(allowed_operations(session.role)))

    def set_session_cookie(self, request: Request, response: Response, token: str) -> None:
        response.set_cookie(self.session_cookie_name(request), token, path="/", httponly=True,
                            secure=self.secure(request), samesite="strict")

    def clear_session_cookie(self, request: Request, response: Response) -> None:
        response.delete_cookie(self.session_cookie_name(request), path="/", httponly=True,
                               secure=self.secure(request), samesite="strict")

    def sign_in_secret(self, request: Request) -> tuple[str, bool]:
        """The sign-in cookie's value, and whether it is new (to be set)."""
        value = request.cookies.get(SIGN_IN_COOKIE, "")
        if len(value) == 43 and all(c.isalnum() or c in "-_" for c in value):
            return value, False
        return secrets.token_urlsafe(32), True

    def set_sign_in_cookie(self, request: Request, response: Response, value: str) -> None:
        response.set_cookie(SIGN_IN_COOKIE, value, path="/admin/", httponly=True, secure=self.secure(request),
                            samesite="strict", max_age=3600)

    @staticmethod
    def check_csrf(expected: str, form: Any) -> None:
        given = form.get("csrf_token")
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), expected.encode()):
            raise Forbidden("This form has expired or was not sent from the admin center: reload the page and "
                            "try again.")

    # -- rendering -----------------------------------------------------------------------------

    def render(self, request: Request, template: str, *, viewer: Viewer | None = None, status: int = 200,
               csrf: str | None = None, **context: Any) -> HTMLResponse:
        page = self.templates.get_template(template).render(
            request=request, viewer=viewer, csrf=csrf if csrf is not None else (viewer.csrf if viewer else ""),
            path=request.url.path, **context)
        response = HTMLResponse(page, status_code=status)
        self.protect(request, response)
        return response

    def redirect(self, request: Request, url: str) -> RedirectResponse:
        response = RedirectResponse(url, status_code=303)
        self.protect(request, response)
        return response

    def protect(self, request: Request, response: Response) -> None:
        headers = response.headers
        headers["Content-Security-Policy"] = CSP
        headers["X-Frame-Options"] = "DENY"
        # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with its
        # forms, and the Origin check refuses them. Only this server is sent a page's URL.
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        headers["Cache-Control"] = "no-store"
        if self.secure(request):
            headers["Strict-Transport-Security"] = "max-age=31536000"


def when(value: datetime | None, missing: str = "—") -> Any:
    """A time as <time>: UTC in the text, turned into the viewer's own time zone by admin.js."""
    from markupsafe import Markup, escape

    if value is None:
        return missing
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    utc = value.astimezone(timezone.utc)
    return Markup('<time datetime="{}">{}</time>').format(
        escape(utc.isoformat().replace("+00:00", "Z")), escape(utc.strftime("%Y-%m-%d %H:%M UTC")))


def words(value: str | None) -> str:
    """An identifier as words: PendingReview as "Pending review"."""
    if not value:
        return ""
    out = []
    for i, c in enumerate(value):
        if c.isupper() and i and (value[i - 1].islower() or (i + 1 < len(value) and value[i + 1].islower())):
            out.append(" " + c.lower())
        else:
            out.append(c)
    return "".join(out)
