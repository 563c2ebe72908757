"""Suppliers and their sites (facilities)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskradar.domain.base import Base, TimestampMixin


class Supplier(TimestampMixin, Base):
    """A supplier in the customer's supply base, identified by its ERP reference."""

    __tablename__ = "suppliers"
    __table_args__ = (
        # Covering index for the dashboard tiles and per-country aggregates (count, avg score
        # per country / tier) so they never read the wide supplier rows; it also serves every
        # country lookup, as (industry, risk_tier) serves industry lookups (no single-column
        # indexes: every index slows the supplier import).
        Index("ix_suppliers_country_tier_score", "country", "risk_tier", "risk_score"),
        Index("ix_suppliers_risk_score", "risk_score"),
        # One tier sorted by risk (the procurement list) and per-tier counts (migration 0002).
        Index("ix_suppliers_tier_score", "risk_tier", "risk_score"),
        Index("ix_suppliers_annual_spend", "annual_spend"),  # supplier list sorted by spend
        Index("ix_suppliers_country_spend", "country", "annual_spend"),  # one country by spend (0002)
        # Tier distribution per industry / region on the dashboard (index-only group by).
        Index("ix_suppliers_industry_tier", "industry", "risk_tier"),
        Index("ix_suppliers_region_tier", "region", "risk_tier"),
        # Name search is LIKE '%q%' (no b-tree can seek it): a narrow covering index of the
        # searched columns lets SQLite scan it instead of the wide rows (count ~140 -> ~40 ms at 100k).
        Index("ix_suppliers_search", "name_zh", "name_en", "short_name", "external_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[Optional[str]] = mapped_column(String(255), index=True)
    name_en: Mapped[Optional[str]] = mapped_column(String(255), index=True)
    short_name: Mapped[Optional[str]] = mapped_column(String(128))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    country: Mapped[str] = mapped_column(String(2))  # indexed by ix_suppliers_country_tier_score
    region: Mapped[Optional[str]] = mapped_column(String(128))
    industry: Mapped[Optional[str]] = mapped_column(String(64))  # indexed by ix_suppliers_industry_tier
    products: Mapped[Optional[str]] = mapped_column(Text)
    annual_spend: Mapped[Optional[float]] = mapped_column(Numeric(18, 2, asdecimal=False))
    currency: Mapped[Optional[str]] = mapped_column(String(3))
    criticality: Mapped[str] = mapped_column(String(16), default="medium")
    tier_level: Mapped[int] = mapped_column(default=1)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("suppliers.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    contact_email: Mapped[Optional[str]] = mapped_column(String(255))
    # Denormalised latest risk result so lists and maps need no join over snapshots.
    risk_score: Mapped[Optional[float]] = mapped_column()
    risk_tier: Mapped[Optional[str]] = mapped_column(String(16))
    scored_at: Mapped[Optional[datetime]] = mapped_column()
    needs_rescore: Mapped[bool] = mapped_column(default=True, index=True)
    import_batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))

    parent: Mapped[Optional["Supplier"]] = relationship(remote_side=[id])
    sites: Mapped[list["SupplierSite"]] = relationship(back_populates="supplier", cascade="all, delete-orphan")

    @property
    def display_name(self) -> str:
        """Chinese name when present, else English, else the reference."""
        return self.name_zh or self.name_en or self.external_ref

    def all_names(self) -> list[str]:
        """Every name the supplier may appear under (names, short name, aliases)."""
        names = [self.name_zh, self.name_en, self.short_name, *(self.aliases or [])]
        seen: list[str] = []
        for name in names:
            if name and name not in seen:
                seen.append(name)
        return seen


class SupplierSite(TimestampMixin, Base):
    """A facility (factory, warehouse, dormitory) operated by a supplier."""

    __tablename__ = "supplier_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    external_ref: Mapped[Optional[str]] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    address: Mapped[Optional[str]] = mapped_column(Text)
    country: Mapped[Optional[str]] = mapped_column(String(2))
    region: Mapped[Optional[str]] = mapped_column(String(128))
    latitude: Mapped[Optional[float]] = mapped_column()
    longitude: Mapped[Optional[float]] = mapped_column()
    workers: Mapped[Optional[int]] = mapped_column()

    supplier: Mapped[Supplier] = relationship(back_populates="sites")
