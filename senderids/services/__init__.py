"""Writes and business rules of sender-ID requests, by area:

* `requests`    — create (one or many), approve, reject, retry;
* `submission`  — the worker's submission through the process registry, the "supported" process,
                  the sweepers that re-enqueue stuck work;
* `release`     — release, deletion protection;
* `reconcile`   — drift sync with AWS's sender IDs, worker heartbeat.

Every status change goes through senderids.lifecycle.transition().
"""
