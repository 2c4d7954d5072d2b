"""AWS test fixtures: the SMS simulator and moto's Support API, both spoken to over real HTTP."""
