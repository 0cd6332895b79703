"""One small recogniser per kind of identifier; see registry.py for the order."""
