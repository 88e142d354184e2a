"""Use cases of the order lifecycle: each reads, decides with ``domain`` and writes once through ``store``."""
