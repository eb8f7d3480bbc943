"""The activity read model: a feed of what happened, told per reader."""
