"""The queue read model: per-queue counts by status category and age."""
