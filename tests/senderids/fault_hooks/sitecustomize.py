"""Fault injection for test worker processes only — never on a production path.

Python imports ``sitecustomize`` at start-up from the first ``sys.path`` entry that has one, so a
test starts a worker with ``PYTHONPATH=<this directory>`` to load this file into that one process
(see test_pipeline_faults.py). Nothing in the portal knows about it.

``FAULT_KILL_AFTER_AWS_OPERATION=RequestSenderId``: the process SIGKILLs itself the moment botocore
has AWS's successful answer to that operation — after the AWS call, before the worker commits what
AWS said. The crash case in its purest form: no exception handler, no ack, no cleanup.
"""

import os

_OPERATION = os.environ.get("FAULT_KILL_AFTER_AWS_OPERATION", "")

if _OPERATION:
    import signal

    from botocore.client import BaseClient

    _make_api_call = BaseClient._make_api_call

    def _make_api_call_then_die(self, operation_name, api_params):  # type: ignore[no-untyped-def]
        response = _make_api_call(self, operation_name, api_params)
        if operation_name == _OPERATION:
            os.kill(os.getpid(), signal.SIGKILL)
        return response

    BaseClient._make_api_call = _make_api_call_then_die
