"""`apply_op` reads untrusted ops (the server runs what workstations push): a bad op — unknown
name, a ticket or person this database does not know, an argument missing, extra or of the
wrong type, an op applied twice — is a clear bilingual error and writes nothing; well-typed
nonsense is answered by the commands (a refusal), never by a traceback."""

from __future__ import annotations

import copy
import datetime as dt
import json
import typing
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opdesk import services
from opdesk.clock import FixedClock
from opdesk.errors import EngineError
from opdesk.models import uuid7
from opdesk.regulations.questions import Question
from opdesk.services import CallDraft, ClosureDraft, CommandResult, SparePart
from opdesk.services.desk import Desk
from opdesk.services.fields import EDITABLE_FIELDS
from opdesk.services.op_args import MAX_ITEMS, MAX_TEXT, OpError
from opdesk.services.ops import OPS, apply_op
from tests.services.conftest import ENGINEER, OPERATOR
from tests.services.ops_support import dump, ops

PHONE = "+7 916 123-45-67"
Args = dict[str, Any]


def ok(result: CommandResult) -> CommandResult:
    assert result.ok, result.message()
    return result


@pytest.fixture
def recorded(desk: Desk, clock: FixedClock) -> dict[str, Args]:
    """A desk with some work on it, and the latest op of each name it recorded."""
    client = services.add_client(desk, "ООО Ромашка", mobile="+79161234567")
    made = ok(services.create_ticket(desk, OPERATOR, process="outage", client_id=client))
    tid = made.created_id
    assert tid is not None
    ok(services.take(desk, ENGINEER, tid))
    ok(services.add_comment(desk, OPERATOR, tid, "note", "Проверяем", tags=("a",)))
    ok(services.set_fields(desk, ENGINEER, tid, paid=True, arm_processed_at=clock.now()))
    ok(services.transition(desk, ENGINEER, tid, "resolve"))
    ok(services.fill_closure(desk, ENGINEER, tid, cause="Обрыв", spare_parts=[SparePart("x", 1)]))
    ok(services.save_closing(desk, OPERATOR, tid, ClosureDraft(cause="Обрыв кабеля")))
    portal = ok(services.create_ticket(desk, OPERATOR, channel="portal")).created_id
    assert portal is not None
    ok(services.take(desk, OPERATOR, portal))
    ok(services.escalate(desk, OPERATOR, portal, "new_circumstances", "Новое"))
    q = Question("Связь и интернет", "Жалоба", "Нет связи", compensation="компенсация")
    ok(services.register_call(desk, OPERATOR, CallDraft(PHONE, (q,), client)))
    return {name: args for name, _row, args in ops(desk)}


def edit(**changes: Any) -> Callable[[Args], Any]:
    """The op's arguments with `changes` (a value of DROP removes the argument); a dotted key
    reaches into the draft or a list (`draft.questions.0.main`)."""

    def apply(args: Args) -> Args:
        out = copy.deepcopy(args)
        for path, value in changes.items():
            *parents, last = path.split(".")
            where: Any = out
            for part in parents:
                where = where[int(part)] if isinstance(where, list) else where[part]
            if value is DROP:
                del where[last]
            else:
                where[last] = value
        return out

    return apply


DROP = object()
NO_TICKET = str(uuid.UUID(int=42))

