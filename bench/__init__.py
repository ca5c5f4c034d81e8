"""Vínculo benchmarks: seed a fresh database, serve it, measure the API (``make bench``).

``python -m bench --help`` lists the options; docs/benchmarks.md explains what is measured.
"""
