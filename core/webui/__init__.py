"""The web console: server-rendered pages that plugins add through `register_pages`.

A person opens it from the chat (``/web``, `qunzhu.core.builtin.web`, answers with a one-time
link); the link opens a session (`_sessions`) that is that person, whose roles are checked on
every request (`_server`). Pages are Jinja2 templates (`_render`), autoescaped, in the person's
language, with their CSS in the wheel (``static/``): intranets have no internet, so nothing comes
from a CDN.

Plugins use it through the public module `qunzhu.core.web` (`Page`, `Panel`, `Template`,
`Visit`); everything here is private to the core. See docs/web.md.
"""
