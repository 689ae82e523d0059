"""The demo desk's reference data: departments from the pack, people and clients drawn with the
seed, and the time slots tickets are created in (two years back from `now`)."""

from __future__ import annotations

import datetime as dt
import random

from opdesk.demo import data as D
from opdesk.demo.reference import DAY, Reference, uid
from opdesk.models.base import stable_id
from opdesk.regulations.checklist import choose_scheme
from opdesk.regulations.pack import Pack
from opdesk.regulations.snapshot import ClientSnap, TicketSnapshot

SPAN_DAYS = 730


def build_reference(pack: Pack, tickets: int, seed: int, now: dt.datetime) -> Reference:
    rng = random.Random(seed)
    now_s = int(now.timestamp())
    span = SPAN_DAYS * DAY - 2 * 3600
    slot = max(span // tickets, 2)
    start = now_s - 3600 - slot * tickets
    ms = start * 1000
    # Departments and people have stable ids (the same in every database); the random draws
    # that once made their ids are still taken, so a seed makes the very desk it made before.
    seq = iter(range(1, 4096))
    for _d in pack.departments:
        uid(ms, next(seq), rng)
    dept_ids = {d.name: stable_id("department", d.id).hex for d in pack.departments}
    outgoing = [(dept_ids[d.name], d.name, d.accusative) for d in pack.departments if d.outgoing]
    people = _people(rng)
    for i in range(1, len(people) + 1):
        uid(ms + 1, i, rng)
    ids = {login: stable_id("person", login).hex for login, *_r in people}
    opp = [(ids[p[0]], p[0]) for p in people if p[3] == "ОПП" and p[2] == "operator"]
    responsible = [(ids[p[0]], p[0], p[3], p[4]) for p in people if p[3] in ("ОЭ", "ТО")]
    person_rows = [(ids[p[0]], p[0], p[1], p[2], dept_ids[p[3]]) for p in people]
    clients = _clients(rng, max(50, tickets // 20), ms + 2)
    themes = [
        (th.name, ttype, sub, product)
        for th in pack.classification.themes
        for ttype, subs in th.subthemes
        for sub in subs
        for product in (th.products if th.product_required else ("",))
    ]
    comment_kinds = {c.kind: c for c in pack.classification.comments}
    callback = comment_kinds["callback_attempt"]
    templates = {t.id: t.text for t in pack.templates.items}
    lists = pack.lists
    return Reference(
        seed=seed,
        tickets=tickets,
        start=start,
        slot=slot,
        now=now_s,
        dept_ids=dept_ids,
        dept_codes={d.name: d.id for d in pack.departments},
        outgoing=outgoing,
        opp=opp,
        responsible=responsible,
        clients=clients,
        categories=tuple(pack.sla.categories),
        priorities=pack.sla.priorities,
        themes=themes,
        paid_cities=frozenset(lists["paid_act_cities"]),
        electronic=frozenset(lists["electronic_confirmation_groups"]),
        verbal_categories=frozenset(lists["verbal_confirmation_categories"]),
        by_performer=frozenset(
            c.name for c in pack.sla.categories.values() if c.resolution_set_by_performer
        ),
        reached=callback.reached,
        not_reached=callback.not_reached,
        person_ids=ids,
        leads=[p[0] for p in people if p[3] == "ОПП" and p[2] == "lead"],
        escalation_reasons=lists["escalation_reasons"],
        unclosable_groups=_unclosable_groups(pack, clients),
        departments=[(dept_ids[d.name], d.id, d.name) for d in pack.departments],
        people=person_rows,
        templates=templates,
    )


def _unclosable_groups(pack: Pack, clients: list[tuple[str, ...]]) -> frozenset[str]:
    """C-08: groups whose own closing scheme the desk has not filled in yet (Сбербанк): their
    outage tickets are resolved but cannot be closed, as the checklist would refuse."""
    groups = {c[4] for c in clients}
    return frozenset(
        g
        for g in groups
        if choose_scheme(
            pack.closing, TicketSnapshot(client=ClientSnap(group=g)), pack.lists
        ).to_fill
    )


def _people(rng: random.Random) -> list[tuple[str, str, str, str, str]]:
    """~50 people: (login, full name, role, department, «Фамилия И.О.»)."""
    plan = [("operator", "ОПП")] * 26 + [("lead", "ОПП")] * 2 + [("operator", "ОЭ")] * 10
    plan += [("operator", "ТО")] * 10 + [("trainer", "ОПП"), ("admin", "ОПП")]
    out: list[tuple[str, str, str, str, str]] = []
    logins: set[str] = set()
    for role, dept in plan:
        woman = rng.random() < 0.55
        surname = rng.choice(D.SURNAMES_M)
        name = rng.choice(D.NAMES_F if woman else D.NAMES_M)
        root = rng.choice(D.PATRONYMIC_ROOTS)
        patronymic = root + ("на" if woman else "ич")
        surname = D.feminine(surname) if woman else surname
        login = base = D.login_of(surname, name)
        n = 1
        while login in logins:
            n += 1
            login = f"{base}{n}"
        logins.add(login)
        short = f"{surname} {name[0]}.{patronymic[0]}."
        out.append((login, f"{surname} {name} {patronymic}", role, dept, short))
    return out


# (category, group, has mobile, city) of the first clients, so even a tiny demo covers the
# cases the closing checklist distinguishes (C-05, C-07, C-08, C-09).
FIXED_CLIENTS = (
    ("VIP", "", True, "Москва"),
    ("Важный", "", True, "Санкт-Петербург"),
    ("обычный", "", False, "Белгород"),
    ("обычный", "Мегафон", True, "Москва"),
    ("VIP", "Вымпелком", True, "Казань"),
    ("Важный", "Энфорта", False, "Самара"),
    ("обычный", "Сбербанк", True, "Москва"),
    ("VIP", "", False, "Белгород"),
)


def _clients(rng: random.Random, count: int, ms: int) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for i in range(count):
        if i < len(FIXED_CLIENTS):
            category, group, has_mobile, city = FIXED_CLIENTS[i]
        else:
            r = rng.random()
            category = "VIP" if r < 0.05 else ("Важный" if r < 0.2 else "обычный")
            g = rng.random()
            group = rng.choice(D.CORPORATE_GROUPS) if g < 0.12 else ""
            group = rng.choice(D.OTHER_GROUPS) if 0.12 <= g < 0.2 else group
            has_mobile = rng.random() < 0.8
            city = rng.choices(D.CITIES, D.CITY_WEIGHTS)[0]
        if group or rng.random() < 0.6:
            form = rng.choice(D.COMPANY_FORMS)
            word = rng.choice(D.COMPANY_WORDS)
            name = f"{group} — филиал {city}" if group else f"{form} «{word}»"
            if form == "ИП" and not group:
                name = f"ИП {rng.choice(D.SURNAMES_M)} {rng.choice(D.NAMES_M)[0]}."
        else:
            woman = rng.random() < 0.5
            surname = rng.choice(D.SURNAMES_M)
            first = rng.choice(D.NAMES_F if woman else D.NAMES_M)
            root = rng.choice(D.PATRONYMIC_ROOTS) + ("на" if woman else "ич")
            name = f"{D.feminine(surname) if woman else surname} {first} {root}"
        mobile = f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-" + (
            f"{rng.randint(10, 99)}"
        )
        landline = f"+7 (4{rng.randint(10, 99)}) {rng.randint(100, 999)}-{rng.randint(10, 99)}-"
        landline += f"{rng.randint(10, 99)}"
        out.append(
            (
                uid(ms, i % 4096, rng),
                name,
                category,
                mobile if has_mobile else "",
                group,
                city,
                mobile if has_mobile and rng.random() < 0.5 else landline,
            )
        )
    return out
