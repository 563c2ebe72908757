"""Ingestion: tabular imports (suppliers, audits, agreements), the inbox, feed fetching and parsing."""
