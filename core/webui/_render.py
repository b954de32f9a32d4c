"""The console's Jinja2 environment: templates found as ``core/<file>`` (this room's
``templates/``) and ``<plugin>/<file>`` (each plugin's folder), autoescape on for every file,
and texts translated per request through the visitor's `Translator` given as ``_``.

Templates mark texts as ``{{ _("Overdue") }}`` (with fields: ``_("Page {n}", n=page)``); `qunzhu
i18n update` extracts them into the catalog of the folder they are in.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined

__all__ = ["TEMPLATES", "Renderer"]

#: The core's own templates (the layout, the overview, the admin pages).
TEMPLATES = Path(__file__).parent / "templates"


class Renderer:
    def __init__(self, folders: Mapping[str, Path]) -> None:
        prefixes = {"core": FileSystemLoader(TEMPLATES)}
        for plugin, folder in folders.items():
            prefixes[plugin] = FileSystemLoader(folder)
        self.env = Environment(
            loader=ChoiceLoader([PrefixLoader(prefixes, delimiter="/")]),
            autoescape=True,  # every file, whatever its name: nothing a person typed runs
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            enable_async=False,
        )

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        return self.env.get_template(name).render(**context)
