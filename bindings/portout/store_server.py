"""The store session's server operations: who signs in to ``portout serve`` (API credentials,
accounts) and what it delivers (webhooks, e-mail contacts, deliveries), with what they issue
once (a token, a TOTP secret, a signing secret). :class:`portout.store.Store` has them all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Iterable, Self, Sequence

from portout._core import Delivery, DueDelivery, Principal, Subscription

if TYPE_CHECKING:
    from portout import _core

__all__ = ["DeliveryPolicy", "IssuedAccount", "IssuedCredential", "IssuedWebhook", "ServerOperations", "WebSignIn"]


@dataclass(frozen=True)
class IssuedCredential:
    """A new API credential and its bearer token: the token is shown here once and never again
    (the store keeps only a keyed hash of it). Keep it as a secret, in a file of mode 0600."""

    name: str
    role: str
    tenant_scope: tuple[str, ...]
    carrier_name: str | None
    carrier_spid: str | None
    expires_date_time: datetime | None
    token: str = field(repr=False)

    _fields = ("name", "role", "tenant_scope", "carrier_name", "carrier_spid", "expires_date_time", "token")

    @classmethod
    def _of(cls, principal: Principal, token: str) -> IssuedCredential:
        return cls(principal.name, principal.role, principal.tenant_scope, principal.carrier_name,
                   principal.carrier_spid, principal.expires_date_time, token)

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self._fields}


@dataclass(frozen=True)
class IssuedAccount:
    """A new account for a person. With TOTP, its secret is here once (and as an otpauth:// URI
    an authenticator app reads, as a QR code or typed in); the store keeps only a salt it
    derives from under the store's key."""

    user_name: str
    role: str
    tenant_scope: tuple[str, ...]
    totp_enabled: bool
    expires_date_time: datetime | None
    totp_secret: str | None = field(default=None, repr=False)
    totp_uri: str | None = field(default=None, repr=False)

    _fields = ("user_name", "role", "tenant_scope", "totp_enabled", "expires_date_time", "totp_secret", "totp_uri")

    @classmethod
    def _of(cls, principal: Principal, secret: str | None) -> IssuedAccount:
        uri = None
        if secret is not None:
            from urllib.parse import quote

            uri = (f"otpauth://totp/portout:{quote(principal.name)}?secret={secret}&issuer=portout"
                   "&algorithm=SHA1&digits=6&period=30")
        return cls(principal.name, principal.role, principal.tenant_scope, secret is not None,
                   principal.expires_date_time, secret, uri)

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self._fields}


@dataclass(frozen=True)
class WebSignIn:
    """A sign-in to the admin center begun: the session token (the cookie's value, never shown)
    and, when the account has TOTP, the code still to give."""

    principal: Principal
    token: str = field(repr=False)
    totp_required: bool


@dataclass(frozen=True)
class IssuedWebhook:
    """A new webhook and its signing secret, shown here once. Each request it is sent carries
    ``Portout-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>``."""

    subscription_id: str
    url: str
    events: tuple[str, ...]
    tenant_scope: tuple[str, ...]
    audience: str | None
    secret: str = field(repr=False)

    _fields = ("subscription_id", "url", "events", "tenant_scope", "audience", "secret")

    @classmethod
    def _of(cls, s: Subscription, secret: str) -> IssuedWebhook:
        return cls(s.subscription_id, s.target, s.events, s.tenant_scope, s.audience, secret)

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self._fields}


@dataclass(frozen=True)
class DeliveryPolicy:
    """How the server's sender retries a delivery: the n-th failure waits ``first_retry`` times
    2^(n-1) (at most ``max_retry``, less up to a fifth at random); after ``max_attempts``
    failures it is parked. A claim holds a delivery for ``lease``."""

    max_attempts: int = 8
    first_retry: timedelta = timedelta(seconds=10)
    max_retry: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=1)

    def _args(self) -> dict[str, object]:
        return {"max_attempts": self.max_attempts, "first_retry": self.first_retry,
                "max_retry": self.max_retry, "lease": self.lease}


