"""Benchmarks of the characteristic solver: ``python -m bench`` (make bench) writes bench/report.json."""
