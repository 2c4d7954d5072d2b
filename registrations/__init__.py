"""API-defined registrations, their lifecycle and status poller, and AWS Support cases."""
