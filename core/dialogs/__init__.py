"""Multi-step dialogs: the declared steps (`Dialog`, `Step`) and the service that keeps their
state in SQL.

Internal to the core: plugins and adapters import the public names from ``qunzhu.core``.
"""
