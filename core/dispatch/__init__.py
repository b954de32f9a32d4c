"""Dispatch: the loop that takes recorded events from the inbox in batches (`_loop`), where each
event goes (`_routing`: commands, dialogs, hooks), how its handlers run (`_runner`: contexts,
savepoints, timeouts), albums joined into one message (`_albums`), the handler watchdog, and
the sections plugins add to a digest (`_digest`).

Internal to the core: plugins and adapters import the public names from ``qunzhu.core``.
"""
