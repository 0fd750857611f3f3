"""A real HTTP server on 127.0.0.1 that speaks each vendor's wire format, with demo data and
switchable error cases. It backs ``--demo`` and the integration tests.

It keeps its own copy of the vendors' facts on purpose: tests then check the adapters against an
independent reading of the documents, not against themselves.
"""
