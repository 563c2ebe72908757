"""Benchmarks: one ``bench_*.py`` module per figure, scale data from :mod:`bench.datasets`."""
