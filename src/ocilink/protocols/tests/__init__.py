"""Tests of the pure-Python protocol codecs (no Django, no database)."""
