"""Plotly figure builders for the dashboard (risk map, world map, trends)."""
