"""A local stand-in for AWS End User Messaging SMS (``pinpoint-sms-voice-v2``) that speaks the real wire
protocol, so an unmodified boto3 client talks to it (point ``AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`` at
it). Run it with ``python manage.py run_sms_simulator [--port 4566]``.

What it implements: every operation the gateway uses (sender IDs, registrations, versions, field values,
definitions, attachments, associations), AWS's input validation from botocore's model, NextToken
pagination, ClientToken idempotency, deletion protection, quotas (25 registrations, 200 sender IDs),
Region-specific registration types (India only in ap-south-1/ap-south-2), and registrations that move
SUBMITTED → REVIEWING → (DENIED | APPROVED → PROVISIONING → COMPLETE) over the review delay, the sender
ID then being created by the simulator itself (ASSOCIATE_ON_APPROVAL).

Demo rules, so every path of the portal can be reached:
- ``DENY…`` sender ID in a registration → its first submitted version is DENIED with DeniedReasons and
  field feedback (registration REQUIRES_UPDATES); CreateRegistrationVersion + resubmit → approved.
- ``TAKEN…`` sender ID → RequestSenderId answers ConflictException (RESOURCE_ALREADY_EXISTS).
- RequestSenderId for a registration country → ValidationException SENDER_ID_REQUIRES_REGISTRATION;
  for a country without sender IDs (US, CA, …) → SENDER_ID_NOT_SUPPORTED.
- ``--tps N`` → ThrottlingException above N requests per second per operation.

Control endpoints are described in ``smsvoice.simulator.server``.
"""

from smsvoice.simulator.backend import SimConfig, Simulator
from smsvoice.simulator.server import SimulatorServer

__all__ = ["SimConfig", "Simulator", "SimulatorServer"]
