"""Admin resources under /api/v1/admin: the configuration of the desk, and the
mail quarantine."""

from __future__ import annotations

from api.routes import (
    admin_calendars,
    admin_catalogues,
    admin_mail,
    admin_people,
    admin_queues,
    admin_sla_policies,
    admin_tokens,
)
from api.routes.admin_common import PREFIX
from api.workers import Router

router = Router(prefix=PREFIX, tags=["admin"])
for part in (
    admin_queues,
    admin_catalogues,
    admin_people,
    admin_tokens,
    admin_calendars,
    admin_sla_policies,
    admin_mail,
):
    router.include_router(part.router)
