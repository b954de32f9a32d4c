"""The complaints plugin's section for the problem desk's story tests (story 1.9): problems
detected in the groups, a supervision group, and three categories, two of them with the
department that handles them."""

from __future__ import annotations

from typing import Any

__all__ = ["desk_complaints"]


def desk_complaints() -> dict[str, Any]:
    """A fresh ``plugins.complaints`` section (a test may change its copy)."""
    return {
        "detect": True,
        "supervision_chat": "memory:督查组",
        "categories": {
            "construction": {
                "name": "工程质量",
                "keywords": ["混凝土", "偷工减料", "养护"],
                "department": "housing",
            },
            "sanitation": {
                "name": "环境卫生",
                "keywords": ["垃圾", "污水"],
                "department": "sanitation",
            },
            "other": {"name": "其他"},
        },
    }
