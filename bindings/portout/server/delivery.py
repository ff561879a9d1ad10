"""The server's sender: notifications delivered to webhooks and e-mail contacts.

The core makes a delivery for each notification a subscription is owed, in the transaction of
the change it tells of; this thread claims what is due (a lease, so a sender that dies leaves it
to the next), POSTs each webhook request as the core built and signed it, or hands each e-mail
to the SMTP relay, and records every attempt: the core retries with exponential backoff and
parks a delivery after the configured attempts. Delivery is at least once; a receiver drops a
repeat by the event's id. Every worker process runs one; their claims never overlap.
"""

from __future__ import annotations

import ipaddress
import logging
import smtplib
import socket
import ssl
import threading
import time
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlsplit

import httpx

from portout import __version__
from portout.server.config import ServerConfig, parse_listen
from portout.store import DeliveryPolicy, Store

__all__ = ["Sender"]

log = logging.getLogger("portout.serve")

#: Per request or message: the default lease (120 s) outlasts a batch of them timing out.
_TIMEOUT = 10.0
_BATCH = 4


class Refused(Exception):
    """A destination the sender will not call."""


def _check_destination(url: str, allow_private: bool) -> None:
    """Refuses a webhook whose host resolves to a private, loopback, link-local or otherwise
    internal address, unless the server allows them: a subscription must not make the server
    call into its own network."""
    if allow_private:
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as e:
        raise Refused(f"the host {host} does not resolve ({e.strerror})") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])  # an IPv6 zone index dropped
        if not address.is_global:
            raise Refused(f"{host} is {address}, an address inside this network (serve "
                          "--allow-private-webhooks allows it)")


class Sender:
    def __init__(self, gate: Store, config: ServerConfig, metrics: Any | None = None) -> None:
        self._gate = gate
        self._config = config
        self._metrics = metrics
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.policy = DeliveryPolicy(max_attempts=config.max_delivery_attempts,
                                     first_retry=timedelta(seconds=config.first_retry),
                                     lease=timedelta(seconds=config.delivery_lease))
        self.kinds = ["Webhook"] + (["Email"] if config.smtp else [])
        self._http = httpx.Client(timeout=_TIMEOUT, follow_redirects=False,
                                  headers={"User-Agent": f"portout/{__version__}"})

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="portout-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2 * _TIMEOUT) -> None:
        """Stops after the message in hand is sent and recorded."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._http.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sent = self.run_once()
            except Exception:  # the store away for a moment: try again later, never die
                log.exception("The sender could not reach the store.")
                sent = 0
            if not sent:
                self._stop.wait(self._config.delivery_interval)

    def run_once(self) -> int:
        """Sends what is due now, a batch; returns how many were tried."""
        due = self._gate.claim_deliveries(self.kinds, max_count=_BATCH, policy=self.policy)
        for d in due:
            if self._stop.is_set():  # shutting down: the rest of the claim lapses and is sent after the lease
                break
            started = datetime.now(timezone.utc)
            t0 = time.monotonic()
            delivered, status, error = self._send(d)
            duration = timedelta(seconds=time.monotonic() - t0)
            self._gate.record_delivery(d.delivery_id, delivered=delivered, status_code=status, error=error,
                                       started=started, duration=duration, policy=self.policy)
            if self._metrics is not None:
                self._metrics.deliveries.labels(d.kind, "Delivered" if delivered else "Failed").inc()
        return len(due)

    def _send(self, d: Any) -> tuple[bool, int | None, str]:
        try:
            if d.kind == "Webhook":
                return self._post(d)
            return self._mail(d)
        except Refused as e:
            return False, None, f"DestinationNotAllowed: {e}"
        except (httpx.HTTPError, OSError, smtplib.SMTPException) as e:
            return False, None, f"{type(e).__name__}: {e}"
        except Exception as e:  # noqa: BLE001 - whatever it was, the attempt is recorded as failed
            log.exception("Delivery %s failed unexpectedly.", d.delivery_id)
            return False, None, f"{type(e).__name__}: {e}"

    def _post(self, d: Any) -> tuple[bool, int | None, str]:
        _check_destination(d.target, self._config.allow_private_webhooks)
        response = self._http.post(d.target, content=d.body.encode(), headers={
            "Content-Type": "application/json",
            "Portout-Signature": d.signature,
            "Portout-Event": d.event,
            "Portout-Delivery": str(d.delivery_id),
            "Portout-Attempt": str(d.attempt),
        })
        if 200 <= response.status_code < 300:
            return True, response.status_code, ""
        return False, response.status_code, f"HTTP {response.status_code} {response.reason_phrase}"

    def _mail(self, d: Any) -> tuple[bool, int | None, str]:
        assert self._config.smtp is not None
        host, port = parse_listen(self._config.smtp, what="--smtp", error_id="InvalidSmtpAddress")
        message = EmailMessage()
        message["From"] = self._config.smtp_from
        message["To"] = d.target
        message["Subject"] = d.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid("portout-delivery-" + str(d.delivery_id))
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(d.body)
        try:
            with smtplib.SMTP(host, port, timeout=_TIMEOUT) as smtp:
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                refused = smtp.send_message(message)
        except smtplib.SMTPResponseException as e:
            return False, e.smtp_code, f"SMTP {e.smtp_code} {e.smtp_error.decode(errors='replace')}"
        except smtplib.SMTPRecipientsRefused as e:
            code, text = next(iter(e.recipients.values()))
            return False, code, f"SMTP {code} {text.decode(errors='replace')}"
        if refused:
            code, text = next(iter(refused.values()))
            return False, code, f"SMTP {code} {text.decode(errors='replace')}"
        return True, 250, ""
