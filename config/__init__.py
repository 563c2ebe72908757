"""Default settings and reference tables shipped with RiskRadar.

The files in this package are data: ``default.toml`` (settings), ``tiers.toml`` (graded
management), ``risk_model.toml`` (weights) and CSV tables with their sources. Code reads
them through :mod:`riskradar.settings` and the services that own each table.
"""

from importlib import resources
from pathlib import Path


def path(name: str) -> Path:
    """Return the filesystem path of a data file shipped in this package."""
    return Path(str(resources.files(__name__).joinpath(name)))
