"""The channel base class, the registry by kind, and delivery errors."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from riskradar.alerts.payloads import Rendered, render
from riskradar.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from riskradar.domain import Channel as ChannelRow
    from riskradar.domain import OutboxMessage


class DeliveryError(Exception):
    """Sending failed. ``retryable`` False means retrying cannot help (e.g. HTTP 400, bad address)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class BaseChannel(ABC):
    """One kind of destination. Subclasses set ``kind`` and implement :meth:`send`."""

    kind: ClassVar[str] = ""
    #: Human description for the CLI and the web form.
    description: ClassVar[str] = ""

    def validate_target(self, target: str) -> str:
        """Return the normalised target or raise ``ValueError`` saying what is wrong."""
        target = (target or "").strip()
        if not target:
            raise ValueError(f"{self.kind}: target is required")
        return target

    def render(self, message: "OutboxMessage", channel_row: "ChannelRow", settings: Settings) -> Rendered:
        """The message content in the channel's language."""
        return render(message.payload, channel_row.language or "zh", settings)

    @abstractmethod
    def send(self, message: "OutboxMessage", channel_row: "ChannelRow", settings: Settings) -> dict[str, Any]:
        """Deliver ``message``; return details (e.g. HTTP status) or raise :class:`DeliveryError`."""


Channel = BaseChannel  # the name the brief uses

_REGISTRY: dict[str, type[BaseChannel]] = {}


def register(cls: type[BaseChannel]) -> type[BaseChannel]:
    """Class decorator adding a channel to the registry under ``cls.kind``."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} has no kind")
    _REGISTRY[cls.kind] = cls
    return cls


def get_channel(kind: str) -> BaseChannel:
    """An instance of the channel registered as ``kind``; ``ValueError`` lists the known kinds."""
    try:
        return _REGISTRY[kind]()
    except KeyError:
        raise ValueError(f"unknown channel kind {kind!r}; known: {', '.join(registered_kinds())}") from None


def registered_kinds() -> list[str]:
    """Kinds of all registered channels, sorted."""
    return sorted(_REGISTRY)
