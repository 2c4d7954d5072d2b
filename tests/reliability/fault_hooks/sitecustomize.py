"""Fault injection for the recovery tests' worker processes only — never on a production path.

Python imports ``sitecustomize`` at start-up from the first ``sys.path`` entry that has one, so
test_recovery.py starts a doomed worker with ``PYTHONPATH=<this directory>``; nothing in the portal
knows about it. Like tests/senderids/fault_hooks (one operation), but for any of several:

``FAULT_KILL_AFTER_AWS_OPERATIONS=RequestSenderId,ReleaseSenderId``: the process SIGKILLs itself the
moment botocore has AWS's successful answer to the first call of any of them — the AWS write done,
nothing of it committed on our side, no exception handler, no ack, no cleanup.
"""

import os

_OPERATIONS = {name for name in os.environ.get("FAULT_KILL_AFTER_AWS_OPERATIONS", "").split(",") if name}

if _OPERATIONS:
    import signal

    from botocore.client import BaseClient

    _make_api_call = BaseClient._make_api_call

    def _make_api_call_then_die(self, operation_name, api_params):  # type: ignore[no-untyped-def]
        response = _make_api_call(self, operation_name, api_params)
        if operation_name in _OPERATIONS:
            os.kill(os.getpid(), signal.SIGKILL)
        return response

    BaseClient._make_api_call = _make_api_call_then_die
