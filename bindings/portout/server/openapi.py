"""The server's OpenAPI document as committed in docs/api/openapi.json:
``python -m portout.server.openapi > docs/api/openapi.json`` (scripts/generate does it; the
test suite fails when the committed one is stale)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path


def document() -> str:
    """The document, made from the application itself (on a throwaway store)."""
    from portout.server.app import create_app
    from portout.server.config import ServerConfig
    from portout.store import Store

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.db"
        gate = Store.open(path, profile="test", allow_test_profile=True, actor="openapi")
        try:
            spec = create_app(ServerConfig(store=str(path)), gate).openapi()
        finally:
            gate.close()
    return json.dumps(spec, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(document(), end="")
