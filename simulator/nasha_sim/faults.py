"""Fault rules: answers, dropped connections, delays and failing tasks, injected on matching /1.0 requests."""
from __future__ import annotations

import copy
import re
import threading

INJECTABLE_STATUSES = (429, 500, 502, 503, 504)
TASK_FINAL_STATUSES = ("ovhError", "customerError", "cancelled")
ACTIONS = ("status", "drop", "delay", "task")


def _check_number(value, name) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{name} must be a number >= 0")


def normalise_rule(rule) -> dict:
    """A rule checked and completed with defaults; ValueError says what is wrong."""
    if not isinstance(rule, dict):
        raise ValueError("each rule must be a JSON object")
    unknown = set(rule) - {"match", "count", "retry_after", *ACTIONS}
    if unknown:
        raise ValueError(f"unknown rule keys: {', '.join(sorted(unknown))}")
    match = rule.get("match", {})
    if not isinstance(match, dict) or set(match) - {"method", "path"}:
        raise ValueError("match must be an object with method and/or path")
    method = match.get("method", "*")
    if method not in ("GET", "POST", "DELETE", "PUT", "*"):
        raise ValueError("match.method must be GET, POST, DELETE, PUT or *")
    path = match.get("path", "")
    if not isinstance(path, str):
        raise ValueError("match.path must be a regular expression string")
    try:
        re.compile(path)
    except re.error as error:
        raise ValueError(f"match.path is not a valid regular expression: {error}") from None
    count = rule.get("count", 1)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ValueError("count must be an integer >= 1 or null (forever)")
    actions = [a for a in ACTIONS if a in rule]
    if len(actions) != 1:
        raise ValueError("a rule needs exactly one of status, drop, delay, task")
    normalised = {"match": {"method": method, "path": path}, "count": count}
    action = actions[0]
    value = rule[action]
    if action == "status":
        if value not in INJECTABLE_STATUSES:
            raise ValueError(f"status must be one of {', '.join(map(str, INJECTABLE_STATUSES))}")
        retry_after = rule.get("retry_after")
        if retry_after is not None:
            _check_number(retry_after, "retry_after")
        normalised.update(status=value, retry_after=retry_after)
    elif "retry_after" in rule:
        raise ValueError("retry_after goes with status only")
    elif action == "drop":
        if value not in ("before", "after"):
            raise ValueError("drop must be 'before' or 'after'")
        normalised["drop"] = value
    elif action == "delay":
        _check_number(value, "delay")
        normalised["delay"] = value
    else:
        normalised["task"] = _normalise_task_action(value)
    return normalised


def _normalise_task_action(value) -> dict:
    if not isinstance(value, dict):
        raise ValueError("task must be an object")
    if value.get("never_finish") is True and set(value) == {"never_finish"}:
        return {"never_finish": True}
    if set(value) - {"final_status", "details"} or value.get("final_status") not in TASK_FINAL_STATUSES:
        raise ValueError(f"task must be {{\"never_finish\": true}} or {{\"final_status\": one of "
                         f"{', '.join(TASK_FINAL_STATUSES)}, \"details\": text}}")
    details = value.get("details")
    if details is not None and not isinstance(details, str):
        raise ValueError("task.details must be a string")
    return {"final_status": value["final_status"], "details": details}


def action_of(rule: dict) -> dict:
    """What a rule injects, as recorded in the request log."""
    if "status" in rule:
        return {"status": rule["status"], "retry_after": rule["retry_after"]}
    action = next(a for a in ("drop", "delay", "task") if a in rule)
    return {action: copy.deepcopy(rule[action])}


class FaultBook:
    """The active rules, in the order they were added; the first matching rule with hits left applies."""

    def __init__(self):
        self._rules = []
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, rules) -> list:
        if not isinstance(rules, list):
            rules = [rules]
        normalised = [normalise_rule(rule) for rule in rules]
        with self._lock:
            for rule in normalised:
                rule["id"] = self._next_id
                rule["hits"] = 0
                self._next_id += 1
                self._rules.append(rule)
        return copy.deepcopy(normalised)

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def to_list(self) -> list:
        with self._lock:
            return copy.deepcopy(self._rules)

    def _take(self, method: str, path: str, task_rules: bool):
        with self._lock:
            for rule in self._rules:
                if ("task" in rule) != task_rules:
                    continue
                if rule["count"] is not None and rule["hits"] >= rule["count"]:
                    continue
                if rule["match"]["method"] not in ("*", method) or not re.search(rule["match"]["path"], path):
                    continue
                rule["hits"] += 1
                return copy.deepcopy(rule)
        return None

    def take_request_fault(self, method: str, path: str):
        """The rule (status, drop or delay) that hits this request, counted as used; None if none."""
        return self._take(method, path, task_rules=False)

    def take_task_fault(self, method: str, path: str):
        """The task action for the task this write creates, counted as used; None if none."""
        rule = self._take(method, path, task_rules=True)
        return rule["task"] if rule else None
