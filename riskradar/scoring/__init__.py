"""Risk scoring: inherent exposure, audit/agreement/news evidence, tiers, risk map, onboarding check.

``reference`` loads the shipped tables (``config/*.csv``, ``risk_model.toml``), ``model`` holds the
pure scoring functions, ``loader`` reads a supplier base's evidence with a few aggregate queries,
``service`` runs scoring and stores snapshots, ``tiers`` maps the risk map to graded management,
``onboarding`` answers a buyer's "can we onboard this vendor?".
"""
