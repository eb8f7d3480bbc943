"""The mail channel: messages in, and (later) the outbox."""
