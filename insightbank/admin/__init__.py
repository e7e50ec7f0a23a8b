"""Keeping a bank: backups and restores, ``check`` and repair, and the roles of a shared bank."""
