"""One module per modal; every modal returns a value through ``dismiss``."""
