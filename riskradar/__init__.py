"""RiskRadar: supplier CSR risk monitoring for procurement and CSR teams."""

__version__ = "0.1.0"
