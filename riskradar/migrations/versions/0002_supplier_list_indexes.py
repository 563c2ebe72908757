"""supplier list indexes: filtered pages without reading supplier rows

- (risk_tier, risk_score) and (country, annual_spend) serve "one tier, sorted by risk" (and the
  per-tier counts of the dashboard) and "one country, sorted by spend" from one index each;
- (risk_score | external_ref, risk_tier, country, industry, region) replace the single-column
  score index: a filtered page in the list's default orders is found by walking one index,
  filter columns included, and only the page's rows are read.

Revision ID: 0002_supplier_list_indexes
Revises: 0001_initial
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0002_supplier_list_indexes"
down_revision: Union[str, None] = "0001_initial"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


FILTER_COLUMNS = ("risk_tier", "country", "industry", "region")


def upgrade() -> None:
    # if_not_exists: a benchmark copy may already have it (bench.datasets.sync_model_indexes).
    op.create_index("ix_suppliers_tier_score", "suppliers", ["risk_tier", "risk_score"], unique=False,
                    if_not_exists=True)
    op.create_index("ix_suppliers_country_spend", "suppliers", ["country", "annual_spend"], unique=False,
                    if_not_exists=True)
    for name, first in (("ix_suppliers_score_filters", "risk_score"), ("ix_suppliers_ref_filters", "external_ref")):
        op.create_index(name, "suppliers", [first, *FILTER_COLUMNS], unique=False, if_not_exists=True)
    op.drop_index("ix_suppliers_risk_score", table_name="suppliers", if_exists=True)


def downgrade() -> None:
    op.create_index("ix_suppliers_risk_score", "suppliers", ["risk_score"], unique=False, if_not_exists=True)
    op.drop_index("ix_suppliers_ref_filters", table_name="suppliers", if_exists=True)
    op.drop_index("ix_suppliers_score_filters", table_name="suppliers", if_exists=True)
    op.drop_index("ix_suppliers_country_spend", table_name="suppliers", if_exists=True)
    op.drop_index("ix_suppliers_tier_score", table_name="suppliers", if_exists=True)
