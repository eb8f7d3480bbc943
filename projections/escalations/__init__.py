"""The escalation view: SLA clocks by due time, alarms for the worker, reminders."""
