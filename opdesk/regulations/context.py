"""What a section parser needs from the rest of the pack while the pack is being loaded.

Sections refer to each other (a checklist item cites a rule, a condition names a list); the
context resolves such references and reports a dangling one with its key path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from opdesk.pack_reader import Reader
from opdesk.regulations.conditions import Condition, Schema, parse_condition
from opdesk.regulations.rules import Rule


@dataclass
class PackContext:
    rules: Mapping[str, Rule]
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def rule(self, r: Reader, name: str) -> Rule:
        """The rule cited under key `name` (a rule ID such as "C-07")."""
        rule_id = r.text(name)
        return self._lookup(r, name, rule_id)

    def rules_of(self, r: Reader, name: str, default: list[str] | None = None) -> tuple[Rule, ...]:
        """The rules cited under key `name` (a list of rule IDs)."""
        ids = r.text_list(name, default) if default is not None else r.text_list(name)
        return tuple(self._lookup(r, name, rule_id) for rule_id in ids)

    def _lookup(self, r: Reader, name: str, rule_id: str) -> Rule:
        if rule_id not in self.rules:
            raise r.error(
                name,
                f"правило «{rule_id}» не описано в разделе [rules]",
                f"rule {rule_id!r} is not defined in [rules]",
            )
        return self.rules[rule_id]

    def condition(self, r: Reader, name: str, schema: Schema) -> Condition:
        return parse_condition(r, name, schema, self.lists)

    def named_list(self, r: Reader, name: str) -> tuple[str, ...]:
        list_name = r.text(name)
        if list_name not in self.lists:
            raise r.error(
                name, f"нет списка «{list_name}» в [lists]", f"no list {list_name!r} in [lists]"
            )
        return self.lists[list_name]
