"""The admin center's pages, as the seed's steps name them: sign in, **Voice > Port orders**,
**Set up and manage the PIN**, the **Set or change your port out PIN** panel, **Save**; and
beside them an order's page with its actions, the port-out freeze, the audit log and the
notification settings.

Every page is rendered on the server. Every action runs in a session opened *as the signed-in
account* (:meth:`portout.Store.resume_web_session`), so the core authorizes it and audits it
with the account as its actor, a refusal too; what a role may not do is a 403 page. (A
confirmation page of an action the role may not do is refused before the core is asked: it
changes nothing.) A form is posted, never a
PIN in a URL: after a change the browser is sent on (303) to a page that says what was done.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time as dtime, timezone
from typing import Any, Awaitable, Callable

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from portout.errors import PinPolicyError, PortOutError
from portout.order_commands import _CANCEL_REASONS, _DENY_REASONS
from portout.server.admin.web import HERE, SIGN_IN_COOKIE, AdminWeb, Forbidden, SignInNeeded, Viewer, csrf_token, safe_next
from portout.server_commands import _EVENT_KINDS
from portout.store import Store

__all__ = ["add_admin_center"]

STATUSES = ("PendingReview", "Approved", "Confirmed", "Completed", "Rejected", "Denied", "Cancelled")
OPEN_STATUSES = ("PendingReview", "Approved", "Confirmed")
PAGE_SIZE = 25
#: A tenant picker lists at most this many tenants; past it, the tenant id is typed.
PICKER_LIMIT = 200

#: What each action on an order is: the operation the core authorizes, the states it applies
#: to, its button and its confirmation.
ACTIONS: dict[str, dict[str, Any]] = {
    "approve": {"operation": "ReviewOrder", "from": ("PendingReview",), "label": "Approve",
                "question": "Approve this port-out request?",
                "effect": "The gaining carrier is told the request is approved; the numbers move on its FOC date.",
                "done": "The order was approved."},
    "deny": {"operation": "ReviewOrder", "from": ("PendingReview",), "label": "Deny",
             "question": "Deny this port-out request?",
             "effect": "The gaining carrier is told the request is denied, with the reason you choose.",
             "done": "The order was denied."},
    "confirm": {"operation": "ManageOrder", "from": ("Approved",), "label": "Confirm",
                "question": "Confirm this order with a firm order commitment (FOC) date?",
                "effect": "The numbers port out on the FOC date. It must be a business day of the tenant's.",
                "done": "The order was confirmed."},
    "complete": {"operation": "ManageOrder", "from": ("Confirmed",), "label": "Complete",
                 "question": "Mark this order complete?",
                 "effect": "The numbers leave the tenant's inventory: they belong to the gaining carrier now.",
                 "done": "The order was completed."},
    "cancel": {"operation": "CancelOrder", "from": OPEN_STATUSES, "label": "Cancel order",
               "question": "Cancel this order?",
               "effect": "The order ends and its numbers stay with the tenant.",
               "done": "The order was cancelled."},
}

NOTICES = {
    "pin-saved": "Your port-out PIN was saved.",
    "unlocked": "The PIN lock was cleared: the next port-out request is checked as usual.",
    "frozen": "The port-out freeze is on: every port-out request is refused until it is turned off.",
    "unfrozen": "The port-out freeze is off: port-out requests are checked with the PIN again.",
    "emails-saved": "The e-mail contacts were saved.",
    "webhook-removed": "The webhook was removed.",
    "signed-out": "You have signed out.",
}


def add_admin_center(app: FastAPI, gate: Store) -> None:
    """Serves the admin center at /admin/ on `app`, from `gate` (the store opened with its key)."""
    web = AdminWeb(gate, app.state.config)
    app.state.admin = web
    app.mount("/admin/static", StaticFiles(directory=str(HERE / "static")), name="admin-static")

    def page(handler: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
        """The errors of a page as pages: no session, to sign in; a role's refusal, 403; a
        missing thing, 404; the rest, its message on an error page."""
        @functools.wraps(handler)  # FastAPI reads the handler's own parameters
        async def run(request: Request, *args: Any, **kwargs: Any) -> Response:
            try:
                return await handler(request, *args, **kwargs)
            except SignInNeeded as need:
                if need.code_pending:
                    return web.redirect(request, "/admin/sign-in/code?next=" + _quote(need.next_path))
                response = web.redirect(request, "/admin/sign-in?next=" + _quote(need.next_path)
                                        + ("&ended=1" if need.message else ""))
                web.clear_session_cookie(request, response)
                return response
            except Forbidden as refused:
                return web.render(request, "error.html", status=403, title="Not allowed",
                                  heading="You don't have permission to do this", message=refused.message,
                                  viewer=getattr(request.state, "viewer", None))
            except PortOutError as error:
                status, heading = _status_of(error)
                return web.render(request, "error.html", status=status, title=heading, heading=heading,
                                  message=error.message, error_id=error.error_id,
                                  viewer=getattr(request.state, "viewer", None))
            finally:
                viewer = getattr(request.state, "viewer", None)
                if viewer is not None:
                    viewer.session.close()

        return run

    async def signed_in(request: Request) -> Viewer:
        viewer = await run_in_threadpool(web.viewer, request)
        request.state.viewer = viewer
        return viewer

    async def posted(request: Request, csrf: str) -> dict[str, str]:
        """A form's fields, after its origin and its CSRF token (`csrf`, the one its page was
        given) are checked."""
        web.require_same_origin(request)
        form = await request.form()
        web.check_csrf(csrf, form)
        return {k: v for k, v in form.items() if isinstance(v, str)}

    def done(viewer: Viewer, work: Callable[[Store], Any]) -> Awaitable[Any]:
        """`work` in the account's session, off the event loop (the core's refusals raise)."""
        return run_in_threadpool(work, viewer.session)

    # -- signing in and out ----------------------------------------------------------------------

    @app.get("/admin", include_in_schema=False)
    async def admin_root(request: Request) -> Response:
        return web.redirect(request, "/admin/")

    @app.get("/admin/sign-in", include_in_schema=False)
    @page
    async def sign_in_page(request: Request) -> Response:
        web.require_private_channel(request)
        secret, new = web.sign_in_secret(request)
        notice = None
        if request.query_params.get("ended"):
            notice = "Your session has ended. Sign in again."
        elif request.query_params.get("done") == "signed-out":
            notice = NOTICES["signed-out"]
        response = web.render(request, "sign_in.html", title="Sign in", csrf=csrf_token(secret),
                              next_path=safe_next(request.query_params.get("next")), notice=notice)
        if new:
            web.set_sign_in_cookie(request, response, secret)
        return response

    @app.post("/admin/sign-in", include_in_schema=False)
    @page
    async def sign_in(request: Request) -> Response:
        web.require_private_channel(request)
        if not request.cookies.get(SIGN_IN_COOKIE):
            raise Forbidden("This form has expired: reload the page and try again.")
        form = await posted(request, csrf_token(request.cookies[SIGN_IN_COOKIE]))
        next_path = safe_next(form.get("next"))
        user, password = form.get("user_name", "").strip(), form.get("password", "")
        secret, _ = web.sign_in_secret(request)

        def again(message: str, status: int) -> Response:
            return web.render(request, "sign_in.html", status=status, title="Sign in", csrf=csrf_token(secret),
                              next_path=next_path, error=message, user_name=user)

        if not user or not password:
            return again("Enter your user name and your password.", 422)
        try:
            started = await run_in_threadpool(
                lambda: gate.start_web_session(user, password, client_address=web.client_of(request)))
        except PortOutError as error:
            return again(*_sign_in_failure(error))
        if started.totp_required:
            response = web.redirect(request, "/admin/sign-in/code?next=" + _quote(next_path))
        else:
            response = web.redirect(request, next_path)
        web.set_session_cookie(request, response, started.token)
        return response

    @app.get("/admin/sign-in/code", include_in_schema=False)
    @page
    async def code_page(request: Request) -> Response:
        web.require_private_channel(request)
        token = request.cookies.get(web.session_cookie_name(request))
        if not token:
            return web.redirect(request, "/admin/sign-in")
        return web.render(request, "sign_in_code.html", title="Enter your code", csrf=csrf_token(token),
                          next_path=safe_next(request.query_params.get("next")))

    @app.post("/admin/sign-in/code", include_in_schema=False)
    @page
    async def code(request: Request) -> Response:
        web.require_private_channel(request)
        token = request.cookies.get(web.session_cookie_name(request))
        if not token:
            return web.redirect(request, "/admin/sign-in")
        form = await posted(request, csrf_token(token))
        next_path = safe_next(form.get("next"))
        totp = form.get("code", "").strip().replace(" ", "")

        def again(message: str, status: int) -> Response:
            return web.render(request, "sign_in_code.html", status=status, title="Enter your code",
                              csrf=csrf_token(token), next_path=next_path, error=message)

        if not totp:
            return again("Enter the six-digit code your authenticator app shows.", 422)
        try:
            await run_in_threadpool(
                lambda: gate.complete_web_session(token, totp, client_address=web.client_of(request)))
        except PortOutError as error:
            if error.error_id.split(",", 1)[0] == "SessionEnded":
                raise SignInNeeded(next_path, error.message) from None
            return again(*_sign_in_failure(error))
        return web.redirect(request, next_path)

    @app.post("/admin/sign-out", include_in_schema=False)
    @page
    async def sign_out(request: Request) -> Response:
        token = request.cookies.get(web.session_cookie_name(request), "")
        if not token:
            return web.redirect(request, "/admin/sign-in")
        await posted(request, csrf_token(token))
        await run_in_threadpool(lambda: gate.end_web_session(token, client_address=web.client_of(request)))
        response = web.redirect(request, "/admin/sign-in?done=signed-out")
        web.clear_session_cookie(request, response)
        return response

    # -- home and Voice ----------------------------------------------------------------------------

    @app.get("/admin/", include_in_schema=False)
    @page
    async def home(request: Request) -> Response:
        viewer = await signed_in(request)

        def overview(s: Store) -> dict[str, Any]:
            tenants, more = _tenants(s, PICKER_LIMIT)
            pending, _ = s.orders_page(status="PendingReview", limit=PAGE_SIZE, newest_first=True)
            return {"tenants": tenants, "more_tenants": more, "pending": pending}

        return web.render(request, "home.html", viewer=viewer, title="Home", section="home",
                          **await done(viewer, overview))

    @app.get("/admin/voice/", include_in_schema=False)
    @page
    async def voice(request: Request) -> Response:
        viewer = await signed_in(request)
        return web.render(request, "voice.html", viewer=viewer, title="Voice", section="voice")

    @app.get("/admin/voice/port-orders", include_in_schema=False)
    @page
    async def port_orders(request: Request) -> Response:
        viewer = await signed_in(request)
        status = request.query_params.get("status") or None
        if status not in STATUSES:
            status = None  # an unknown filter shows every order; the filter then reads "All"
        tenant, position = _tenant_param(request), _position(request)

        def listing(s: Store) -> dict[str, Any]:
            tenants, more = _tenants(s, PICKER_LIMIT)
            chosen = _chosen(tenant, tenants, more)
            orders, last = s.orders_page(chosen, status=status, after=position, limit=PAGE_SIZE,
                                                      newest_first=True)
            return {"orders": orders, "older": last if len(orders) == PAGE_SIZE else None, "tenants": tenants,
                    "more_tenants": more, "tenant": chosen, "status_filter": status, "first_page": position == 0}

        return web.render(request, "port_orders.html", viewer=viewer, title="Port orders", section="port-orders",
                          statuses=STATUSES, **await done(viewer, listing))

    @app.get("/admin/voice/port-orders/{order_id}", include_in_schema=False)
    @page
    async def order_page(request: Request, order_id: str) -> Response:
        viewer = await signed_in(request)

        def read(s: Store) -> dict[str, Any]:
            order = s.get_order(order_id)
            return {"order": order, "history": s.order_history(order.order_id)}

        found = await done(viewer, read)
        actions = [(name, a) for name, a in ACTIONS.items()
                   if found["order"].status in a["from"] and viewer.may(a["operation"])]
        return web.render(request, "order.html", viewer=viewer, title=f"Port order {found['order'].order_id}",
                          section="port-orders", actions=actions,
                          notice=ACTIONS.get(request.query_params.get("done", ""), {}).get("done"), **found)

    @app.get("/admin/voice/port-orders/{order_id}/{action}", include_in_schema=False)
    @page
    async def order_action_page(request: Request, order_id: str, action: str) -> Response:
        viewer = await signed_in(request)
        spec = _action(action)
        viewer.require(spec["operation"], spec["label"].lower() + " port orders")
        order = await done(viewer, lambda s: s.get_order(order_id))
        return web.render(request, "order_action.html", viewer=viewer, title=spec["question"],
                          section="port-orders", order=order, action=action, spec=spec,
                          deny_reasons=_DENY_REASONS, cancel_reasons=_CANCEL_REASONS, values={})

    @app.post("/admin/voice/port-orders/{order_id}/{action}", include_in_schema=False)
    @page
    async def order_action(request: Request, order_id: str, action: str) -> Response:
        viewer = await signed_in(request)
        spec = _action(action)
        form = await posted(request, viewer.csrf)
        comment = form.get("comment", "").strip() or None
        reason = form.get("reason", "")

        def act(s: Store) -> Any:
            if action == "approve":
                return s.approve_order(order_id, comment)
            if action == "deny":
                return s.deny_order(order_id, reason, comment)
            if action == "confirm":
                return s.confirm_order(order_id, _foc_date(form.get("foc_date", "")))
            if action == "complete":
                return s.complete_order(order_id)
            return s.cancel_order(order_id, reason, comment)

        try:
            order = await done(viewer, act)
        except (PortOutError, ValueError) as error:
            status = _status_of(error)[0] if isinstance(error, PortOutError) else 422  # ValueError: the date
            if status in (403, 404):
                raise
            current = await done(viewer, lambda s: s.get_order(order_id))
            message = error.message if isinstance(error, PortOutError) else str(error)
            return web.render(request, "order_action.html", viewer=viewer, status=422 if status == 422 else 409,
                title=spec["question"],
                section="port-orders", order=current, action=action, spec=spec, deny_reasons=_DENY_REASONS,
                cancel_reasons=_CANCEL_REASONS, error=message, values=form)
        return web.redirect(request, f"/admin/voice/port-orders/{order.order_id}?done={action}")

    # -- Set up and manage the PIN ------------------------------------------------------------------

    async def tenant_page(viewer: Viewer, tenant_id: str | None) -> dict[str, Any]:
        def read(s: Store) -> dict[str, Any]:
            tenants, more = _tenants(s, PICKER_LIMIT)
            chosen = _chosen(tenant_id, tenants, more)
            if chosen is None:
                return {"tenants": tenants, "more_tenants": more, "tenant": None}
            tenant = s.get_tenant(chosen)
            status = s.pin_status(tenant.tenant_id) if tenant.country_or_region == "US" else None
            policy = s.get_policy(tenant.tenant_id) if viewer.may("ReadPolicy") else None
            return {"tenants": tenants, "more_tenants": more, "tenant": tenant, "pin": status, "policy": policy}

        return await done(viewer, read)

    @app.get("/admin/voice/port-out-pin", include_in_schema=False)
    @page
    async def pin_page(request: Request) -> Response:
        viewer = await signed_in(request)
        context = await tenant_page(viewer, _tenant_param(request))
        return web.render(request, "pin.html", viewer=viewer, title="Set up and manage the PIN", section="pin",
                          notice=NOTICES.get(request.query_params.get("done", "")), **context)

    @app.post("/admin/voice/port-out-pin", include_in_schema=False)
    @page
    async def save_pin(request: Request) -> Response:
        viewer = await signed_in(request)
        form = await posted(request, viewer.csrf)
        tenant_id = form.get("tenant", "")
        pin, confirmation = form.get("pin", ""), form.get("pin_confirmation", "")
        errors: list[dict[str, str]] = []
        if pin != confirmation:
            errors.append({"rule": "ConfirmationMismatch",
                           "message": "The PIN and its confirmation differ: enter the same PIN in both fields."})
        else:
            try:
                await done(viewer, lambda s: s.set_pin(tenant_id, pin))
            except PinPolicyError as error:
                errors = [{"rule": v.rule, "message": v.message} for v in error.violations]
        pin = confirmation = ""  # no longer held here
        if not errors:
            return web.redirect(request, "/admin/voice/port-out-pin?tenant=" + _quote(tenant_id) + "&done=pin-saved")
        context = await tenant_page(viewer, tenant_id)
        return web.render(request, "pin.html", viewer=viewer, status=422, title="Set up and manage the PIN",
                          section="pin", pin_errors=errors, **context)

    @app.get("/admin/voice/port-out-pin/unlock", include_in_schema=False)
    @page
    async def unlock_page(request: Request) -> Response:
        viewer = await signed_in(request)
        viewer.require("UnlockPin", "clear a PIN lock")
        context = await tenant_page(viewer, _tenant_param(request))
        return web.render(request, "confirm_tenant.html", viewer=viewer, title="Clear the PIN lock?",
                          section="pin", action="/admin/voice/port-out-pin/unlock", button="Clear the lock",
                          effect="Port-out requests are checked with the PIN again at once. The lock was set after "
                                 "wrong PINs: clear it only when you know who sent them.", **context)

    @app.post("/admin/voice/port-out-pin/unlock", include_in_schema=False)
    @page
    async def unlock(request: Request) -> Response:
        viewer = await signed_in(request)
        form = await posted(request, viewer.csrf)
        tenant_id = form.get("tenant", "")
        await done(viewer, lambda s: s.unlock_pin(tenant_id))
        return web.redirect(request, "/admin/voice/port-out-pin?tenant=" + _quote(tenant_id) + "&done=unlocked")

    @app.get("/admin/voice/port-out-freeze", include_in_schema=False)
    @page
    async def freeze_page(request: Request) -> Response:
        viewer = await signed_in(request)
        viewer.require("Freeze", "turn the port-out freeze on or off")
        on = request.query_params.get("to") != "off"
        context = await tenant_page(viewer, _tenant_param(request))
        return web.render(
            request, "confirm_tenant.html", viewer=viewer, section="pin",
            title="Turn on the port-out freeze?" if on else "Turn off the port-out freeze?",
            action="/admin/voice/port-out-freeze", button="Turn on the freeze" if on else "Turn off the freeze",
            frozen_to="on" if on else "off",
            effect=("While the freeze is on, every port-out request is refused, whatever its PIN. Turn it off "
                    "before you move numbers away yourself." if on else
                    "Port-out requests with the right PIN can be submitted again."), **context)

    @app.post("/admin/voice/port-out-freeze", include_in_schema=False)
    @page
    async def freeze(request: Request) -> Response:
        viewer = await signed_in(request)
        form = await posted(request, viewer.csrf)
        tenant_id, on = form.get("tenant", ""), form.get("frozen") != "off"
        await done(viewer, lambda s: s.set_freeze(tenant_id, on))
        return web.redirect(request, "/admin/voice/port-out-pin?tenant=" + _quote(tenant_id) +
                            ("&done=frozen" if on else "&done=unfrozen"))

    # -- the audit log ---------------------------------------------------------------------------

    @app.get("/admin/audit", include_in_schema=False)
    @page
    async def audit(request: Request) -> Response:
        viewer = await signed_in(request)
        viewer.require("ReadAudit", "read the audit log")
        tenant, position = _tenant_param(request), _position(request)

        def read(s: Store) -> dict[str, Any]:
            tenants, more = _tenants(s, PICKER_LIMIT)
            events = s.audit_page(tenant, before=position, limit=50)
            verification = None
            if position == 0 and viewer.may("VerifyAudit") and not viewer.tenant_scope:
                verification = s.verify_audit()
            return {"events": events, "older": events[-1].event_id if len(events) == 50 else None,
                    "tenants": tenants, "more_tenants": more, "tenant": tenant, "verification": verification}

        return web.render(request, "audit.html", viewer=viewer, title="Audit log", section="audit",
                          **await done(viewer, read))

    # -- notification settings ---------------------------------------------------------------------

    @app.get("/admin/notifications", include_in_schema=False)
    @page
    async def notifications(request: Request) -> Response:
        viewer = await signed_in(request)
        viewer.require("Notifications", "change notification settings")
        context = await notification_context(viewer, _tenant_param(request))
        return web.render(request, "notifications.html", viewer=viewer, title="Notifications",
                          section="notifications", notice=NOTICES.get(request.query_params.get("done", "")),
                          **context)

    async def notification_context(viewer: Viewer, tenant_id: str | None) -> dict[str, Any]:
        def read(s: Store) -> dict[str, Any]:
            tenants, more = _tenants(s, PICKER_LIMIT)
            chosen = _chosen(tenant_id, tenants, more)
            subscriptions = s.subscriptions()
            emails = [x for x in subscriptions if x.kind == "Email" and chosen in x.tenant_scope]
            hooks = [x for x in subscriptions if x.kind == "Webhook" and x.audience is None]
            return {"tenants": tenants, "more_tenants": more, "tenant": chosen, "emails": emails, "webhooks": hooks,
                    "event_kinds": [k for k in _EVENT_KINDS if k != "*"]}

        return await done(viewer, read)

    @app.post("/admin/notifications/emails", include_in_schema=False)
    @page
    async def save_emails(request: Request) -> Response:
        viewer = await signed_in(request)
        form = await posted(request, viewer.csrf)
        tenant_id = form.get("tenant", "")
        addresses = [a.strip() for a in form.get("emails", "").replace(",", "\n").splitlines() if a.strip()]
        try:
            await done(viewer, lambda s: s.set_notification_emails(tenant_id, addresses))
        except PortOutError as error:
            if _status_of(error)[0] in (403, 404):
                raise
            context = await notification_context(viewer, tenant_id)
            return web.render(request, "notifications.html", viewer=viewer, status=422, title="Notifications",
                              section="notifications", email_error=error.message,
                              email_text=form.get("emails", ""), **context)
        return web.redirect(request, "/admin/notifications?tenant=" + _quote(tenant_id) + "&done=emails-saved")

    @app.post("/admin/notifications/webhooks", include_in_schema=False)
    @page
    async def add_webhook(request: Request) -> Response:
        viewer = await signed_in(request)
        form = await posted(request, viewer.csrf)
        tenant_id, url = form.get("tenant", ""), form.get("url", "").strip()
        events = [str(e) for e in (await request.form()).getlist("events")] or ["*"]  # the form, parsed once
        scope = [tenant_id] if tenant_id else None
        try:
            issued = await done(viewer, lambda s: s.new_webhook(url, events, tenant_scope=scope))
        except PortOutError as error:
            if _status_of(error)[0] in (403, 404):
                raise
            context = await notification_context(viewer, tenant_id or None)
            return web.render(request, "notifications.html", viewer=viewer, status=422, title="Notifications",
                              section="notifications", webhook_error=error.message, webhook_url=url, **context)
        context = await notification_context(viewer, tenant_id or None)
        return web.render(request, "notifications.html", viewer=viewer, title="Notifications",
                          section="notifications", issued=issued, **context)

    @app.get("/admin/notifications/webhooks/{subscription_id}/remove", include_in_schema=False)
    @page
    async def remove_webhook_page(request: Request, subscription_id: str) -> Response:
        viewer = await signed_in(request)
        viewer.require("Notifications", "change notification settings")
        found = [s for s in await done(viewer, lambda s: s.subscriptions()) if s.subscription_id == subscription_id]
        if not found:
            return web.render(request, "error.html", viewer=viewer, status=404, title="Not found",
                              heading="No such webhook", message="No webhook you can see has this id.")
        return web.render(request, "remove_webhook.html", viewer=viewer, title="Remove this webhook?",
                          section="notifications", webhook=found[0], tenant=request.query_params.get("tenant", ""))

    @app.post("/admin/notifications/webhooks/{subscription_id}/remove", include_in_schema=False)
    @page
    async def remove_webhook(request: Request, subscription_id: str) -> Response:
        viewer = await signed_in(request)
        form = await posted(request, viewer.csrf)
        await done(viewer, lambda s: s.remove_subscription(subscription_id))
        return web.redirect(request, "/admin/notifications?tenant=" + _quote(form.get("tenant", "")) +
                            "&done=webhook-removed")


# -- helpers ------------------------------------------------------------------------------------

def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="/")


def _action(name: str) -> dict[str, Any]:
    spec = ACTIONS.get(name)
    if spec is None:
        from portout.errors import ObjectNotFoundError

        raise ObjectNotFoundError("An order has no such action.", error_id="RouteNotFound")
    return spec


def _tenant_param(request: Request) -> str | None:
    """The tenant a page's ?tenant= names; none when it names none."""
    return (request.query_params.get("tenant") or "").strip() or None


