"""The admin center: the seed's web pages on ``portout serve`` at /admin/ (sign in, **Voice >
Port orders**, **Set up and manage the PIN**), for people signed in with portout accounts."""

from __future__ import annotations

from portout.server.admin.pages import add_admin_center

__all__ = ["add_admin_center"]
