#!/usr/bin/env bash
# Regenerates the initial migration (0001) from the models. Only for schema work that predates
# the first landing: since then, new schema goes into new revisions (0002, ...) written with
# `alembic revision` and checked by tests/test_migrations*.py; running this script now would
# fold later revisions into 0001 and must be followed by deleting them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
tmp=$(mktemp -d)
rm -f riskradar/migrations/versions/0001_initial.py
$PY - "$tmp" <<'PYEOF'
import sys
from alembic import command
from riskradar.db import alembic_config
cfg = alembic_config(f"sqlite:///{sys.argv[1]}/gen.db")
command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001_initial")
PYEOF
f=$(ls riskradar/migrations/versions/0001_initial*.py)
[ "$f" = riskradar/migrations/versions/0001_initial.py ] || mv "$f" riskradar/migrations/versions/0001_initial.py
rm -rf "$tmp"
echo "regenerated riskradar/migrations/versions/0001_initial.py"
