"""An archive held against a signed checkpoint, line by line as it is read.

The line checks catch a careless edit, but whoever edits an archive can also
recompute every hash after the edit, and truncate it: the lines then agree with
each other. A checkpoint signed with a key the editor lacks names the log
position, the global chain head there and the event count, so an archive that
does not reach the position, lacks the event there, or arrives at another head
or count is refused.
"""

from __future__ import annotations

from replay.checkpoint import Checkpoint
from replay.records import ChainLink


class CheckpointWatch:
    """Follows an archive's global chain and says where it parts from a checkpoint."""

    def __init__(self, checkpoint: Checkpoint) -> None:
        self.checkpoint = checkpoint
        self.count = 0
        self.position = 0
        self.reached = False

    def step(self, link: ChainLink) -> str | None:
        """Take the next line's link; what differs from the checkpoint, if anything."""
        cp = self.checkpoint
        if not self.reached and link.notification_id > cp.position:
            return (
                f"the archive has no event at the checkpoint's position {cp.position} "
                f"(it goes from position {self.position} to {link.notification_id}): "
                "events were removed and the chain recomputed"
            )
        self.count += 1
        self.position = link.notification_id
        if self.position != cp.position:
            return None
        self.reached = True
        head = link.global_hash.hex()
        if head != cp.head:
            return (
                f"head differs at position {cp.position}: the archive's chain head "
                f"is {head[:16]}, the checkpoint of {cp.at} signed {cp.head[:16]}: "
                "events up to there were altered and the chain recomputed"
            )
        if self.count != cp.count:
            return (
                f"count differs at position {cp.position}: the archive holds "
                f"{self.count} events up to there, the checkpoint of {cp.at} "
                f"signed {cp.count}"
            )
        return None

    def end(self) -> str | None:
        """After the last line: what is missing, if the checkpoint was not reached."""
        cp = self.checkpoint
        if self.reached:
            return None
        return (
            f"the archive ends at position {self.position} ({self.count} events), "
            f"before the checkpoint's position {cp.position} ({cp.count} events): "
            "its tail was removed"
        )
