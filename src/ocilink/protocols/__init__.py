"""Pure-Python protocol codecs for ocilink.

Nothing in this package imports Django: the codecs take bytes and plain
mappings and return plain dataclasses, so they can be tested, benchmarked and
reused (e.g. by the ``check-cart`` command) without settings or a database.
"""