class ServerOperations:
    """What a store session does for its server; mixed into :class:`portout.store.Store`."""

    _native: _core.NativeStore

    # -- who signs in to the server -------------------------------------------------------

    def new_credential(self, name: str, role: str, *, tenant_scope: str | Iterable[str] | None = None,
                       carrier_name: str | None = None, carrier_spid: str | None = None,
                       expires: datetime | None = None) -> IssuedCredential:
        """A new API credential for a machine (StoreAdmin): its bearer token is in the result,
        once. A ``Carrier`` credential names its carrier and SPID: the orders it sends are
        that carrier's, whatever their body says."""
        principal, token = self._native.create_credential(name, role, tenant_scope, carrier_name,
                                                          carrier_spid, expires)
        return IssuedCredential._of(principal, token)

    def credentials(self) -> list[Principal]:
        """The API credentials, by name (StoreAdmin); never a token."""
        return self._native.list_principals("Credential")

    def remove_credential(self, name: str) -> None:
        """Removes an API credential: its token authenticates no one from now on."""
        self._native.remove_principal("Credential", name)

    def new_account(self, user_name: str, role: str, password: str, *,
                    tenant_scope: str | Iterable[str] | None = None, totp: bool = False,
                    expires: datetime | None = None) -> IssuedAccount:
        """A new account for a person (StoreAdmin): the password must meet the rules (at least
        15 characters, 8 with ``totp``; not common, repetitive, sequential, nor containing the
        user name: ``PasswordPolicyViolation`` names each rule broken)."""
        __tracebackhide__ = True
        principal, secret = self._native.create_account(user_name, role, password,
                                                        tenant_scope, totp, expires)
        return IssuedAccount._of(principal, secret)

    def accounts(self) -> list[Principal]:
        """The accounts, by user name (StoreAdmin); never a password or a TOTP secret."""
        return self._native.list_principals("Account")

    def remove_account(self, user_name: str) -> None:
        """Removes an account: it signs in no one from now on."""
        self._native.remove_principal("Account", user_name)

    def set_account_password(self, user_name: str, password: str) -> Principal:
        """A new password for an account (StoreAdmin), under the rules; its failure count is cleared."""
        __tracebackhide__ = True
        return self._native.set_account_password(user_name, password)

    def authenticate_account(self, user_name: str, password: str, totp_code: str | None = None, *,
                             client_address: str) -> Self:
        """A session as the account: its password, and its current TOTP code when it has TOTP.
        Every failure is the same ``AuthenticationFailed`` (audited with its reason); a right
        password without the code the account needs is ``TotpCodeRequired``."""
        __tracebackhide__ = True
        return type(self)(self._native.authenticate_account(user_name, password, totp_code, client_address))

    # -- the admin center's sessions --------------------------------------------------------------

    def start_web_session(self, user_name: str, password: str, *, client_address: str) -> WebSignIn:
        """Begins a sign-in to the admin center with an account's password (failures as
        :meth:`authenticate_account`'s). The result's token is the session cookie's value; when
        ``totp_required``, :meth:`complete_web_session` takes the account's code next."""
        __tracebackhide__ = True
        token, principal, totp_required = self._native.start_web_session(user_name, password, client_address)
        return WebSignIn(principal, token, totp_required)

    def complete_web_session(self, token: str, totp_code: str, *, client_address: str) -> Principal:
        """The second step of a sign-in: the account's TOTP code (good once)."""
        __tracebackhide__ = True
        return self._native.complete_web_session(token, totp_code, client_address)

    def resume_web_session(self, token: str, *, client_address: str, idle_timeout: timedelta | float) -> Self:
        """A session as the account the session token signed in, for one request:
        ``SessionEnded`` once it was signed out, idle for ``idle_timeout``, twelve hours old, or
        its account removed or expired."""
        __tracebackhide__ = True
        return type(self)(self._native.resume_web_session(token, client_address, idle_timeout))

    def end_web_session(self, token: str, *, client_address: str) -> None:
        """Signs a session out (audited); a token that names none ends nothing."""
        self._native.end_web_session(token, client_address)

    # -- delivered notifications --------------------------------------------------------------

    def new_webhook(self, url: str, events: str | Iterable[str], *,
                    tenant_scope: str | Iterable[str] | None = None) -> IssuedWebhook:
        """A webhook the server sends notifications of these kinds to (``*`` for all), signed with
        the secret in the result (shown once). A Carrier session's is sent its own orders' notices."""
        subscription, secret = self._native.create_webhook(url, events, tenant_scope)
        return IssuedWebhook._of(subscription, secret)

    def subscriptions(self, kind: str | None = None) -> list[Subscription]:
        """The webhooks and e-mail contacts this session may see (of ``kind``: Webhook or Email)."""
        return [s for s in self._native.list_subscriptions() if kind is None or s.kind == kind]

    def remove_subscription(self, subscription_id: str) -> None:
        """Removes a webhook or an e-mail contact, with its deliveries."""
        self._native.remove_subscription(subscription_id)

    def set_notification_emails(self, tenant_id: str, addresses: str | Iterable[str]) -> list[Subscription]:
        """A tenant's e-mail contacts, told of each of its notifications (a port-out request
        first of all): the list replaces the one before; an empty one removes them."""
        return self._native.set_notification_emails(tenant_id, addresses)

    def deliveries(self, subscription_id: str | None = None, *, status: str | None = None,
                   before: int | None = None, limit: int = 100) -> list[Delivery]:
        """Deliveries to the subscriptions this session may see, newest first, each with its attempts."""
        return self._native.list_deliveries(subscription_id, status, before, limit)

    def redeliver(self, delivery_id: int) -> Delivery:
        """A parked (or delivered) delivery sent once more."""
        return self._native.redeliver(delivery_id)

    def claim_deliveries(self, kinds: Sequence[str], *, max_count: int = 16,
                         policy: DeliveryPolicy = DeliveryPolicy()) -> list[DueDelivery]:
        """For the server's sender: deliveries due now, claimed for ``policy.lease``, built and signed."""
        return self._native.claim_deliveries(list(kinds), max_count, **policy._args())

    def record_delivery(self, delivery_id: int, *, delivered: bool, status_code: int | None, error: str,
                        started: datetime, duration: timedelta,
                        policy: DeliveryPolicy = DeliveryPolicy()) -> Delivery:
        """The outcome of one claimed attempt: Delivered, retried later, or parked."""
        return self._native.record_delivery(delivery_id, delivered, status_code or 0, error, started,
                                            int(duration / timedelta(milliseconds=1)), **policy._args())
