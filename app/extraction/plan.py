"""The model's operations checked against the kinds, the switches and the memories it saw."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from app.domain.items import StoredItem
from app.extraction.kinds import Kind
from app.memories.values import DEFAULT_KIND


@dataclass
class Planned:
    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any] | None  # None deletes


@dataclass
class Plan:
    inserts: list[Planned] = field(default_factory=list)
    updates: list[Planned] = field(default_factory=list)
    deletes: list[Planned] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[Any] = field(default_factory=list)  # the operations that passed, as sent

    def reject(self, operation: Any, reason: str) -> None:
        self.rejected.append({"operation": operation, "reason": reason})


def plan_operations(arguments: dict[str, Any], namespace: tuple[str, ...],
                    ids: dict[str, StoredItem], kinds: tuple[Kind, ...],
                    actions: tuple[str, ...]) -> Plan:
    plan = Plan()
    by_name = {k.name: k for k in kinds}
    touched: set[str] = set()
    operations = arguments.get("operations")
    if not isinstance(operations, list):
        plan.reject(arguments, "the tool call has no 'operations' list")
        return plan
    for op in operations:
        before = len(plan.rejected)
        _plan_one(plan, op, namespace, ids, by_name, actions, touched)
        if len(plan.rejected) == before:
            plan.accepted.append(op)
    return plan


def _plan_one(plan: Plan, op: Any, namespace: tuple[str, ...], ids: dict[str, StoredItem],
              by_name: dict[str, Kind], actions: tuple[str, ...], touched: set[str]) -> None:
    action = op.get("action") if isinstance(op, dict) else None
    if action not in ("insert", "update", "delete"):
        plan.reject(op, "action must be insert, update or delete")
    elif action not in actions:
        plan.reject(op, f"{action} is switched off for this extraction")
    elif action == "insert":
        _insert(plan, op, namespace, by_name, ids, touched)
    else:
        _change(plan, op, action, ids, by_name, touched)


def _content(op: dict[str, Any], kind: Kind) -> Any:
    content = op.get("content")
    if isinstance(content, str) and kind.name == DEFAULT_KIND:
        return {"content": content}  # models often send a plain sentence
    return kind.clean(content)


def _insert(plan: Plan, op: dict, namespace: tuple[str, ...], by_name: dict[str, Kind],
            ids: dict[str, StoredItem], touched: set[str]) -> None:
    # With one kind, a model that leaves `kind` out clearly means that one.
    name = op.get("kind") or (next(iter(by_name)) if len(by_name) == 1 else None)
    kind = by_name.get(name) if name is not None else None
    if kind is None:
        plan.reject(op, f"unknown kind {op.get('kind')!r}; known: {', '.join(by_name)}")
        return
    content = _content(op, kind)
    if errors := kind.errors(content):
        plan.reject(op, f"content does not match kind {kind.name}: {'; '.join(errors)}")
        return
    value = {"kind": kind.name, "content": content}
    if kind.single and _merge_single(plan, kind, value):
        return
    if kind.single:
        # A single-item kind that already exists is updated in place, never duplicated.
        existing = next((i for i, item in ids.items() if item.value.get("kind") == kind.name),
                        None)
        if existing is not None:
            if existing in touched:
                plan.reject(op, f"{existing} is already changed by another operation")
                return
            touched.add(existing)
            item = ids[existing]
            plan.updates.append(Planned(item.namespace, item.key, value))
            return
    plan.inserts.append(Planned(namespace, str(uuid.uuid4()), value))


def _change(plan: Plan, op: dict, action: str, ids: dict[str, StoredItem],
            by_name: dict[str, Kind], touched: set[str]) -> None:
    ident = op.get("id")
    item = ids.get(ident) if isinstance(ident, str) else None
    if item is None or not isinstance(ident, str):
        plan.reject(op, f"id {ident!r} is not one of the memories shown")
        return
    if ident in touched:
        plan.reject(op, f"{ident} is already changed by another operation")
        return
    touched.add(ident)
    if action == "delete":
        plan.deletes.append(Planned(item.namespace, item.key, None))
        return
    kind_name: str = (item.value["kind"] if isinstance(item.value.get("kind"), str)
                      else DEFAULT_KIND)
    if op.get("kind") not in (None, kind_name):
        touched.discard(ident)
        plan.reject(op, f"{ident} is a {kind_name} memory, not {op.get('kind')}")
        return
    kind = by_name.get(kind_name)
    content = _content(op, kind) if kind else op.get("content")
    errors = kind.errors(content) if kind else ([] if isinstance(content, dict) else
                                                ["content must be an object"])
    if errors:
        touched.discard(ident)
        plan.reject(op, f"content does not match kind {kind_name}: {'; '.join(errors)}")
        return
    plan.updates.append(Planned(item.namespace, item.key, {"kind": kind_name,
                                                           "content": content}))


def _merge_single(plan: Plan, kind: Kind, value: dict[str, Any]) -> bool:
    """A second insert of a single-item kind in one answer completes the first (one profile,
    later fields win) instead of storing another item."""
    for planned in (*plan.inserts, *plan.updates):
        if planned.value and planned.value.get("kind") == kind.name:
            first, second = planned.value["content"], value["content"]
            merged = {**first, **second} if isinstance(first, dict) and \
                isinstance(second, dict) else second
            if kind.errors(merged):
                merged = second  # valid on its own (checked before), unlike the mix
            planned.value = {"kind": kind.name, "content": merged}
            return True
    return False
