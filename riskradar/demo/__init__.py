"""Demo dataset: realistic suppliers, audit and agreement files, and news feeds for `riskradar demo`."""
