"""The search read model: a full-text index over titles and articles."""
