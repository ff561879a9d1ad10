"""Following the notification outbox: a function per notification, acknowledged after it returns.

Delivery is at least once: a handler that raises, or a process that dies before the
acknowledgement, gets the same notification again next time; an acknowledged one never returns.
"""

from __future__ import annotations

import threading
from typing import Callable

from portout._core import Notification
from portout.store import Store

__all__ = ["follow_notifications"]


def follow_notifications(store: Store, consumer: str, handler: Callable[[Notification], object], *,
                         poll_interval: float = 1.0, batch_size: int = 100,
                         stop: threading.Event | None = None, once: bool = False) -> int:
    """Call ``handler`` for each notification ``consumer`` has not acknowledged, in order, and
    acknowledge each one after the handler returns.

    Polls every ``poll_interval`` seconds until ``stop`` is set, or, with ``once``, returns when
    nothing is left. An exception from the handler stops the follower and propagates; that
    notification stays unacknowledged. Returns how many notifications were handled.
    """
    handled = 0
    stop = stop or threading.Event()
    while not stop.is_set():
        batch = store.receive_notifications(consumer, max_count=batch_size)
        for notification in batch:
            handler(notification)
            store.acknowledge_notifications(consumer, [notification.notification_id])
            handled += 1
            if stop.is_set():
                return handled
        if not batch:
            if once:
                return handled
            stop.wait(poll_interval)
    return handled
