"""``python -m riskradar`` is the same as the ``riskradar`` command."""

from riskradar.cli import main

main()
