"""Events are sealed as they are written, on SQLite and PostgreSQL; keys rotate."""

from __future__ import annotations

import shutil
from contextlib import closing
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from replay.checkpoint import Checkpoint, signature_problem
from replay.keeper import ChainKeeper, CheckpointPlan
from replay.ledger_stores import open_ledger
from replay.seals import Keyring, load_keyring, save_keyring
from replay.verdicts import Problem
from replay.verify import verify_log
from tests.replay.sealing import keyring_of, keyring_path, keys_of
from tests.replay.tamper import Tamper
from tests.stores import DeskFactory, StoreEnvs
from tests.writing import end_of_log, open_tickets
from tickettape.sealing import KEYRING_KEY, SealKeyMissing


def test_every_event_is_sealed_with_the_current_key_as_it_is_written(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(durable_store_env)
    open_tickets(desk, 2)
    tamper = Tamper(durable_store_env)
    keyring = keyring_of(durable_store_env)
    assert [s[0] for s in tamper.seal_rows()] == [r[0] for r in tamper.rows()]
    assert {s[3] for s in tamper.seal_rows()} == {keyring.current.key_id}
    with closing(open_ledger(desk)) as ledger:
        verdict = verify_log(ledger, keyring)
    assert verdict.clean
    assert verdict.unchained == end_of_log(desk)


def test_a_store_without_its_keyring_writes_nothing(
    durable_store_env: dict[str, str], desk_factory: DeskFactory, tmp_path: Path
) -> None:
    desk = desk_factory(durable_store_env)
    before = end_of_log(desk)
    keyring_path(durable_store_env).rename(tmp_path / "moved.key")
    elsewhere = desk_factory(durable_store_env)
    with pytest.raises(SealKeyMissing, match="the store holds events"):
        open_tickets(elsewhere, 1)
    assert end_of_log(elsewhere) == before
    assert not keyring_path(durable_store_env).exists()


def test_a_new_store_gets_a_keyring_of_its_own(
    durable_stores: StoreEnvs, desk_factory: DeskFactory
) -> None:
    envs = [durable_stores.new(), durable_stores.new()]
    for env in envs:
        desk_factory(env)
    first, second = (keyring_of(env) for env in envs)
    assert first.current.key_id != second.current.key_id


def test_a_rotated_key_seals_at_once_and_the_old_one_still_checks(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(durable_store_env)
    open_tickets(desk, 1)
    path = keyring_path(durable_store_env)
    old = load_keyring(path)
    rotated = old.rotated()
    save_keyring(path, rotated)
    open_tickets(desk, 1)
    keys = {s[3] for s in Tamper(durable_store_env).seal_rows()}
    assert keys == {old.current.key_id, rotated.current.key_id}
    with closing(open_ledger(desk)) as ledger:
        assert verify_log(ledger, rotated).clean
        verdict = verify_log(ledger, Keyring((rotated.current,)))
    assert verdict.finding is not None
    assert verdict.finding.problem is Problem.BAD_SEAL
    assert verdict.finding.notification_id == 1


def test_a_retired_key_that_seals_again_is_named(
    durable_store_env: dict[str, str], desk_factory: DeskFactory, tmp_path: Path
) -> None:
    desk = desk_factory(durable_store_env)
    path = keyring_path(durable_store_env)
    stolen = tmp_path / "stolen.key"
    shutil.copy(path, stolen)
    retired_at = end_of_log(desk)
    save_keyring(path, load_keyring(path).rotated().retired(retired_at))
    # Whoever kept the old key writes with it after it was retired.
    thief = desk_factory({**durable_store_env, KEYRING_KEY: str(stolen)})
    open_tickets(thief, 1)
    with closing(open_ledger(desk)) as ledger:
        verdict = verify_log(ledger, load_keyring(path))
    assert verdict.finding is not None
    assert verdict.finding.problem is Problem.BAD_SEAL
    assert verdict.finding.notification_id == retired_at + 1
    assert "retired after position" in verdict.finding.detail


def test_the_keeper_signs_checkpoints_into_the_store_and_a_directory(
    durable_store_env: dict[str, str], desk_factory: DeskFactory, tmp_path: Path
) -> None:
    desk = desk_factory(durable_store_env)
    open_tickets(desk, 2)
    key = Ed25519PrivateKey.generate()
    folder = tmp_path / "held-by-the-auditor"
    folder.mkdir()
    keeper = ChainKeeper(
        desk, keys_of(desk), checkpoints=CheckpointPlan(key, 0.001, folder)
    )
    try:
        keeper.catch_up()
        files = sorted(folder.iterdir())
        assert [f.name for f in files] == [f"checkpoint-{end_of_log(desk):012d}.json"]
        signed = Checkpoint.from_json(files[0].read_text())
        assert signature_problem(signed, key.public_key()) is None
        assert (signed.position, signed.count) == (end_of_log(desk), end_of_log(desk))
        with closing(open_ledger(desk)) as ledger:
            assert ledger.latest_checkpoint() == files[0].read_text()
            keyring = keyring_of(durable_store_env)
            assert verify_log(ledger, keyring, signed, key.public_key()).clean
        keeper.catch_up()
        assert len(list(folder.iterdir())) == 1
        open_tickets(desk, 1)
        keeper.catch_up()
        assert len(list(folder.iterdir())) == 2
    finally:
        keeper.close()


def test_the_keeper_signs_nothing_over_a_damaged_archive(
    durable_store_env: dict[str, str], desk_factory: DeskFactory, tmp_path: Path
) -> None:
    desk = desk_factory(durable_store_env)
    open_tickets(desk, 2)
    keeper = ChainKeeper(
        desk,
        keys_of(desk),
        checkpoints=CheckpointPlan(Ed25519PrivateKey.generate(), 0.001, tmp_path),
    )
    try:
        keeper.chain()
        tamper = Tamper(durable_store_env)
        nid, _, _, _, state = tamper.rows()[-2]
        tamper.set_state(nid, state + b" ")
        keeper.catch_up()
        finding = keeper.position().finding
        assert finding is not None
        assert (finding.problem, finding.notification_id) == (Problem.MODIFIED, nid)
        assert not list(tmp_path.glob("checkpoint-*.json"))
    finally:
        keeper.close()


def test_the_keeper_reports_what_it_will_not_chain(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(durable_store_env)
    keeper = ChainKeeper(desk, keys_of(desk))
    try:
        tamper = Tamper(durable_store_env)
        nid, oid, version, topic, state = tamper.rows()[-1]
        tamper.insert(nid + 1, oid, version + 1, topic, state)
        keeper.catch_up()
        position = keeper.position()
        assert (position.position, position.lag) == (nid, 1)
        assert position.finding is not None
        assert position.finding.problem is Problem.UNSEALED
    finally:
        keeper.close()


def test_a_desk_sealing_with_another_stores_key_is_caught(
    durable_stores: StoreEnvs, desk_factory: DeskFactory, tmp_path: Path
) -> None:
    ours, theirs = durable_stores.new(), durable_stores.new()
    desk_factory(theirs)
    desk = desk_factory({**ours})
    wrong = desk_factory({**ours, KEYRING_KEY: theirs[KEYRING_KEY]})
    open_tickets(wrong, 1)
    with closing(open_ledger(desk)) as ledger:
        verdict = verify_log(ledger, keyring_of(ours))
    assert verdict.finding is not None
    assert verdict.finding.problem is Problem.BAD_SEAL
