"""A service as an integrator's generated client sees it: its operations by tag and
operationId, its models built from plain data, and a client per token, all sending through the
in-process app (no hand-written HTTP)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Generated:
    package: Any
    http: httpx.AsyncClient

    def client(self, token: str) -> Any:
        """The generated ``AuthenticatedClient`` for ``token``, on the app's transport."""
        return self.package.AuthenticatedClient(
            base_url=str(self.http.base_url),
            token=token,
            httpx_args={"transport": self.http._transport},
        )

    def operation(self, tag: str, operation_id: str) -> Any:
        """The generated module of one operation (``api/<tag>/<operationId>.py``)."""
        return importlib.import_module(f"{self.package.__name__}.api.{tag}.{operation_id}")

    def model(self, name: str, data: dict[str, Any]) -> Any:
        """A generated model from the data its ``to_dict`` would give."""
        models = importlib.import_module(f"{self.package.__name__}.models")
        return getattr(models, name).from_dict(data)

    def enum(self, name: str, value: str) -> Any:
        """A member of a generated enum."""
        models = importlib.import_module(f"{self.package.__name__}.models")
        return getattr(models, name)(value)

    async def call(
        self, tag: str, operation_id: str, client: Any, *args: Any, status: int = 200, **kwargs: Any
    ) -> Any:
        """``asyncio_detailed`` of the operation; the response, once its status is ``status``."""
        module = self.operation(tag, operation_id)
        response = await module.asyncio_detailed(*args, client=client, **kwargs)
        assert response.status_code == status, (operation_id, response.content)
        return response


def sse_frames(body: str) -> list[dict[str, str]]:
    """A ``text/event-stream`` body read whole: each event's fields (comments dropped)."""
    frames: list[dict[str, str]] = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        frame: dict[str, str] = {}
        for line in block.split("\n"):
            if line and not line.startswith(":"):
                name, _, value = line.partition(":")
                frame[name] = value.removeprefix(" ")
        if frame:
            frames.append(frame)
    return frames
