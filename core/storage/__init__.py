"""Storage: the database engine, the core's tables, queued inserts and migrations.

Internal to the core: plugins and adapters import the public names from ``qunzhu.core``.
"""
