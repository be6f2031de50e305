"""The layering rules, checked on the source so they cannot silently erode:

- only `chalicelib/store/` knows keys and items: no key prefix (`CASE#`, `OUTBOX#` …) in a
  string, and no `pk=`/`gsi1pk=`-style keyword or attribute assignment, anywhere else in
  `chalicelib/` or `functions/`;
- `chalicelib/domain/` is pure: it imports nothing from store, integrations, services or api;
- no module grows past 450 lines.

Each checker is tried on a source string with a violation too, so none of them passes whatever
the code says.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEY_PREFIXES = (
    "CASE", "QUEUE", "DAY", "PERSON", "RESCUE", "TRUCK", "OUTBOX", "OPENID", "DELIVERIES", "WEBHOOK", "REF",
    "CLAIM", "CLAIMCLOCK", "INSURER", "DOCUMENT", "EVIDENCE", "PARTY", "AUDIT", "HANDOFF", "RESCUEQ",
    "RESCUEALERT", "TOWGEO", "FLEET", "STAFF", "IDEMPOTENCY", "OAUTHSTATE", "OAUTHCODE", "JOINCODE", "WECHAT",
    "CALENDAR", "PROVISIONAL", "REFERRAL", "SPQUEUE", "SPDAY", "ROOM", "MSG", "ROOMCONN", "WSCONN",
    "MEDPAY", "DUE", "FUND", "FUNDAPP", "FUNDQ", "FUNDESC", "MEDAPPPAY",
    "REVIEW", "MEDIATION", "MEDICAL", "ADMISSION", "QRREDEEMED", "VIDEO", "SESSION",
    "STATS", "REPORT", "COUNT", "TIME",
    "WECHATTOKEN",
    "RESCUEDUE",
    "TOWDENSITY",
    "HOSPADM",
)
# A prefix is the whole upper-case word before '#': `RESCUEQ#` is not `QUEUE#`.
KEY_LITERAL = re.compile(r"(?<![A-Z0-9_])(?:" + "|".join(KEY_PREFIXES) + r")#|LOCALSMS")
KEY_ATTRIBUTES = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"})
OUTER_LAYERS = ("chalicelib.store", "chalicelib.integrations", "chalicelib.services", "chalicelib.api")
MAX_LINES = 450


def _python_files(*folders: str, skip: str | None = None) -> list[Path]:
    files = sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))
    return [path for path in files if skip is None or not path.is_relative_to(ROOT / skip)]


def _where(path: str, line: int, what: str) -> str:
    return f"{path}:{line}: {what}"


def _by_line(found: str) -> tuple[int, str]:
    _, line, what = found.split(":", 2)
    return int(line), what


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings or other bare string statements: prose, not keys."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def _assigned_attributes(node: ast.AST) -> Iterator[ast.Attribute]:
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    while targets:
        target = targets.pop()
        if isinstance(target, ast.Tuple | ast.List):
            targets.extend(target.elts)
        elif isinstance(target, ast.Attribute):
            yield target


def key_violations(source: str, path: str) -> list[str]:
    """Key prefixes in strings (f-string parts included) and key attributes set or passed."""
    tree = ast.parse(source, filename=path)
    prose = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            match = KEY_LITERAL.search(node.value)
            if match:
                found.append(_where(path, node.lineno, f"key prefix {match.group()!r} in a string"))
        elif isinstance(node, ast.keyword) and node.arg in KEY_ATTRIBUTES:
            found.append(_where(path, node.lineno, f"key keyword {node.arg}="))
        for attribute in _assigned_attributes(node):
            if attribute.attr in KEY_ATTRIBUTES:
                found.append(_where(path, attribute.lineno, f"key attribute .{attribute.attr} assigned"))
    return sorted(found, key=_by_line)


def _imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        # `from chalicelib import store` imports the package as surely as `import chalicelib.store`.
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return []


def domain_import_violations(source: str, path: str) -> list[str]:
    """Imports of an outer layer, wherever they are (TYPE_CHECKING blocks and functions too)."""
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        for module in _imported_modules(node):
            layer = next((layer for layer in OUTER_LAYERS if module == layer or module.startswith(f"{layer}.")), None)
            if layer:
                found.append(_where(path, node.lineno, f"imports {module} (the domain must not depend on {layer})"))
                break
    return sorted(found, key=_by_line)


def length_violations(source: str, path: str) -> list[str]:
    lines = len(source.splitlines())
    return [_where(path, lines, f"{lines} lines, more than {MAX_LINES}")] if lines > MAX_LINES else []


def _check_all(checker, files: list[Path]) -> list[str]:
    return [found for path in files for found in checker(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]


# --- the rules, on this code ---------------------------------------------------------------------


def test_only_the_store_spells_keys_or_builds_items():
    found = _check_all(key_violations, _python_files("chalicelib", "functions", skip="chalicelib/store"))
    assert not found, "keys outside chalicelib/store:\n" + "\n".join(found)


def test_the_domain_imports_no_outer_layer():
    found = _check_all(domain_import_violations, _python_files("chalicelib/domain"))
    assert not found, "\n".join(found)


def test_no_module_is_longer_than_450_lines():
    found = _check_all(length_violations, _python_files("chalicelib", "infra"))
    assert not found, "\n".join(found)


# --- the checkers catch what they are for --------------------------------------------------------


def test_given_key_prefixes_and_key_keywords_when_checked_then_each_reported_with_its_line():
    source = '''
"""A docstring may say CASE#<id>: prose is not a key."""
def load(case_id, openid):
    query(f"CASE#{case_id}")
    query("RESCUEQ#A#OPEN")
    item = PartyItem(pk=case_id, sk="#PARTY")
    party.gsi2pk = party.gsi2sk = f"x{openid}"
    box = "LOCALSMS"
    ok = "#CASE", "PROCESS#1", "case#1"
'''
    found = key_violations(source, "svc.py")
    assert found == [
        "svc.py:4: key prefix 'CASE#' in a string",
        "svc.py:5: key prefix 'RESCUEQ#' in a string",
        "svc.py:6: key keyword pk=",
        "svc.py:6: key keyword sk=",
        "svc.py:7: key attribute .gsi2pk assigned",
        "svc.py:7: key attribute .gsi2sk assigned",
        "svc.py:8: key prefix 'LOCALSMS' in a string",
    ]


def test_given_outer_layer_imports_anywhere_when_checked_then_each_reported_with_its_line():
    source = '''
from typing import TYPE_CHECKING
from chalicelib.domain import ids
if TYPE_CHECKING:
    from chalicelib.integrations.wechat import Inbound
import chalicelib.store.cases
from chalicelib import services
def later():
    from chalicelib.api import routing
from chalicelib.storehouse import nothing
'''
    found = domain_import_violations(source, "domain/x.py")
    assert [line.split(": ", 1)[0] for line in found] == ["domain/x.py:5", "domain/x.py:6", "domain/x.py:7", "domain/x.py:9"]
    assert "chalicelib.integrations.wechat" in found[0]


def test_given_a_long_module_when_checked_then_reported_and_a_short_one_not():
    too_long = MAX_LINES + 1
    assert length_violations("x = 1\n" * too_long, "big.py") == [f"big.py:{too_long}: {too_long} lines, more than {MAX_LINES}"]
    assert length_violations("x = 1\n" * MAX_LINES, "small.py") == []
