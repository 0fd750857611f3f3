"""Escalation analytics, Qt-free: a period's attempts cached in SQLite, and the figures over them.

``period`` says which instants a period covers, ``loader`` brings a period's attempts into the
``cache`` (pipelined pages, then only what changed), and ``figures`` aggregates from the cache.
"""
