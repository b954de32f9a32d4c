"""A bounded, seeded fuzz of the configuration loader: 300 mutations of the example configs
(stray snippets, anchors and alias bombs, deep nesting, control characters, bytes that are not
UTF-8, dates that do not exist, impossible ports and URLs), each loaded as ``qunzhu config check``
loads it, with the real plugins' and adapters' sections. Every file either loads or is refused
with problems that each start with ``FILE:LINE:COLUMN:``; no other exception, and no load that
does not end (a guard of 20 s per file stops a hang; a file takes milliseconds)."""

from __future__ import annotations

import random
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from qunzhu.core.app import AdapterModels
from qunzhu.core.config import load_config
from qunzhu.core.errors import ConfigError
from qunzhu.core.plugins import PluginSet, load_plugins

ROOT = Path(__file__).parents[3]
SOURCES = [
    ROOT / "config" / "qunzhu.example.yaml",
    *sorted((ROOT / "docs/examples").glob("*.yaml")),
]
CASES = 300
GUARD_SECONDS = 20
SNIPPETS = (
    "&a [1, 2]", "*a", "<<: *a", "&b {x: *b}", "2026-02-30", "'2026-02-31'", "99999", "-1",
    "1e999", "\x00", "\x07", "\u202e", "${NOPE}", "${A:-}", "'", '"', "{", "[", ": :", "- - -",
    "!!python/object/apply:os.system ['true']", "~", "true", "0x10", "25:00", "sqlite+foo:///x",
    "postgresql+asyncpg://u:pw@h:99999/d?password=pw", "\t", "\r", "🙂", "? a", "|", "%YAML 1.1",
    "---", "...", "'0001-01-01..9999-12-31'",
)  # fmt: skip
POSITION = re.compile(r":\d+:\d+: ")


def alias_bomb(rng: random.Random) -> str:
    depth = rng.randint(5, 14)
    lines = ["a0: &a0 [x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, depth)]
    return "\n".join(lines)


def mutate(text: str, rng: random.Random) -> bytes:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        op, i = rng.randrange(7), rng.randrange(len(lines))
        if op == 0:
            lines[i] += " " + rng.choice(SNIPPETS)
        elif op == 1 and ":" in lines[i]:
            lines[i] = lines[i].split(":", 1)[0] + ": " + rng.choice(SNIPPETS)
        elif op == 2:
            del lines[i]
        elif op == 3:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 4:
            at = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:at] + rng.choice(SNIPPETS) + lines[i][at:]
        elif op == 5:
            lines.insert(i, "x: " + "[" * rng.choice((10, 200, 5000)))
        else:
            lines.insert(0, alias_bomb(rng))
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    return raw.replace(b"\xe5", b"\xff", 1) if rng.random() < 0.05 else raw


def cases() -> Iterator[tuple[int, bytes]]:
    rng = random.Random(20261207)
    for number in range(CASES):
        yield number, mutate(rng.choice(SOURCES).read_text(encoding="utf-8"), rng)


class Hang(Exception):
    pass


def _hang(signum: int, frame: FrameType | None) -> None:
    raise Hang


def test_mutated_configs_load_or_are_refused_with_positions(tmp_path: Path) -> None:
    plugins = PluginSet.collect(load_plugins())
    models, adapters = plugins.section_models(), AdapterModels()
    refused = 0
    failures: list[str] = []
    previous = signal.signal(signal.SIGALRM, _hang)
    try:
        for number, content in cases():
            path = tmp_path / f"case{number}.yaml"
            path.write_bytes(content)
            signal.alarm(GUARD_SECONDS)
            try:
                load_config(path, plugin_models=models, adapter_models=adapters, env={})
            except ConfigError as exc:
                refused += 1
                unplaced = [
                    p for p in exc.problems if not POSITION.match(p.removeprefix(str(path)))
                ]
                if unplaced:
                    failures.append(f"case {number}: no position: {unplaced[0][:200]}")
            except Hang:
                failures.append(f"case {number}: still loading after {GUARD_SECONDS} s")
            except Exception as exc:
                failures.append(f"case {number}: {type(exc).__name__}: {str(exc)[:200]}")
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert failures == []
    assert refused > CASES // 3  # the mutations do reach the loader's error paths


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_the_unmutated_examples_load(source: Path) -> None:
    plugins = PluginSet.collect(load_plugins())
    load_config(
        source, plugin_models=plugins.section_models(), adapter_models=AdapterModels(), env={}
    )
