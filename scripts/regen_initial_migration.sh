#!/usr/bin/env bash
# Development helper while nothing has shipped: regenerate the single initial migration from
# the models. Once a release exists, add new revisions with `alembic revision --autogenerate`.
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
