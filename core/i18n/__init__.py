"""Languages: the gettext catalogs read at run time, and the extractor that updates them.

Internal to the core: plugins and adapters import the public names from ``qunzhu.core``.
"""
