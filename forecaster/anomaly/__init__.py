"""Anomaly scoring pieces: per-step scores, calibrated thresholds and events."""
