"""Country catalogue: sender-ID support per destination country, process, and rules."""
