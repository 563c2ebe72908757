"""Red-line alerts: detection rules, incident grouping, durable outbox, channels and triage.

Entry points live in :mod:`riskradar.alerts.service`; channels are plug-ins in
:mod:`riskradar.alerts.channels`.
"""
