"""YAML loading that remembers where every key and value came from.

`parse_yaml` composes the node tree with PyYAML's SafeLoader (which keeps each node's start mark),
replaces `${VAR}` references in every string scalar (keys included), and builds the plain Python
data together with a map from key path to (line, column) for both keys and values. Interpolation
happens on the node tree, so positions point into the file as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ._interpolate import interpolate
from ._problems import KeyPath, Position, Problem

__all__ = ["Document", "parse_yaml"]

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
    """Paths whose value could not be built (unset variable...): validation errors there are
    consequences of a problem already reported, so they are not reported again."""

    def known(self, path: KeyPath) -> bool:
        """Whether the file has a key or a value at `path`."""
        return path in self.values or path in self.keys


def parse_yaml(text: str, env: Mapping[str, str]) -> Document:
    """Parse one YAML document. Raises `yaml.YAMLError` when the text is not valid YAML."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    doc = Document(values={(): (1, 1)})
    if root is not None:
        doc.data = _Builder(loader, text, env, doc).build(root, ())
    return doc


class _Builder:
    def __init__(
        self, loader: yaml.SafeLoader, text: str, env: Mapping[str, str], doc: Document
    ) -> None:
        self.loader = loader
        self.text = text
        self.env = env
        self.doc = doc
        self.active: set[int] = set()

    def build(self, node: Node, path: KeyPath) -> Any:
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
            self.doc.bad_values.add(path)
            return None

    def string(self, node: ScalarNode, path: KeyPath, value: str) -> str:
        result, problems = interpolate(value, self.env)
        if not problems:
            return result
        self.doc.bad_values.add(path)
        start, end = node.start_mark.index, node.end_mark.index
        cursor = start
        for problem in problems:
            found = self.text.find(problem.text, cursor, end)
            index = found if found >= 0 else start
            cursor = max(cursor, index + 1)
            line, column = self.index_position(index)
            self.doc.problems.append(Problem(line, column, path, problem.message))
        return result

    def index_position(self, index: int) -> Position:
        line = self.text.count("\n", 0, index) + 1
        return line, index - (self.text.rfind("\n", 0, index) + 1) + 1

    def problem(self, node: Node, path: KeyPath, message: str) -> None:
        line, column = _position(node)
        self.doc.problems.append(Problem(line, column, path, message))


def _position(node: Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1
