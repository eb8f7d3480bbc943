"""Write side: aggregates, events, rules and the HelpDesk application."""
