"""A workstation used by two people in turn (a shift change), against a REAL server: ops wait
for their own author, never go out under someone else's login (the server would refuse them
and the workstation undo them: lost work); the next person logs in once the desk's waiting
ops are sent, and from then on the workstation syncs as them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from opdesk import services
from opdesk.models import OutboxEntry
from opdesk.sync import outbox
from opdesk.sync.contract import SyncError
from opdesk.sync.credentials import TokenStore
from opdesk.ui.login_dialog import log_in
from tests.server.live import LiveServer
from tests.sync.stations import PASSWORD, Station


def waiting(station: Station) -> int:
    with station.desk.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def test_a_colleagues_waiting_ops_block_the_next_login_and_are_never_sent_as_them(
    stations: dict[str, Station], live_server: LiveServer
) -> None:
    a, b = stations["a"], stations["b"]
    key = a.create("Смена: работа без связи")  # A works on, offline
    assert services.add_comment(a.desk, a.actor, a.ticket(key).id, "note", "Позвонил").ok
    assert waiting(a) == 2
    # B sits down at A's workstation: the login is refused before the server is asked
    with pytest.raises(SyncError) as refused:
        log_in(a.desk.db, TokenStore(), live_server.url, b.actor.login, PASSWORD)
    assert refused.value.code == "others_waiting"
    assert "(2)" in refused.value.message_ru and "nothing was changed" in refused.value.message_en
    assert waiting(a) == 2
    # a sync under B's name (a kept token) sends nothing of A's: it would be refused, undone
    a.engine.actor = b.actor.login
    report = a.engine.sync_once(check=False)
    assert report.pushed == 0 and report.refused == () and waiting(a) == 2
    with a.desk.db.transaction() as s:
        assert outbox.waiting_of_others(s, b.actor.login) == {a.actor.login: 2}
    assert live_server.count("tickets", "uuid = :u", u=key) == 0
    # A comes back and sends them; then B may log in here
    a.engine.actor = a.actor.login
    assert a.sync().pushed == 2 and waiting(a) == 0
    assert live_server.count("tickets", "uuid = :u", u=key) == 1
    # B logs in at the same workstation (it is handed over) and syncs as B from now on
    session = log_in(a.desk.db, TokenStore(), live_server.url, b.actor.login, PASSWORD)
    a.http.token, a.engine.actor = session.login.token, b.actor.login
    assert services.add_comment(a.desk, b.actor, a.ticket(key).id, "note", "Принял смену").ok
    report = a.engine.sync_once(check=False)
    assert (report.pushed, report.refused, report.error) == (1, (), None), report
    assert live_server.count("comments", "text = 'Принял смену'") == 1
