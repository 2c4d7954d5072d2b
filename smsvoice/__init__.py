"""The one AWS gateway (pinpoint-sms-voice-v2 + support) and a local SMS API simulator."""
