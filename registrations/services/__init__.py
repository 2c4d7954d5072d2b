"""Writes and business rules of registrations, by area:

* `draft`  — the local draft (web): the Registration row, the form's values, attachments, what is
             missing; nothing goes to AWS before the request is approved;
* `aws`    — the worker's side: `registration_start` (the process's start), `registration_sync` (push
             changed values, open a new version after a denial, submit), versions, attachments;
* `poller` — `registrations_poll`, the status poller that mirrors AWS onto registrations and requests.

Rules every function here keeps:
- Every status change of the request goes through `senderids.lifecycle.transition`, with an event
  from registrations/events.py.
- No row lock is ever held across an AWS call: rows are claimed (a lease in `next_poll_due` or
  `busy_until`), the lock is released, AWS is called, and the outcome is applied in a new short
  transaction that re-checks the row.
- Every AWS step is idempotent: CreateRegistration and CreateRegistrationAttachment reuse a ClientToken
  stored before the first call; a value is pushed only while its digest differs from the pushed one; a
  version is submitted once.
- Work for a worker is enqueued by task name on commit (senderids.enqueue), never by importing tasks.
"""
