"""The ticket summary read model: a row per ticket, its list and its waiters."""
