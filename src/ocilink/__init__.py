"""ocilink: an open-source procurement hub for SAP OCI punchout connections."""

__version__ = "0.1.0"
