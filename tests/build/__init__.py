"""The Lambda artefact: built by ``oms_build`` as ``make build`` and ``sam build`` do, run as Lambda runs it."""
