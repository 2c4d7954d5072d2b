"""Sender-ID requests: the wizard, the request lifecycle, approval, release and tracking."""
