"""The message model: the events adapters hand in, the replies plugins send, and ids.

Internal to the core: plugins and adapters import the public names from ``qunzhu.core``.
"""
