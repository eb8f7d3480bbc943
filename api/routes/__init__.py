"""One router per helpdesk resource."""

# The routes' paths use the `name` converter, registered before any is declared.
import api.paths  # noqa: F401
