"""The participation chart: people × check-ins, each cell reported / late / missed / excused, drawn
with matplotlib into a PNG.

matplotlib is imported only here, when a chart is drawn. Names are Chinese, and a server seldom
has a Chinese font: the install brings one, Noto Sans CJK (the ``noto-cjk-sans-otc`` package, SIL
Open Font License; one collection for simplified and traditional characters), which the chart
registers with matplotlib and uses. Should it be missing, a font with CJK glyphs that the machine
has is used (Source Han Sans, WenQuanYi, SimHei, Microsoft YaHei, PingFang...); with none,
matplotlib would draw empty boxes for every Chinese character, so the chart then labels people by
number and the caption, which the chat app renders with its own fonts, says who is who (the
legend then uses symbols, also explained in the caption), and a warning in the log says so.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["BUNDLED_FAMILY", "STATUSES", "ChartData", "bundled_font_file", "cjk_font", "draw"]

log = logging.getLogger("checkins")

#: status → (colour, symbol)
STATUSES = {
    "reported": ("#2e9d4a", "✓"),
    "late": ("#f0a020", "L"),
    "missed": ("#d9433b", "✗"),
    "leave": ("#8fa3bf", "—"),
    "left": ("#c8c8c8", "·"),
    "none": ("#ffffff", ""),
}
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
)


@dataclass(frozen=True, slots=True)
class ChartData:
    title: str
    people: Sequence[str]
    columns: Sequence[str]  # one label per check-in ("01-09")
    cells: Sequence[Sequence[str]]  # [person][column] → a key of STATUSES
    legend: dict[str, str]  # status → translated label


#: The family of the bundled collection that the chart uses.
BUNDLED_FAMILY = "Noto Sans CJK SC"


def bundled_font_file() -> Path | None:
    """The font collection the install brings, or None when the package is missing."""
    try:
        from noto_cjk_sans_otc import FONT_PATH
    except ImportError:
        return None
    path = Path(str(FONT_PATH))
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs: the bundled one, else one the machine has,
    else None."""
    from matplotlib import font_manager

    bundled = bundled_font_file()
    if bundled is not None:
        font_manager.fontManager.addfont(str(bundled))
        return BUNDLED_FAMILY
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in _CJK_FAMILIES:
        if family in installed:
            return family
    for font in font_manager.fontManager.ttflist:  # any other font that covers 汉字
        if any(word in font.name for word in ("CJK", "Hei", "Song", "Kai", "Ming", "Han Sans")):
            return str(font.name)
    log.warning(
        "event=chart_without_cjk_font hint=%s",
        "names are numbered on the chart: pip install noto-cjk-sans-otc (a qunzhu dependency)",
    )
    return None


def draw(data: ChartData, folder: Path) -> tuple[Path, bool]:
    """Draw the chart into `folder`; returns the PNG's path and whether names are in the picture
    (False: they are numbered and the caption must list them)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    font = cjk_font()
    keys = list(STATUSES)
    grid = [[keys.index(cell) for cell in row] for row in data.cells]
    rows, cols = max(len(data.people), 1), max(len(data.columns), 1)
    width = min(max(4.0, 1.6 + 0.55 * cols + (1.4 if font else 0.4)), 18.0)
    height = min(max(2.6, 1.4 + 0.38 * rows), 30.0)
    with plt.rc_context(
        {
            "font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
            "axes.unicode_minus": False,
        }
    ):
        fig, ax = plt.subplots(figsize=(width, height), dpi=120)
        try:
            cmap = ListedColormap([STATUSES[k][0] for k in keys])
            if grid:
                ax.imshow(grid, cmap=cmap, vmin=0, vmax=len(keys) - 1, aspect="auto")
            for y, row in enumerate(data.cells):
                for x, cell in enumerate(row):
                    ax.text(
                        x,
                        y,
                        STATUSES[cell][1],
                        ha="center",
                        va="center",
                        color="white",
                        fontsize=9,
                    )
            ax.set_xticks(range(len(data.columns)), list(data.columns), fontsize=8, rotation=45)
            labels = list(data.people) if font else [str(i) for i in range(1, rows + 1)]
            ax.set_yticks(range(len(labels)), labels, fontsize=9)
            ax.set_xticks([x - 0.5 for x in range(1, cols)], minor=True)
            ax.set_yticks([y - 0.5 for y in range(1, rows)], minor=True)
            ax.grid(which="minor", color="white", linewidth=2)
            ax.tick_params(which="minor", length=0)
            for side in ("top", "right", "left", "bottom"):
                ax.spines[side].set_visible(False)
            if font:
                ax.set_title(data.title, fontsize=11)
                names = [data.legend[k] for k in keys[:-1]]
            else:
                names = [f"{STATUSES[k][1]}" for k in keys[:-1]]
            handles = [
                Patch(color=STATUSES[k][0], label=n) for k, n in zip(keys, names, strict=False)
            ]
            ax.legend(
                handles=handles,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.18 if rows < 6 else -0.08),
                ncol=min(len(handles), max(2, int(width // 1.4))),  # narrow: two rows
                fontsize=8,
                frameon=False,
            )
            fig.tight_layout()
            folder.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha1(repr(data).encode(), usedforsecurity=False).hexdigest()[:16]
            path = folder / f"checkins-{digest}.png"
            fig.savefig(path, bbox_inches="tight")  # the legend below the grid included
        finally:
            plt.close(fig)
    return path, font is not None