def _position(request: Request) -> int:
    """A listing's ?before= position: 0 (the newest) for none, or for anything but a number."""
    before = request.query_params.get("before", "0")
    return int(before) if before.isdigit() and len(before) < 19 else 0


def _chosen(tenant_id: str | None, tenants: list[Any], more: bool) -> str | None:
    """The tenant a page is about: the one asked for, else the session's only one."""
    return tenant_id or (tenants[0].tenant_id if len(tenants) == 1 and not more else None)


def _tenants(session: Store, limit: int) -> tuple[list[Any], bool]:
    """The first `limit` tenants the session may see, and whether there are more."""
    out = []
    for tenant in session.tenants(batch_size=limit + 1):
        if len(out) == limit:
            return out, True
        out.append(tenant)
    return out, False


def _foc_date(text: str) -> datetime:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("Enter the FOC date as a day, such as 2026-12-18.") from None
    return datetime.combine(day, dtime(12, 0), tzinfo=timezone.utc)


def _status_of(error: PortOutError) -> tuple[int, str]:
    from portout.server.problems import status_of

    status = status_of(error)  # a refusal of the core (AccessDenied) is PermissionDenied: 403
    return status, {403: "You don't have permission to do this", 404: "Not found",
                    409: "That cannot be done now", 422: "That was not accepted"}.get(status, "Something went wrong")


def _sign_in_failure(error: PortOutError) -> tuple[str, int]:
    what = error.error_id.split(",", 1)[0]
    if what == "AuthenticationThrottled":
        return ("Too many failed sign-ins from here or for this account. " + error.message, 429)
    if what == "TotpCodeRequired":
        return ("Enter the six-digit code your authenticator app shows.", 422)
    if what == "AuthenticationFailed":
        return ("The user name, password or code was not accepted.", 401)
    return (error.message, 422)
