"""Benchmarks: command latency and throughput at seed scale and at 100× the seed data.

Run with `python -m benchmarks` (see the README, "Benchmarks"); not part of the test suite.
"""
