"""Canned AWS answers shared by Stubber-based tests (Stubber checks them against the real model)."""

# An UpdateSenderId / RequestSenderId answer.
SENDER_ID_ANSWER = {
    "SenderIdArn": "arn:sender",
    "SenderId": "ACME",
    "IsoCountryCode": "DE",
    "MessageTypes": ["TRANSACTIONAL"],
    "MonthlyLeasingPrice": "0.00",
    "DeletionProtectionEnabled": True,
    "Registered": False,
}
