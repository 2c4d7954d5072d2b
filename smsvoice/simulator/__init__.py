"""A local stand-in for AWS End User Messaging SMS (``pinpoint-sms-voice-v2``) that speaks the real wire
protocol, so an unmodified boto3 client talks to it (point ``AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`` at
it). Run it with ``python manage.py run_sms_simulator [--port 4566]``.

What it implements: every operation the gateway uses (sender IDs, registrations, versions, field values
put and deleted, discard, delete, definitions, attachments, associations, account limits, tags), AWS's
input validation from botocore's model, NextToken pagination, ClientToken idempotency, deletion
protection, quotas (25 registrations, 200 sender IDs; CLOSED registrations count until deleted), state
per calling account and Region (the account from the SigV4 access key: ``--account KEY=ACCOUNTID``, STS
GetCallerIdentity at ``--sts-endpoint-url``, else 123456789012; see ``caller_account.py``),
Region-specific registration types (India only in ap-south-1/ap-south-2), and registrations that move
(AWS_REVIEWING →) SUBMITTED → REVIEWING → (DENIED | APPROVED → PROVISIONING → COMPLETE) over the review
delay, the sender ID then being created by the simulator itself (ASSOCIATE_ON_APPROVAL); releasing that
sender ID CLOSES the registration.

The registration forms come from shared/data/aws-reference (``reference.py``): GB, IN and ID as AWS
published them (verbatim output and AWS's own scripts); every other type is a generic stand-in, marked in
its type's DisplayHints and by the ``x-simulator-stand-in: true`` response header. Text fields are
non-blank; attachments are limited to 500 KB (the user guide; the API allows 5 MB). Behaviours AWS does
not document are switchable in ``SimConfig`` (``POST /_config``).

Demo rules, so every path of the portal can be reached:
- ``DENY…`` sender ID in a registration → its first submitted version is DENIED with DeniedReasons and
  field feedback (registration REQUIRES_UPDATES); CreateRegistrationVersion + resubmit → approved.
- ``AUTH…`` sender ID in a registration → REQUIRES_AUTHENTICATION after submission, until
  ``POST /_authenticate`` or twice the review delay.
- SubmitRegistrationVersion(AwsReview=true) → AWS_REVIEWING, then per-field Feedback for a ``DENY…``
  sender ID or an opt-in description under 40 characters (the version back to DRAFT by default).
- ``TAKEN…`` sender ID → RequestSenderId answers ConflictException (RESOURCE_ALREADY_EXISTS).
- RequestSenderId for a registration country → ValidationException SENDER_ID_REQUIRES_REGISTRATION;
  for a country without sender IDs (US, CA, …) → SENDER_ID_NOT_SUPPORTED.
- ``--tps N`` → ThrottlingException above N requests per second per account, Region and operation.

Control endpoints are described in ``smsvoice.simulator.server``.
"""

from smsvoice.simulator.backend import SimConfig, Simulator
from smsvoice.simulator.server import SimulatorServer

__all__ = ["SimConfig", "Simulator", "SimulatorServer"]
