"""Operational safety: locking the bundle, clean stops on signals, rollback."""
