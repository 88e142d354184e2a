"""The payment providers' and carrier aggregators' own formats: verifying what they send, signing what we ask."""
