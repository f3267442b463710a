"""The benchmarks: each script answers one question and writes bench/results/NAME.json (see bench/README.md).

Run one from the repository root: `python -m bench.NAME --help`.
"""