# label: (op name, how the recorded op of that name (or of `take`) is spoiled, words the
# English message must contain — the argument it names)
BAD: dict[str, tuple[Any, Callable[[Args], Any], str]] = {
    "unknown name": ("drop_tables", edit(), "unknown op"),
    "name not a string": (["take"], edit(), "unknown op"),
    "args a list": ("take", lambda a: [a], "args: expected an object"),
    "args null": ("take", lambda a: None, "args: expected an object"),
    "missing ticket": ("take", edit(ticket=DROP), "missing arguments ticket"),
    "missing seed": ("take", edit(id_seed=DROP), "missing arguments id_seed"),
    "extra argument": ("take", edit(owner="smirnova"), "unexpected arguments owner"),
    "unknown ticket": ("take", edit(ticket=NO_TICKET), f"no ticket {NO_TICKET}"),
    "local integer id": ("take", edit(ticket=1), "args.ticket: expected a canonical UUID"),
    "uuid in capitals": ("take", lambda a: {**a, "ticket": a["ticket"].upper()}, "args.ticket"),
    "uuid without dashes": (
        "take",
        lambda a: {**a, "ticket": a["ticket"].replace("-", "")},
        "args.ticket",
    ),
    "unknown actor": ("take", edit(actor="mallory"), "unknown person 'mallory'"),
    "actor not a string": ("take", edit(actor=["ivanova"]), "args.actor: expected a string"),
    "seed not a uuid": ("take", edit(id_seed="seed"), "args.id_seed"),
    "reason a number": ("escalate", edit(reason=1), "args.reason: expected a string"),
    "comment null": ("escalate", edit(comment=None), "args.comment: expected a string"),
    "input a list value": ("transition", edit(**{"input": {"reason": ["a"]}}), "args.input.reason"),
    "input not an object": ("transition", edit(input="reason"), "args.input: expected an object"),
    "field not editable": (
        "set_fields",
        edit(**{"fields.status": "closed"}),
        "args.fields.status: not an editable field",
    ),
    "flag as text": (
        "set_fields",
        edit(**{"fields.paid": "true"}),
        "args.fields.paid: expected true or false",
    ),
    "flag for a number": (
        "set_fields",
        edit(**{"fields.resolution_limit_minutes": True}),
        "args.fields.resolution_limit_minutes",
    ),
    "number out of range": (
        "set_fields",
        edit(**{"fields.resolution_limit_minutes": 2**40}),
        "integer out of range",
    ),
    "moment without zone": (
        "set_fields",
        edit(**{"fields.arm_processed_at": "2026-11-16T09:00"}),
        "the moment has no time zone",
    ),
    "tags a string": ("add_comment", edit(tags="a,b"), "args.tags: expected a list"),
    "reached as text": ("add_comment", edit(reached="true"), "args.reached"),
    "text too long": ("add_comment", edit(text="x" * (MAX_TEXT + 1)), "args.text: string longer"),
    "quantity missing": (
        "fill_closure",
        edit(spare_parts=[{"name": "x"}]),
        "args.spare_parts[0]: missing arguments quantity",
    ),
    "quantity a float": (
        "fill_closure",
        edit(spare_parts=[{"name": "x", "quantity": 1.5}]),
        "args.spare_parts[0].quantity: expected an integer",
    ),
    "moment in words": ("fill_closure", edit(completed_at="вчера"), "args.completed_at"),
    "too many performers": (
        "fill_closure",
        edit(performers=["x"] * (MAX_ITEMS + 1)),
        "args.performers: more than",
    ),
    "draft extra field": (
        "save_closing",
        edit(**{"draft.signed": True}),
        "args.draft: unexpected arguments signed",
    ),
    "confirmation half": (
        "save_closing",
        edit(**{"draft.confirmation": {"kind": "verbal"}}),
        "args.draft.confirmation: missing arguments by, at",
    ),
    "created ticket exists": ("create_ticket", edit(), "already exists"),
    "priority a number": ("create_ticket", edit(ticket=str(uuid7()), priority=2), "args.priority"),
    "one uuid for two requests": (
        "register_call",
        lambda a: {**a, "tickets": [str(uuid7())]},
        "the call makes 2 requests, 1 uuids given",
    ),
    "repeated uuid": (
        "register_call",
        lambda a: {**a, "tickets": [NO_TICKET, NO_TICKET]},
        "args.tickets: a uuid is repeated",
    ),
    "call tickets exist": ("register_call", edit(), "already exists"),
    "question flag as text": (
        "register_call",
        edit(**{"draft.questions.0.main": "yes"}),
        "args.draft.questions[0].main",
    ),
}


@pytest.mark.parametrize("label", BAD)
def test_a_bad_op_is_a_clear_error_and_writes_nothing(
    desk: Desk, recorded: dict[str, Args], label: str
) -> None:
    name, spoil, words = BAD[label]
    template = recorded.get(name) if isinstance(name, str) else None
    args = spoil(template if template is not None else recorded["take"])
    before = dump(desk)
    with pytest.raises(OpError) as raised:
        apply_op(desk, name, args)
    error = raised.value
    assert isinstance(error, EngineError)
    assert words in error.message_en, error.message_en
    assert any("а" <= ch <= "я" for ch in error.message_ru.lower()), error.message_ru
    assert dump(desk) == before


def test_an_op_applied_twice_is_refused_the_second_time(
    desk: Desk, recorded: dict[str, Args]
) -> None:
    """The second run would make rows with the ids the first one made (same id_seed): the
    database refuses them and the op is reported, with nothing written."""
    before = dump(desk)
    with pytest.raises(OpError, match="already exist"):
        apply_op(desk, "add_comment", recorded["add_comment"])
    assert dump(desk) == before


