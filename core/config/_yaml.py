"""YAML loading that remembers where every key and value came from.

`parse_yaml` composes the node tree with PyYAML's SafeLoader (which keeps each node's start mark),
replaces `${VAR}` references in every string scalar (keys included), and builds the plain Python
data together with a map from key path to (line, column) for both keys and values. Interpolation
happens on the node tree, so positions point into the file as written.

A configuration file is written by people and sometimes generated: its shape is bounded so that no
file can exhaust the machine. Collections nest at most `MAX_DEPTH` levels (PyYAML composes
recursively: a file of ten thousand ``[`` would end in ``RecursionError``), and aliases expand to
at most `MAX_ALIAS_VALUES` values in all (nine lines of anchors, each alias listing the previous
one four times, expand to hundreds of thousands of values: a "billion laughs" file took gigabytes).
Both are reported, with their line and column, as problems of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ._interpolate import interpolate
from ._problems import KeyPath, Position, Problem

__all__ = ["MAX_ALIAS_VALUES", "MAX_DEPTH", "Document", "parse_yaml"]

#: How deep collections may nest (qunzhu's own sections nest six levels at most).
MAX_DEPTH = 64
#: How many values aliases (``*name``) may add to the file in all.
MAX_ALIAS_VALUES = 100_000

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"


@dataclass
class Document:
    """Parsed configuration: `data` plus where each key and value was written."""

    data: Any = None
    keys: dict[KeyPath, Position] = field(default_factory=dict)
    values: dict[KeyPath, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    bad_values: set[KeyPath] = field(default_factory=set)
    #: Unset variables that `parse_yaml` was told to keep as written (``unset_ok``).
    unset: list[Problem] = field(default_factory=list)
    """Paths whose value could not be built (unset variable...): validation errors there are
    consequences of a problem already reported, so they are not reported again."""

    def known(self, path: KeyPath) -> bool:
        """Whether the file has a key or a value at `path`."""
        return path in self.values or path in self.keys


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing collections nested deeper than `MAX_DEPTH`."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                problem = f"nested more than {MAX_DEPTH} levels deep"
                raise yaml.composer.ComposerError(None, None, problem, mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def parse_yaml(
    text: str, env: Mapping[str, str], *, unset_ok: Callable[[KeyPath], bool] | None = None
) -> Document:
    """Parse one YAML document. Raises `yaml.YAMLError` when the text is not valid YAML (or nests
    deeper than `MAX_DEPTH`). A ``${VAR}`` whose variable is not set, at a path for which
    `unset_ok` says yes, stays as written and is listed in `Document.unset`, not a problem."""
    loader = _BoundedLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    doc = Document(values={(): (1, 1)})
    if root is not None:
        doc.data = _Builder(loader, text, env, doc, unset_ok).build(root, ())
    return doc


class _Builder:
    def __init__(
        self,
        loader: yaml.SafeLoader,
        text: str,
        env: Mapping[str, str],
        doc: Document,
        unset_ok: Callable[[KeyPath], bool] | None = None,
    ) -> None:
        self.unset_ok = unset_ok
        self.loader = loader
        self.text = text
        self.env = env
        self.doc = doc
        self.active: set[int] = set()
        self.built: set[int] = set()
        self.alias_values = 0
        self.too_many = False

    def build(self, node: Node, path: KeyPath) -> Any:
        if id(node) in self.built:  # an alias: the node is built once more
            self.alias_values += 1
            if self.alias_values > MAX_ALIAS_VALUES:
                if not self.too_many:
                    message = (
                        f"aliases expand to more than {MAX_ALIAS_VALUES:,} values: write the "
                        "values out, or use fewer aliases of aliases"
                    )
                    self.problem(node, path, message)
                    self.too_many = True
                self.doc.bad_values.add(path)
                return None
        else:
            self.built.add(id(node))
        self.doc.values[path] = _position(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            self.problem(node, path, "an alias refers to the collection that contains it")
            self.doc.bad_values.add(path)
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self.mapping(node, path)
            assert isinstance(node, SequenceNode)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        own_keys: dict[str, Node] = {}
        for key_node, value_node, own in self.pairs(node, path):
            key = self.key(key_node, path)
            if key is None:
                continue
            if own:
                if key in own_keys:
                    line = _position(own_keys[key])[0]
                    message = f"duplicate key '{key}' (first written on line {line})"
                    self.problem(key_node, (*path, key), message)
                own_keys[key] = key_node
            self.doc.keys[(*path, key)] = _position(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def pairs(self, node: MappingNode, path: KeyPath) -> list[tuple[Node, Node, bool]]:
        """Key/value node pairs; those from `<<` merge keys first, with `own=False`."""
        merged: list[tuple[Node, Node, bool]] = []
        own: list[tuple[Node, Node, bool]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                own.append((key_node, value_node, True))
                continue
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            # Earlier sources win over later ones, so they are applied last.
            for source in reversed(sources):
                if not isinstance(source, MappingNode) or id(source) in self.active:
                    self.problem(source, path, "'<<' must merge a mapping or a list of mappings")
                    continue
                self.active.add(id(source))
                try:
                    merged += [(k, v, False) for k, v, _ in self.pairs(source, path)]
                finally:
                    self.active.discard(id(source))
        return merged + own

    def key(self, node: Node, path: KeyPath) -> str | None:
        if not isinstance(node, ScalarNode):
            self.problem(node, path, "mapping keys must be plain strings")
            return None
        return self.string(node, path, node.value)

    def scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        if node.tag == _STR:
            return self.string(node, path, node.value)
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.problem(node, path, f"cannot read value: {exc.problem}")
        except (ValueError, OverflowError) as exc:  # 2026-02-30: a date that does not exist
            self.problem(node, path, f"cannot read value {node.value!r}: {exc}")
        self.doc.bad_values.add(path)
        return None

    def string(self, node: ScalarNode, path: KeyPath, value: str) -> str:
        result, problems = interpolate(value, self.env)
        if not problems:
            return result
        kept = self.unset_ok is not None and self.unset_ok(path)
        self.doc.bad_values.add(path)  # a token's format is not checked when kept as written
        start, end = node.start_mark.index, node.end_mark.index
        cursor = start
        for problem in problems:
            found = self.text.find(problem.text, cursor, end)
            index = found if found >= 0 else start
            cursor = max(cursor, index + 1)
            line, column = self.index_position(index)
            listed = self.doc.unset if kept and problem.unset else self.doc.problems
            listed.append(Problem(line, column, path, problem.message))
        return result

    def index_position(self, index: int) -> Position:
        line = self.text.count("\n", 0, index) + 1
        return line, index - (self.text.rfind("\n", 0, index) + 1) + 1

    def problem(self, node: Node, path: KeyPath, message: str) -> None:
        line, column = _position(node)
        self.doc.problems.append(Problem(line, column, path, message))


def _position(node: Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1
