"""Pure rules of the specification: no I/O, no boto3. Each rule lives in exactly one module here."""
