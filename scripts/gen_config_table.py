"""Regenerate the configuration table in README.md from config/default.toml.

Each key's description is the comment block directly above it in default.toml.
Usage: python scripts/gen_config_table.py [--check]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- config-table:start -->", "<!-- config-table:end -->"


def config_rows() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every key in default.toml, in file order."""
    rows: list[tuple[str, str, str]] = []
    comment: list[str] = []
    for line in (ROOT / "config" / "default.toml").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("# ").strip())
            continue
        match = re.match(r"^([a-z_]+)\s*=\s*(.+)$", stripped)
        if match:
            key, value = match.groups()
            desc = " ".join(c for c in comment if c) or ""
            rows.append((f"RISKRADAR_{key.upper()}", value.strip(), desc))
            comment = []
        elif not stripped:
            comment = []
    return rows


def render() -> str:
    lines = [START, "| variable | default | meaning |", "|---|---|---|"]
    for var, default, desc in config_rows():
        lines.append(f"| `{var}` | `{default}` | {desc.replace('|', '/')} |")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = re.sub(re.escape(START) + r".*?" + re.escape(END), render(), text, flags=re.S)
    if "--check" in sys.argv:
        if new != text:
            print("README.md configuration table is out of date: run python scripts/gen_config_table.py")
            return 1
        return 0
    readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
