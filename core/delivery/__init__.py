"""Delivery: the inbox that records every event once, the claims of several workers, the
outbox and the sender that drains it under the platform's rate limits.

Internal to the core: plugins and adapters import the public names from ``qunzhu.core``.
"""
