"""What the server's cmdlets do: who signs in (API credentials, accounts) and what it
delivers (webhooks, a tenant's e-mail contacts, each delivery); declared in ``server_commands.py``."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from portout.actions import store_of
from portout.cmdlet import Invocation
from portout.errors import ObjectNotFoundError, ResourceUnavailableError


# -- API credentials ---------------------------------------------------------------------------

def new_credential(inv: Invocation) -> Any:
    path = None if inv["TokenFile"] is None else os.fspath(inv["TokenFile"])
    fd = None
    if path is not None:  # the file first: a token no one could keep is never made
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as e:
            raise ResourceUnavailableError(f"The token file cannot be made: {e.strerror}.",
                                           error_id="TokenFileNotWritten", target=path) from None
    try:
        issued = store_of(inv).new_credential(
            inv["Name"], inv["Role"], tenant_scope=inv["TenantScope"], carrier_name=inv["CarrierName"],
            carrier_spid=inv["CarrierSpid"], expires=inv["ExpiresAt"])
    except BaseException:
        if fd is not None:
            os.close(fd)
            os.unlink(path)  # type: ignore[arg-type]
        raise
    if fd is None:
        return issued
    with os.fdopen(fd, "w") as f:
        f.write(issued.token + "\n")
    return dataclasses.replace(issued, token=f"(written to {path})")


def _named(found: list[Any], name: str | None, what: str, error_id: str) -> Any:
    """All of `found`, or the one named `name` (ObjectNotFound `error_id` when none is)."""
    if name is None:
        return found
    for principal in found:
        if principal.name == name:
            return principal
    raise ObjectNotFoundError(f"No {what} has this name.", error_id=error_id, target=name)


def get_credential(inv: Invocation) -> Any:
    return _named(store_of(inv).credentials(), inv["Name"], "credential", "CredentialNotFound")


def remove_credential(inv: Invocation) -> None:
    store_of(inv).remove_credential(inv["Name"])


# -- accounts -------------------------------------------------------------------------------------

def new_account(inv: Invocation) -> Any:
    return store_of(inv).new_account(inv["UserName"], inv["Role"], inv["Password"], tenant_scope=inv["TenantScope"],
                                     totp=bool(inv["Totp"]), expires=inv["ExpiresAt"])


def get_account(inv: Invocation) -> Any:
    return _named(store_of(inv).accounts(), inv["UserName"], "account", "AccountNotFound")


def set_account(inv: Invocation) -> Any:
    principal = store_of(inv).set_account_password(inv["UserName"], inv["Password"])
    return principal if inv["PassThru"] else None


def remove_account(inv: Invocation) -> None:
    store_of(inv).remove_account(inv["UserName"])


# -- delivered notifications ------------------------------------------------------------------------

def new_webhook(inv: Invocation) -> Any:
    return store_of(inv).new_webhook(inv["Url"], inv["Event"], tenant_scope=inv["TenantScope"])


def get_subscription(inv: Invocation) -> Any:
    return store_of(inv).subscriptions(inv["Kind"])


def remove_subscription(inv: Invocation) -> None:
    store_of(inv).remove_subscription(inv["SubscriptionId"])


def get_delivery(inv: Invocation) -> Any:
    return store_of(inv).deliveries(inv["SubscriptionId"], status=inv["Status"], limit=inv["First"] or 100)


def resume_delivery(inv: Invocation) -> Any:
    return store_of(inv).redeliver(inv["DeliveryId"])


# -- the server ------------------------------------------------------------------------------------

_SERVE_OPTIONS = (("Store", "store"), ("KeyFile", "key_file"), ("Listen", "listen"), ("TlsCert", "tls_cert"),
                  ("TlsKey", "tls_key"), ("Workers", "workers"), ("RateLimit", "rate_limit"), ("Smtp", "smtp"),
                  ("SmtpFrom", "smtp_from"), ("MaxDeliveryAttempts", "max_delivery_attempts"),
                  ("SessionIdleTimeout", "session_idle_timeout"))


def start_server(inv: Invocation) -> None:
    from portout.server import run

    args = run.parser().parse_args([])  # portout serve's defaults, and its environment variables
    for name, attribute in _SERVE_OPTIONS:
        if inv[name] is not None:
            setattr(args, attribute, inv[name])
    args.behind_proxy = bool(inv["BehindProxy"])
    args.allow_private_webhooks = bool(inv["AllowPrivateWebhooks"])
    run.serve(run.config_of(args), args.log_level)
