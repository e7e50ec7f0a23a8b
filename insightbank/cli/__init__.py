"""The command line: a thin click layer over the core library."""
