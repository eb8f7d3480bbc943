"""One router per helpdesk resource."""
