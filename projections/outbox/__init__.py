"""The outbox: the deliveries of outgoing mail, pending, sent or failed."""
