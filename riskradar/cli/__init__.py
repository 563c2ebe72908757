"""The ``riskradar`` command line: one click group, one module per domain.

Each module in :data:`COMMAND_MODULES` exposes ``register(group)``; commands are thin shells
over the services and print human tables or, with ``--json``, one JSON document.
"""

from __future__ import annotations

import importlib

import click

from riskradar.cli.common import AppContext, RiskRadarGroup

COMMAND_MODULES = (
    "db",
    "imports",
    "suppliers",
    "demo",
    "serve",
    "scheduler",
    "jobs",
    "users",
    "ingest",
    "feeds",
    "model",
    "score",
    "alerts",
)


@click.group(cls=RiskRadarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="riskradar")
@click.pass_context
def main(ctx: click.Context) -> None:
    """RiskRadar — supplier CSR risk monitoring (red lines, risk map, graded management)."""
    ctx.obj = AppContext()
    ctx.call_on_close(ctx.obj.close)


for _name in COMMAND_MODULES:
    importlib.import_module(f"riskradar.cli.{_name}").register(main)