def test_the_person_comes_from_the_database_not_the_op(
    desk: Desk, recorded: dict[str, Args]
) -> None:
    """The op names a login only: role and department are this database's (a pushed op cannot
    make an operator a lead)."""
    made = ok(services.create_ticket(desk, OPERATOR, channel="portal")).created_id
    assert made is not None
    take = ops(desk)[-1][2]
    args = {"actor": "smirnova", "ticket": take["ticket"], "id_seed": str(uuid7())}
    result = apply_op(desk, "take", args)
    assert result.ok
    with desk.db.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT actor, department FROM events ORDER BY at DESC, id DESC LIMIT 1"
        ).one()
    assert tuple(row) == ("smirnova", "ОПП")


# -- well-typed nonsense: refused or a clear error, never a crash ------------------------------


def _pool(desk: Desk) -> list[str]:
    """Words the commands know (actions, statuses, departments, kinds, templates, themes…) and
    a few they do not: random text alone would rarely get past the first check."""
    pack = desk.pack
    words = {"", " ", "x", "explode", "phone", "email", "portal", "cabinet", "verbal"}
    words |= {"electronic", "Обычный", "Срочный", "Хз", "ОПП", "tech", "opp", "Погода"}
    for process in pack.processes.values():
        words |= {process.id, *(t.action for t in process.transitions), *process.statuses}
    words |= {d.id for d in pack.departments.items} | {d.name for d in pack.departments.items}
    words |= {k.kind for k in pack.classification.comments}
    words |= {t.id for t in pack.templates.items} | set(pack.sla.categories)
    words |= set(pack.lists.get("escalation_reasons", ())) | {"monitoring", "unreachable"}
    for theme in pack.classification.themes:
        words |= {theme.name, *theme.products[:2]}
        for kind in pack.classification.types:
            words |= {kind, *theme.subthemes_of(kind)[:2]}
    return sorted(words)


def _values(hint: Any, name: str, words: list[str], tickets: list[str]) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if name == "actor":
        return st.sampled_from(["ivanova", "sidorov", "smirnova", "nobody"])
    if name == "ticket" and hint is uuid.UUID:
        return st.one_of(st.sampled_from(tickets), st.uuids().map(str))
    if name == "fields":
        keys = st.sampled_from([*EDITABLE_FIELDS, "status"])
        moment = st.just("2026-11-16T09:00:00+03:00")
        value = st.one_of(st.sampled_from(words), st.booleans(), st.integers(-5, 600), moment)
        return st.dictionaries(keys, st.one_of(value, st.none()), max_size=3)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        return st.one_of(*(_values(a, name, words, tickets) for a in args))
    if origin is tuple:
        return st.lists(_values(args[0], name, words, tickets), max_size=3)
    if origin is dict:
        return st.dictionaries(st.sampled_from(["reason", "comment", "history_reviewed"]),
                               _values(args[1], name, words, tickets), max_size=3)  # fmt: skip
    if hint is type(None):
        return st.none()
    if hint is str:
        return st.one_of(st.sampled_from(words), st.text(max_size=12))
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(-3, 10**6)
    if hint is uuid.UUID:
        return st.uuids().map(str)
    if hint is dt.datetime:
        zone = st.just(dt.UTC)
        moments = st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 1, 1), timezones=zone)
        return moments.map(dt.datetime.isoformat)
    hints = typing.get_type_hints(hint)
    return st.fixed_dictionaries(
        {f: _values(hints[f], f, words, tickets) for f in hint.__dataclass_fields__}
    )


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_well_typed_nonsense_is_refused_or_a_clear_error(
    desk: Desk, recorded: dict[str, Args], data: st.DataObject
) -> None:
    tickets = sorted({json.dumps(a.get("ticket")) for a in recorded.values()} - {"null"})
    tickets = [json.loads(t) for t in tickets]
    name = data.draw(st.sampled_from(sorted(OPS)))
    args = data.draw(_values(OPS[name].args, "", _pool(desk), tickets))
    try:
        result = apply_op(desk, name, args)
    except EngineError as error:  # OpError included: bilingual, named
        assert error.message_ru and error.message_en
    else:
        assert isinstance(result, CommandResult)
        assert result.ok or result.reasons
