"""`qunzhu.core.__all__` is the public API: sorted, complete, and every name importable."""

import qunzhu.core


def test_all_is_sorted_and_importable() -> None:
    names = qunzhu.core.__all__
    # ruff's RUF022 order: CONSTANTS (and N_), then Classes, then functions, each alphabetical
    assert names == sorted(
        names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)
    )
    for name in names:
        assert getattr(qunzhu.core, name) is not None


_LOWER_CASE_API = ("command", "hookimpl", "hookspec", "job")


def test_every_public_name_is_in_all() -> None:
    public = {
        n
        for n in vars(qunzhu.core)
        if not n.startswith("_")
        and n[0].isupper()
        or n in ("command", "hookimpl", "hookspec", "job")
    }
    modules = {n for n, v in vars(qunzhu.core).items() if type(v).__name__ == "module"}
    assert public - modules <= set(qunzhu.core.__all__)
