"""The benchmark harness: our paths against the raw database doing the same work.

Run it with `make bench` or `python -m bench --help`. Every figure is paired with
a baseline measured in the same run, so the ratio means something on a noisy
machine; bench/results/latest.md and latest.json hold the last run.
"""
