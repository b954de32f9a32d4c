"""Dispatch: the loop that takes recorded events from the inbox and runs commands, dialogs
and hooks, albums joined into one message, and the handler watchdog.

Internal to the core: plugins and adapters import the public names from ``qunzhu.core``.
"""
