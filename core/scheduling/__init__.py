"""Time: cron arithmetic, declared jobs, the scheduler that runs them once, and the working
calendar.

Internal to the core: plugins and adapters import the public names from ``qunzhu.core``.
"""
