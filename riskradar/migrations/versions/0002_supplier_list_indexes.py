"""supplier list indexes: (risk_tier, risk_score) and (country, annual_spend)

Serve the procurement lists "one tier, sorted by risk" (and the per-tier counts of the
dashboard) and "one country, sorted by spend" from one index each, instead of walking a sort
index past every other tier or country, or sorting every supplier of the country. (Wider
covering indexes for the list's default orders were tried and dropped: they saved 3-8 ms per
filtered page but cost 17 % of the supplier import speed.)

Revision ID: 0002_supplier_list_indexes
Revises: 0001_initial
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0002_supplier_list_indexes"
down_revision: Union[str, None] = "0001_initial"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # if_not_exists: a benchmark copy may already have it (bench.datasets.sync_model_indexes).
    op.create_index("ix_suppliers_tier_score", "suppliers", ["risk_tier", "risk_score"], unique=False,
                    if_not_exists=True)
    op.create_index("ix_suppliers_country_spend", "suppliers", ["country", "annual_spend"], unique=False,
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_suppliers_country_spend", table_name="suppliers", if_exists=True)
    op.drop_index("ix_suppliers_tier_score", table_name="suppliers", if_exists=True)
