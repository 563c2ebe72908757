"""Delivery channels as plug-ins: one module per kind behind :class:`base.BaseChannel`.

Importing this package registers every built-in channel; :func:`get_channel` looks one up by
``Channel.kind``. A new channel is one module with a subclass decorated by :func:`register`.
"""

from riskradar.alerts.channels.base import (
    BaseChannel,
    DeliveryError,
    get_channel,
    register,
    registered_kinds,
)
from riskradar.alerts.channels import dingtalk, email, feishu, slack, webhook, wecom  # noqa: F401  (registration)

__all__ = ["BaseChannel", "DeliveryError", "get_channel", "register", "registered_kinds"]
