"""Only bot/cases.py changes a case: every other module asks it (issue: one writer for a case)."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import inspect

from bot.config import PROJECT_ROOT
from bot.store.models import Case

WRITER = PROJECT_ROOT / "bot" / "cases.py"
CASE_FIELDS = {attribute.key for attribute in inspect(Case).attrs}


def modules() -> list[Path]:
    return sorted(
        path
        for folder in ("bot", "actions")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if path != WRITER and "store" not in path.relative_to(PROJECT_ROOT).parts
    )


def case_writes(tree: ast.AST) -> list[str]:
    """`<…case…>.<field> = …`, `setattr(<…case…>, …)` and `update(Case)`, as source lines."""
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if is_case_field(element):
                    found.append(f"line {node.lineno}: {ast.unparse(element)} =")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            first = node.args[0] if node.args else None
            if node.func.id == "setattr" and first is not None and "case" in ast.unparse(first).lower():
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
            if node.func.id == "update" and first is not None and ast.unparse(first) == "Case":
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def is_case_field(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in CASE_FIELDS
        and "case" in ast.unparse(node.value).lower()
    )


def test_no_module_but_bot_cases_changes_a_case():
    writes = {
        str(path.relative_to(PROJECT_ROOT)): found
        for path in modules()
        if (found := case_writes(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert writes == {}


def test_the_check_sees_a_write_to_a_case():
    source = "case.status = 'cerrado'\nfresh_case.level, x = 3, 1\nsetattr(case, 'team', t)\nupdate(Case)"
    assert len(case_writes(ast.parse(source))) == 4
    assert case_writes(ast.parse("survey.status = 'done'\nnotice.level = 2")) == []
