"""The seal keyring and verify on the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from domain.desk import HelpDesk
from domain.ids import ticket_id
from replay.seals import load_keyring
from tests.replay.cli import replay, store_env, tickettape
from tests.replay.tamper import Tamper
from tests.writing import open_tickets
from tickettape.cli_replay import TAMPERED


def keyring_file(cli_env: dict[str, str]) -> Path:
    """Where the CLI's store keeps its seal keyring (the default place)."""
    return Path(cli_env["TICKETTAPE_DATA_DIR"]) / "seal.key"


def test_keys_rotate_and_retire_and_the_store_still_verifies(
    cli_env: dict[str, str],
) -> None:
    code, said = tickettape(cli_env, "seal", "keys")
    first = load_keyring(keyring_file(cli_env)).current.key_id
    assert (code, f"{first} │ seals new events" in said) == (0, True)
    code, said = tickettape(cli_env, "seal", "rotate")
    assert code == 0, said
    second = load_keyring(keyring_file(cli_env)).current.key_id
    assert second != first
    assert f"new sealing key {second}" in said
    with closing(HelpDesk(env=store_env(cli_env))) as desk:
        open_tickets(desk, 1)
    sealed_by = {row[3] for row in Tamper(store_env(cli_env)).seal_rows()}
    assert sealed_by == {first, second}
    code, said = tickettape(cli_env, "seal", "retire")
    assert code == 0, said
    assert "1 older key(s) now check only seals up to position" in said
    code, said = tickettape(cli_env, "seal", "keys")
    assert f"{first} │ retired: checks seals up to position" in said
    code, said = replay(cli_env, "verify")
    assert code == 0, said
    assert "newer ones their seals (not chained yet)" in said


def test_an_unsealed_event_is_named_and_never_chained(cli_env: dict[str, str]) -> None:
    number = cli_env["NUMBER"]
    tamper = Tamper(store_env(cli_env))
    nid, oid, version, topic, state = next(
        r for r in reversed(tamper.rows()) if r[1] == str(ticket_id(number))
    )
    last = tamper.rows()[-1][0]
    tamper.insert(
        last + 1, oid, version + 1, topic, state.replace(b"smokes", b"is fine")
    )
    code, said = replay(cli_env, "verify")
    assert code == TAMPERED
    assert (
        f"TAMPERED (unsealed): position {last + 1}, ticket {number} "
        f"(aggregate {oid}), version {version + 1}" in said
    )
    code, said = replay(cli_env, "chain")
    assert code == TAMPERED
    assert f"the chain stops at position {last + 1} (unsealed)" in said
    code, said = replay(cli_env, "verify", "--ticket", number)
    assert code == TAMPERED
    assert "unsealed" in said
    assert nid < last + 1


def test_a_store_without_its_keyring_is_refused_clearly(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    keyring_file(cli_env).rename(tmp_path / "elsewhere.key")
    code, said = replay(cli_env, "verify")
    assert code == 1
    assert "no seal keyring at" in said
    assert "TICKETTAPE_SEAL_KEY" in said
    code, said = tickettape(cli_env, "init")
    assert code == 1
    assert "cannot write to the store" in said
    assert not keyring_file(cli_env).exists()
    moved = {**cli_env, "TICKETTAPE_SEAL_KEY": str(tmp_path / "elsewhere.key")}
    assert replay(moved, "verify")[0] == 0


def test_an_older_store_is_sealed_once_then_verifies(cli_env: dict[str, str]) -> None:
    assert replay(cli_env, "chain")[0] == 0
    with closing(HelpDesk(env=store_env(cli_env))) as desk:
        open_tickets(desk, 1)
    tamper = Tamper(store_env(cli_env))
    tamper.sql("DELETE FROM audit_seals")
    tamper.sql(
        "UPDATE audit_chain SET previous_id = NULL, previous_originator_id = NULL, "
        "previous_version = NULL, key_id = NULL, seal = NULL"
    )
    assert replay(cli_env, "verify")[0] == TAMPERED
    code, said = tickettape(cli_env, "seal", "existing")
    assert code == TAMPERED
    assert "sealed only with --include-unchained" in said
    code, said = tickettape(cli_env, "seal", "existing", "--include-unchained")
    assert code == 0, said
    assert "sealed 3 events and 0 chain links" in said
    code, said = replay(cli_env, "verify")
    assert code == 0, said
