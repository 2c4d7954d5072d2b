"""smsvoice: the one gateway to AWS End User Messaging SMS and AWS Support (``smsvoice.gateway``), the
shared AWS rate budget (``smsvoice.ratelimit``), the AWS call log (``smsvoice.models.AwsCall``) and a
wire-faithful local simulator of the SMS API (``smsvoice.simulator``)."""
