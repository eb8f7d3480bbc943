"""The projection engine: stores, tracking, batches, rebuilds, following the log."""
