"""Helpers and fixture plugins shared by several test modules."""
