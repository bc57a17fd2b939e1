"""Benchmarks: scripts that generate data at real size and print figures (`make bench`, see README.md)."""
