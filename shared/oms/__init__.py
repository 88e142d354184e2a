"""Order and return management: the package every function imports (shipped as one Lambda layer)."""
