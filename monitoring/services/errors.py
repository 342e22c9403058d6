"""Refusals of agent requests; the agent API turns each into a 4xx answer."""

from __future__ import annotations


class AgentRefused(Exception):
    """An agent request refused; ``status`` is the HTTP status, ``field`` what was wrong."""

    status = 400

    def __init__(self, detail: str, field: str | None = None, **extra) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class UnknownCredential(AgentRefused):
    status = 401


class DeviceRevoked(AgentRefused):
    status = 403


class ReplayedReport(AgentRefused):
    status = 409
