"""The organisation model: ``org:`` validated with positions, and the `Org` lookups plugins use."""

from __future__ import annotations

from pathlib import Path

import pytest

from qunzhu.core import ConfigError, Org, OrgUnit, Person, Role
from qunzhu.core.config import load_config

DISTRICT = """\
org:
  district: {name: 区政府, names: {en: District}, chats: ["memory:区政府"], head: 周区长}
  township: {name: 管委会, parent: district, chats: ["memory:管委会"]}
  housing:
    name: 住建局
    aliases: [住建, "@住房局"]
    parent: township
    chats: ["memory:住建局", "memory:住建局-2"]
    head: "memory:liu"
    members: [李娜, "role:engineer"]
  village: {name: 三村, parent: township}
"""


def person(name: str, *identities: str, roles: tuple[str, ...] = ()) -> Person:
    found = frozenset(Role(*r.split(":", 1)) for r in roles)
    return Person(1, name, name, None, identities or (f"memory:{name}",), found)


@pytest.fixture
def org(tmp_path: Path) -> Org:
    path = tmp_path / "q.yaml"
    path.write_text(DISTRICT, encoding="utf-8")
    return Org.from_settings(load_config(path))


def test_units_are_found_by_key_name_or_alias(org: Org) -> None:
    housing = org.unit("housing")
    assert isinstance(housing, OrgUnit)
    assert [org.unit(w) for w in ("住建局", "@住建", "住房局", "HOUSING")] == [housing] * 4
    assert org.unit("水利局") is None
    assert org.unit("district") is not None and org.unit("district").label("en") == "District"  # type: ignore[union-attr]
    assert [u.key for u in org.units] == ["district", "township", "housing", "village"]


def test_the_chain_goes_up_and_children_come_down(org: Org) -> None:
    assert [u.key for u in org.chain("housing")] == ["housing", "township", "district"]
    assert org.parent("housing") == org.unit("township")
    assert org.parent("district") is None
    assert [u.key for u in org.children("township")] == ["housing", "village"]
    assert [u.key for u in org.subtree("district")] == [
        "district",
        "township",
        "housing",
        "village",
    ]
    assert org.chain("nowhere") == ()


def test_chats_heads_and_members(org: Org) -> None:
    assert org.unit_of_chat("memory:住建局-2") == org.unit("housing")
    assert org.unit_of_chat("memory:elsewhere") is None
    assert org.head_of("district") == "周区长"
    liu = person("刘局长", "memory:liu")
    lina = person("李娜")
    engineer = person("小王", roles=("engineer",))
    scoped = person("小赵", roles=("member:village",))
    admin = person("管理员", roles=("admin",))
    assert [u.key for u in org.units_of(liu)] == ["housing"]  # its head
    assert org.is_member(lina, "housing") and org.is_member(engineer, "housing")
    assert [u.key for u in org.units_of(scoped)] == ["village"]  # member:village
    assert org.units_of(admin) == ()  # an admin passes role checks, but is no unit's member
    assert org.is_head(liu, "housing") and not org.is_head(lina, "housing")
    assert not org.is_head(admin, "housing") and not org.is_head(liu, "district")
    assert org.unit("housing").people_entries() == (  # type: ignore[union-attr]
        "memory:liu",
        "李娜",
        "role:engineer",
        "role:member:housing",
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "org:\n  a: {name: A, parent: b}\n",
            "q.yaml:2:16: org.a.parent: no unit 'b' in org: (the parent must be a unit's key)",
        ),
        (
            "org:\n  a: {name: A, parent: b}\n  b: {name: B, parent: a}\n",
            "q.yaml:2:16: org.a.parent: the parents go round in a circle: a → b → a",
        ),
        (
            "org:\n  a: {name: A, aliases: [住建]}\n  b: {name: B, aliases: [住建]}\n",
            "q.yaml:3:26: org.b.aliases[0]: alias '住建' also finds unit 'a' (org.a)",
        ),
        (
            "org:\n  a: {name: A, aliases: [b]}\n  b: {name: B}\n",
            "q.yaml:2:26: org.a.aliases[0]: alias 'b' also finds unit 'b' (org.b)",
        ),
        (
            "org:\n  a: {name: A, chats: [村委会]}\n",
            "q.yaml:2:24: org.a.chats[0]: '村委会' is not a chat key: write platform:chat_id",
        ),
        (
            "org:\n  'a:b': {name: A}\n",
            "q.yaml:2:3: org.a:b: 'a:b' is not a unit key",
        ),
    ],
)
def test_mistakes_are_named_at_their_line(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert any(line.endswith(problem) or problem in line for line in caught.value.problems), (
        caught.value.problems
    )
