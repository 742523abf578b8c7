"""One owner per rule: an SKP's status changes only in the use-case layer (bot/usecases). The
check reads the source: an assignment of an SkpStatus to `.status`, an UPDATE setting it, or a
new row created in another state than a draft, anywhere else, fails this test."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWNER = ROOT / "bot" / "usecases"
SCANNED = (ROOT / "bot", ROOT / "conversations")


def _mentions_status(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id == "SkpStatus":
            return True
        if isinstance(sub, ast.Attribute) and sub.attr in ("SkpStatus", "next_status"):
            return True
    return False


def _is_draft(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "DRAFT"


def status_changes(source: str, filename: str = "<source>") -> list[str]:
    """Places in `source` that set an SKP's status."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if value is not None and _mentions_status(value):
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr == "status":
                        found.append(f"{filename}:{node.lineno} assigns .status")
        elif isinstance(node, ast.keyword) and node.arg == "status":
            if _mentions_status(node.value) and not _is_draft(node.value):
                found.append(f"{filename}:{node.value.lineno} sets status= in a call")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "status"
                    and _mentions_status(value)
                    and not _is_draft(value)
                ):
                    found.append(f"{filename}:{value.lineno} sets 'status' in a dict")
    return found


def test_the_check_sees_a_status_change() -> None:
    assert status_changes("skp.status = SkpStatus.AGREED")
    assert status_changes("update(Skp).values(status=SkpStatus.SET)")
    assert status_changes("values = {'status': SkpStatus.SIGNED}")
    assert status_changes("row.status = contract.next_status(a, row.status)")
    assert not status_changes("Skp(status=SkpStatus.DRAFT)")
    assert not status_changes("if skp.status is SkpStatus.SET: pass")
    assert not status_changes("report.status = ReportStatus.RESOLVED")


def test_only_the_use_cases_change_an_skp_status() -> None:
    offenders = []
    for folder in SCANNED:
        for path in sorted(folder.rglob("*.py")):
            if OWNER in path.parents:
                continue
            offenders += status_changes(
                path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
            )
    assert offenders == []
    owned = [
        change
        for path in sorted(OWNER.rglob("*.py"))
        for change in status_changes(path.read_text(encoding="utf-8"), path.name)
    ]
    assert owned, "the use cases must be where statuses change"
