"""Single changes an attacker without the key can make to a SQLite store's tables.

Each takes the attacker's hands (Tamper) and the index of a row to aim at, makes
its change and returns the first log position it touched.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.replay.tamper import Tamper

# A change to the store: given the attacker's hands and a row index to aim at,
# makes it and returns the first log position it touched.
Change = Callable[[Tamper, int], int]


def _edit_state(tamper: Tamper, at: int) -> int:
    nid, _, _, _, state = tamper.rows()[at]
    tamper.set_state(nid, state.replace(b'"', b"'", 1))
    return nid


def _edit_version(tamper: Tamper, at: int) -> int:
    nid, _, version, _, _ = tamper.rows()[at]
    tamper.sql(
        "UPDATE {events} SET originator_version = ? WHERE {id} = ?", version + 100, nid
    )
    return nid


def _delete(table: str) -> Change:
    def change(tamper: Tamper, at: int) -> int:
        rows = tamper.rows()
        # The chain's head link gone only sets the chain back: its event is
        # still there, sealed, and the keeper chains it again.
        nid = rows[min(at, len(rows) - 2)][0] if table == "chain" else rows[at][0]
        if table == "events":
            tamper.delete(nid)
        elif table == "seals":
            tamper.unseal(nid)
        else:
            tamper.unchain(nid)
        return nid

    return change


def _erase(tamper: Tamper, at: int) -> int:
    rows = tamper.rows()
    # Not the log's last event: nothing inside the store can show that one gone.
    nid = rows[min(at, len(rows) - 2)][0]
    tamper.erase(nid)
    return nid


def _copy_to_the_end(tamper: Tamper, at: int) -> int:
    nid, oid, version, topic, state = tamper.rows()[at]
    last = tamper.rows()[-1][0]
    tamper.insert(last + 1, oid, version + 1_000, topic, state)
    seal = next(s for s in tamper.seal_rows() if s[0] == nid)
    tamper.insert_seal(last + 1, oid, version + 1_000, seal[3], seal[4])
    return last + 1


def _swap(tamper: Tamper, at: int) -> int:
    rows = tamper.rows()
    first, second = rows[at][0], rows[(at + 3) % len(rows)][0]
    tamper.move(first, -1)
    tamper.move(second, first)
    tamper.move(-1, second)
    return min(first, second)


def _edit_seal(tamper: Tamper, at: int) -> int:
    nid = tamper.rows()[at][0]
    tamper.sql(
        "UPDATE audit_seals SET seal = ? WHERE notification_id = ?", b"\0" * 32, nid
    )
    return nid


def _edit_link(tamper: Tamper, at: int) -> int:
    nid = tamper.rows()[at][0]
    tamper.sql(
        "UPDATE audit_chain SET aggregate_hash = global_hash WHERE notification_id = ?",
        nid,
    )
    return nid


_unchain = _delete("chain")
# Need a chain: without one there is no link to remove or edit, and an event
# removed with its seal before it was chained leaves no trace.
NEEDS_A_CHAIN = (_unchain, _erase, _edit_link)
CHANGES: list[Change] = [
    _edit_state,
    _edit_version,
    _delete("events"),
    _delete("seals"),
    _unchain,
    _erase,
    _copy_to_the_end,
    _swap,
    _edit_seal,
    _edit_link,
]
