"""The mail read model: a row per received message, the quarantine newest first."""
