"""The profiles app's exception, apart so selectors and services both raise it (selectors never import
services). Importable as `profiles.services.DocumentUnusable`."""

from __future__ import annotations


class DocumentUnusable(Exception):
    """A vault document cannot be used for a form (expired, gone, or not for this country or kind).
    The message is for the user."""
