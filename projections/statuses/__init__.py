"""The status read model: tickets per status and the daily backlog."""
