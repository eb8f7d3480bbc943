"""The task read model: a row per scheduled task, open ones by due time."""
