"""``make mutate``: mutation testing of the core modules with cosmic-ray.

cosmic-ray mutates the syntax tree, decorators and decorator arguments
included (``@transition(...)``, ``@condition(...)``, ``@transaction.atomic``,
``@property``), which is most of this code. Each core module is its own
session; each mutant runs only the fast unit tests of the layers that use
the module (never e2e, never the view tests), stops at the first failure and
has a timeout.

The run happens in a copy of the project (``MUTATE_DIR``, default
``/tmp/console-mutate``): a mutant is never on disk where someone works, and
an interrupted run leaves the sources alone. Sessions are kept there, so a
second run resumes where the first stopped; ``--rerun-survivors`` copies the
current tests over and runs the surviving mutants again (a killed mutant
stays killed: tests only get added).

    python -m tools.mutate [--module apps/orders/models.py ...] [--rerun-survivors]
    python -m tools.mutate --report      # scores and survivors of the last run
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("MUTATE_DIR", "/tmp/console-mutate"))
TIMEOUT = float(os.environ.get("MUTATE_TIMEOUT", "90"))

ORDERS = "apps/orders/tests/"
MARKETS = "apps/markets/tests/"
CATALOG = "apps/catalog/tests/"

# Module -> the unit tests that exercise it, most targeted first (pytest -x
# stops at the first failure, so a killed mutant costs little).
MODULES: dict[str, list[str]] = {
    "apps/catalog/models.py": [
        f"{CATALOG}test_limits.py",
        f"{CATALOG}test_models.py",
        f"{CATALOG}test_selectors.py",
        f"{CATALOG}test_api.py",
        f"{CATALOG}test_services.py",
    ],
    "apps/catalog/services.py": [f"{CATALOG}test_limits.py", f"{CATALOG}test_services.py"],
    # Selectors are read by views, the dashboard and the palette; their own
    # tests (test_selectors.py) pin them without a request.
    "apps/catalog/selectors.py": [f"{CATALOG}test_selectors.py"],
    "apps/markets/models.py": [
        f"{MARKETS}test_rules.py",
        f"{MARKETS}test_models.py",
        f"{MARKETS}test_selectors.py",
        f"{MARKETS}test_services.py",
        "apps/core/tests/",
    ],
    "apps/markets/selectors.py": [f"{MARKETS}test_selectors.py", f"{MARKETS}test_editing.py"],
    "apps/orders/selectors.py": [
        f"{ORDERS}test_selectors.py",
        f"{ORDERS}test_money.py",
        f"{ORDERS}test_figures.py",
    ],
    # The dashboard's figures, kept by Order.save (orders/figures.py).
    "apps/orders/figures.py": [
        f"{ORDERS}test_figures.py",
        f"{ORDERS}test_selectors.py",
    ],
    "apps/core/transitions.py": [
        "apps/core/tests/",
        f"{MARKETS}test_transitions.py",
        f"{MARKETS}test_models.py",
        f"{ORDERS}test_models.py",
        f"{ORDERS}test_payment_states.py",
        f"{MARKETS}test_rules.py",
        f"{MARKETS}test_services.py",
        f"{ORDERS}test_services.py",
        f"{ORDERS}test_refunds.py",
    ],
    "apps/orders/models.py": [
        f"{ORDERS}test_money.py",
        f"{ORDERS}test_models.py",
        f"{ORDERS}test_payment_states.py",
        f"{ORDERS}test_selectors.py",
        f"{ORDERS}test_refunds.py",
        f"{ORDERS}test_limits.py",
        f"{ORDERS}test_services.py",
        f"{ORDERS}test_transactions.py",
        f"{ORDERS}test_payments.py",
        f"{ORDERS}test_search.py",
        f"{ORDERS}test_figures.py",
        f"{MARKETS}test_transitions.py",  # the transitions' declarations, read
    ],
    # The sandbox gateway: what every charge and refund of the tests is told.
    "apps/orders/payments.py": [
        f"{ORDERS}test_payments.py",
        f"{ORDERS}test_refunds.py",
        f"{ORDERS}test_services.py",
    ],
    # The lead engineer changes these last: they run last.
    "apps/markets/services.py": [
        f"{MARKETS}test_rules.py",
        f"{MARKETS}test_services.py",
        f"{MARKETS}test_editing.py",
        f"{MARKETS}test_notifications.py",  # record_creator_email
    ],
    **{
        f"apps/orders/services/{part}.py": [
            f"{ORDERS}test_refunds.py",
            f"{ORDERS}test_limits.py",
            f"{ORDERS}test_transactions.py",
            f"{ORDERS}test_services.py",
            f"{ORDERS}test_payment_states.py",
            f"{ORDERS}test_money.py",
            f"{ORDERS}test_purge.py",
            f"{ORDERS}test_concurrency.py",
        ]
        for part in ("placing", "payments", "fulfilment", "_common")
    },
    # The email job and the charging notes are run by the task worker.
    "apps/orders/services/reactions.py": [
        f"{ORDERS}test_services.py",
        f"{ORDERS}test_transactions.py",
        f"{ORDERS}test_money.py",  # the services' signatures and annotations
        f"{ORDERS}test_background_work.py",
    ],
}

# Operators left out, and why (docs/testing.md says the same):
# - an arithmetic or bitwise operator replaced by **, //, %, <<, >> or ^ is
#   killed by the same tests as its replacement by +, -, *, / or & and only
#   multiplies the run time (cosmic-ray makes 11 replacements of each);
# - ``~`` replaced by unary ``+``/``-`` on a ``Q`` is a TypeError at import:
#   always killed, by every test, and it tells nothing.
EXCLUDED_OPERATORS = [
    r"core/ReplaceBinaryOperator_.*_(Pow|FloorDiv|Mod|RShift|LShift|BitXor)$",
    r"core/ReplaceBinaryOperator_(Pow|FloorDiv|Mod|RShift|LShift|BitXor|BitAnd)_",
    r"core/ReplaceUnaryOperator_Invert_(UAdd|USub)$",
]


@dataclass(frozen=True)
class Equivalent:
    """A surviving mutant that behaves exactly like the original, and why.

    Named by what survives a refactor: the module, the operator and ``text``,
    a piece of the source line the mutant is on (stripped; it must be found
    in that line). Line numbers move with every edit above; the text does
    not, and when the line itself changes the report says the entry is stale
    instead of silently matching another line. ``occurrence`` picks one
    mutant when a line has several of the operator: the n-th from the left
    (1-based; a number mutant counts twice, +1 then -1).
    """

    module: str
    operator: str
    text: str
    why: str
    occurrence: int | None = None


SAME_DECORATOR = (
    "declared[-1] instead of declared[0]: every django-fsm Transition of one method "
    "comes from its one @transition decorator (one per source) and shares its "
    "custom= and permission=, so the last is the first."
)

# Mutants that cannot be killed because no behaviour differs; docs/testing.md
# lists them with the same explanation. The orders services entries were
# found on the single apps/orders/services.py and carried over to the
# package's modules by their text: they are checked again when those run.
EQUIVALENTS: list[Equivalent] = [
    Equivalent(
        "apps/orders/payments.py",
        "core/ReplaceComparisonOperator_Is_Eq",
        "return self.outcome is Outcome.SUCCEEDED",
        "A GatewayResult's outcome is always an Outcome member (the adapters build it "
        "from the enum): `==` and `is` agree on members.",
    ),
    Equivalent(
        "apps/orders/payments.py",
        "core/ReplaceComparisonOperator_Is_Eq",
        "if outcome is Outcome.SUCCEEDED:",
        "outcome is one of TOKEN_OUTCOMES', CENT_OUTCOMES' or Outcome.SUCCEEDED, all "
        "Outcome members: `==` and `is` agree on them.",
    ),
    Equivalent(
        "apps/core/transitions.py",
        "core/NumberReplacer",
        "return declared[0].custom if declared else None",
        SAME_DECORATOR,
        occurrence=2,
    ),
    Equivalent(
        "apps/core/transitions.py",
        "core/NumberReplacer",
        "if not declared or not isinstance(declared[0].permission, str):",
        SAME_DECORATOR,
        occurrence=2,
    ),
    Equivalent(
        "apps/core/transitions.py",
        "core/NumberReplacer",
        'return declared[0].custom.get("label", name.title()), declared[0].permission',
        SAME_DECORATOR,
        occurrence=4,
    ),
    Equivalent(
        "apps/core/transitions.py",
        "core/NumberReplacer",
        "if not declared[0].has_perm(instance, actor):",
        SAME_DECORATOR,
        occurrence=2,
    ),
    Equivalent(
        "apps/core/transitions.py",
        "core/NumberReplacer",
        "transition = matching[0]",
        "matching[-1] instead of matching[0]: the Transitions of one method are one "
        "per source, so at most one leaves from the current state: matching has one "
        "element.",
        occurrence=2,
    ),
    Equivalent(
        "apps/core/transitions.py",
        "core/ReplaceComparisonOperator_Eq_Is",
        'return source == state or source == "*" or (source == "+" and state != transition.target)',
        "`source is '*'`: CPython keeps one object per one-character string, so `is` "
        "and `==` agree on it.",
        occurrence=2,
    ),
    Equivalent(
        "apps/core/transitions.py",
        "core/ReplaceComparisonOperator_Eq_Is",
        'return source == state or source == "*" or (source == "+" and state != transition.target)',
        "`source is '+'`: CPython keeps one object per one-character string, so `is` "
        "and `==` agree on it.",
        occurrence=3,
    ),
    Equivalent(
        "apps/core/transitions.py",
        "core/ReplaceComparisonOperator_Eq_LtE",
        'return source == state or source == "*" or (source == "+" and state != transition.target)',
        "`source <= '*'` instead of `source == '*'`: no source sorts before '*': the other "
        "sources are '+' (after it) and state values, lowercase words.",
        occurrence=2,
    ),
    Equivalent(
        "apps/core/transitions.py",
        "core/NumberReplacer",
        'return declared[0].custom.get("label", name.title()), declared[0].permission',
        "declared[-1] instead of declared[0]: every django-fsm Transition of one method "
        "comes from its one @transition decorator (one per source) and shares its "
        "custom= and permission=, so the last is the first.",
        occurrence=2,
    ),
    Equivalent(
        "apps/core/transitions.py",
        "core/NumberReplacer",
        'label = declared[0].custom.get("label", name)',
        "declared[-1] instead of declared[0]: the Transitions of one method share the "
        "custom= of its one @transition decorator, so the last label is the first.",
        occurrence=2,
    ),
    Equivalent(
        "apps/core/transitions.py",
        "core/ReplaceComparisonOperator_Eq_LtE",
        'return source == state or source == "*" or (source == "+" and state != transition.target)',
        "`source <= '+'` instead of `source == '+'`: a source is '*' (already true on the "
        "left), '+', or a state value, all lowercase words, which sort after '+'.",
        occurrence=3,
    ),
    Equivalent(
        "apps/catalog/services.py",
        "core/ReplaceComparisonOperator_Eq_Is",
        'signals.category_created if kind == "category" else signals.tag_created,',
        "kind is always the literal 'category' or 'tag' written in this module "
        "(create_category, create_tag), and CPython interns identifier-like string "
        "constants: `kind is 'category'` is `kind == 'category'`.",
    ),
    Equivalent(
        "apps/catalog/services.py",
        "core/NumberReplacer",
        'name_length = model._meta.get_field("name").max_length or 0',
        "Category.name and Tag.name are CharFields, which always have a max_length: "
        "the `or 0` fallback (there for the type checker) is never taken.",
    ),
    Equivalent(
        "apps/catalog/services.py",
        "core/NumberReplacer",
        'slug = make_slug(slug or name, max_length=model._meta.get_field("slug").max_length or 0)',
        "Category.slug and Tag.slug are SlugFields, which always have a max_length: "
        "the `or 0` fallback (there for the type checker) is never taken.",
    ),
    Equivalent(
        "apps/catalog/services.py",
        "core/ReplaceComparisonOperator_Eq_LtE",
        'signals.category_created if kind == "category" else signals.tag_created,',
        "_create_reference is called with kind 'category' or 'tag' only, and "
        "'category' < 'tag': `kind <= 'category'` is `kind == 'category'`.",
    ),
    Equivalent(
        "apps/catalog/services.py",
        "core/ReplaceComparisonOperator_NotEq_Lt",
        "if Tag.objects.filter(pk__in=tag_ids).count() != len(tag_ids):",
        "tag_ids are deduplicated just above, so the tags found are never more than "
        "the ids asked for: `count != len` is `count < len`.",
    ),
    Equivalent(
        "apps/catalog/models.py",
        "core/ReplaceComparisonOperator_Eq_Is",
        "if self.active == active:",
        "Both sides are always bools: activate/deactivate pass the literals True and "
        "False, and `active` is a bool whether assigned or read back (both database "
        "backends convert the column to bool). `is` and `==` agree on bools.",
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceComparisonOperator_Eq_GtE",
        "elif payment.kind == PaymentKind.REFUND and can_proceed(order.refund,",
        "PaymentKind has two values and 'charge' < 'refund': `kind >= REFUND` holds for "
        "a refund only, exactly like `kind == REFUND`.",
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceComparisonOperator_Eq_Is",
        "if payment.status == PaymentStatus.VOID:",
        "payment.status was assigned a PaymentStatus member a few lines above, in every "
        "branch that reaches this line: `is` and `==` agree on it.",
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceComparisonOperator_Eq_LtE",
        "if payment.kind == PaymentKind.CHARGE and can_proceed(order.charge,",
        "PaymentKind has two values and 'charge' < 'refund': `kind <= CHARGE` holds for "
        "a charge only, exactly like `kind == CHARGE`.",
        occurrence=1,
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceComparisonOperator_Eq_Is",
        "if payment.status == PaymentStatus.SUCCEEDED:",
        "payment.status was assigned a PaymentStatus member just above (or returned "
        "early): `is` and `==` agree on it.",
    ),
    Equivalent(
        "apps/orders/services/placing.py",
        "core/ReplaceComparisonOperator_LtE_Eq",
        "if total <= 0:",
        "A cart's total cannot be negative: prices are >= 0 and quantities > 0 (checked "
        "by the services and by database constraints), so `total <= 0` is `total == 0`.",
    ),
    Equivalent(
        "apps/orders/services/placing.py",
        "core/ReplaceComparisonOperator_NotEq_Gt",
        "aggregate_label=f\"{count} abandoned cart{'s' if count != 1 else ''}\",",
        "The label is built under `if count:` and count is a number of deleted rows, "
        "so it is at least 1 there: `count > 1` is `count != 1`.",
    ),
    Equivalent(
        "apps/orders/services/reactions.py",
        "core/ReplaceComparisonOperator_Eq_Is",
        "if market_is_open(market_id) == paused:",
        "Both sides are bools: market_is_open returns QuerySet.exists(), and paused is "
        "the literal True or False of the markets' handler (a job's JSON arguments "
        "decode to bool too). `is` and `==` agree on bools.",
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceFalseWithTrue",
        "if payment.kind == PaymentKind.CHARGE and can_proceed(order.charge,",
        "Order.charge declares no django-fsm conditions= (its preconditions live in "
        "custom= and are checked before the gateway is called), so can_proceed with "
        "check_conditions=True checks the same sources as with False. (Stays true only "
        "while the transition has no conditions=.)",
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceFalseWithTrue",
        "elif payment.kind == PaymentKind.REFUND and can_proceed(order.refund,",
        "Order.refund declares no django-fsm conditions= (its preconditions live in "
        "custom= and are checked before the gateway is called), so can_proceed with "
        "check_conditions=True checks the same sources as with False. (Stays true only "
        "while the transition has no conditions=.)",
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceComparisonOperator_Lt_LtE",
        "while payment.in_flight and time.monotonic() < deadline:",
        "`<=` differs only when the monotonic clock reads exactly the deadline, a float "
        "instant; then it polls once more, 50 ms later, and answers from the same "
        "payment as `<` would (its outcome, or 'in progress').",
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/NumberReplacer",
        "*, actor: User, order_id: int, idempotency_key: str, await_seconds: float = 0.0",
        "A default wait of -1 s instead of 0: the deadline is already past either way, "
        "so a page's repeat is answered at once in both.",
        occurrence=2,
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/NumberReplacer",
        "reason: str, idempotency_key: str, await_seconds: float = 0.0",
        "A default wait of -1 s instead of 0: the deadline is already past either way, "
        "so a page's repeat is answered at once in both.",
        occurrence=2,
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceComparisonOperator_Eq_LtE",
        'payment_token=order.payment_token if kind == PaymentKind.CHARGE else "",',
        "PaymentKind has two values and 'charge' < 'refund': `kind <= CHARGE` is `kind == CHARGE`.",
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceComparisonOperator_Eq_Is",
        'payment_token=order.payment_token if kind == PaymentKind.CHARGE else "",',
        "_new_payment is called with the PaymentKind members themselves (CHARGE or "
        "REFUND), never a string read back: `is` and `==` agree.",
    ),
    Equivalent(
        "apps/markets/models.py",
        "core/ReplaceComparisonOperator_Eq_LtE",
        "return status == MarketStatus.ACTIVE",
        "'active' sorts before every other MarketStatus value ('archived', 'draft', "
        "'suspended'): `status <= ACTIVE` is `status == ACTIVE`.",
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceComparisonOperator_Eq_GtE",
        "if payment.kind == PaymentKind.CHARGE and can_proceed(order.charge,",
        "With `kind >= CHARGE` a refund's success would take the charge branch only on a "
        "Pending order, and a refund never meets one: refunds are made for Paid or "
        "Delivered orders and an order never returns to Pending.",
        occurrence=1,
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceComparisonOperator_Eq_IsNot",
        "if payment.kind == PaymentKind.CHARGE and can_proceed(order.charge,",
        "A kind read from the database is a str, so `kind is not CHARGE` is always true: "
        "it differs from `kind == CHARGE` only for a refund meeting a Pending order, "
        "which cannot happen (see the Eq_GtE mutant of the same line).",
        occurrence=1,
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceComparisonOperator_Eq_LtE",
        'name = "payment_failed" if payment.kind == PaymentKind.CHARGE else "refund_failed"',
        "PaymentKind has two values and 'charge' < 'refund': `kind <= CHARGE` is `kind == CHARGE`.",
    ),
    Equivalent(
        "apps/orders/services/payments.py",
        "core/ReplaceComparisonOperator_Eq_GtE",
        "if payment.status == PaymentStatus.VOID:",
        "'void' sorts after every other PaymentStatus value: `status >= VOID` is `status == VOID`.",
    ),
    Equivalent(
        "apps/orders/selectors.py",
        "core/NumberReplacer",
        "return orders.values_list(*fields).iterator(chunk_size=1000)",
        "chunk_size only sets how many rows each fetch brings (fetchmany on SQLite, the "
        "server-side cursor's itersize on PostgreSQL): 999 or 1001 stream the same rows "
        "in the same order, only batched differently.",
    ),
    Equivalent(
        "apps/orders/models.py",
        "core/ReplaceComparisonOperator_Eq_Is",
        'if len(query) >= INDEXED_SEARCH_LENGTH and connections[self.db].vendor == "sqlite":',
        "vendor is the backend class's literal (`vendor = \"sqlite\"` in Django's sqlite3 backend) "
        "and CPython interns identifier-like string constants: `vendor is 'sqlite'` is `vendor == "
        "'sqlite'` on SQLite, and false like `==` on PostgreSQL ('postgresql').",
    ),
    Equivalent(
        "apps/orders/models.py",
        "core/ReplaceComparisonOperator_Eq_GtE",
        'if len(query) >= INDEXED_SEARCH_LENGTH and connections[self.db].vendor == "sqlite":',
        "The suite's databases are SQLite and PostgreSQL: 'sqlite' >= 'sqlite' and "
        "'postgresql' < 'sqlite', so `vendor >= 'sqlite'` is `vendor == 'sqlite'` on both.",
    ),
    Equivalent(
        "apps/orders/models.py",
        "core/ReplaceOrWithAnd",
        'using = kwargs.get("using") or router.db_for_write(Order)',
        "The project has one database: without `using`, `None and \u2026` is None and "
        "atomic(using=None) is the default database, the router's for Order; with `using` given "
        '(only ever "default") the router\'s answer is "default" too.',
    ),
    Equivalent(
        "apps/orders/models.py",
        "core/ReplaceBinaryOperator_Mul_Div",
        "def from_db(cls, db: Any, field_names: Any, values: Any, *, fetch_mode",
        "`/` for `*` makes db, field_names and values positional-only and fetch_mode positional-"
        "or-keyword: Django's QuerySet calls from_db with the first three positionally and "
        "fetch_mode by keyword, which both signatures accept alike.",
    ),
]


def _python() -> str:
    return sys.executable


SOCKET = WORK / ".mutation" / "pytest.sock"


def _test_command(module: str) -> str:
    tests = [path for path in MODULES[module] if (WORK / path).exists()]
    # Forked from a process that has imported the libraries (tools.pytest_fork);
    # plugins the unit tests do not need cost a second or two per mutant too.
    return (
        f"{_python()} -m tools.pytest_fork run {SOCKET} --"
        " -x -q -p no:cacheprovider -p no:playwright -p no:base_url -p no:hypothesispytest"
        f" -o addopts= --reuse-db {' '.join(tests)}"
    )


def _session(module: str) -> Path:
    return WORK / ".mutation" / (module.replace("/", "_").removesuffix(".py") + ".sqlite")


def _copy_project(*, tests_only: bool) -> None:
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "node_modules", "test-results", "__pycache__", ".mypy_cache",
        ".ruff_cache", ".pytest_cache", ".mutation", ".test-db.sqlite3*", "staticfiles", "e2e",
    )  # fmt: skip
    if not tests_only:
        shutil.copytree(ROOT, WORK, ignore=ignore, dirs_exist_ok=True)
        return
    for tests in ROOT.glob("apps/*/tests"):
        shutil.copytree(tests, WORK / tests.relative_to(ROOT), ignore=ignore, dirs_exist_ok=True)
    shutil.copy2(ROOT / "conftest.py", WORK / "conftest.py")


def _config(module: str) -> Path:
    config = _session(module).with_suffix(".toml")
    config.parent.mkdir(parents=True, exist_ok=True)
    excluded = ", ".join(json.dumps(pattern) for pattern in EXCLUDED_OPERATORS)
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{module}"\n'
        f"timeout = {TIMEOUT}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(_test_command(module))}\n"
        "[cosmic-ray.distributor]\n"
        'name = "local"\n'
        "[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = [{excluded}]\n"
    )
    return config


def _tool(name: str) -> str:
    return str(Path(_python()).parent / name)


def _run(*command: str) -> None:
    environment = {**os.environ, "PYTEST_FORK_TIMEOUT": str(int(TIMEOUT) - 5)}
    subprocess.run(command, cwd=WORK, check=True, env=environment)


def _reset_survivors(session: Path, module: str) -> int:
    """Forget the results of the survivors (not the equivalent ones) so they run again."""
    again = [
        (mutant.job_id,)
        for mutant in _mutants(module)
        if mutant.outcome == "survived" and _equivalent(mutant) is None
    ]
    with sqlite3.connect(session) as db:
        db.executemany("DELETE FROM work_results WHERE job_id = ?", again)
    return len(again)


def _source_changed(module: str, session: Path) -> bool:
    """Mutants are positions in the source: a changed module needs a new session."""
    digest = hashlib.sha256((ROOT / module).read_bytes()).hexdigest()
    stamp = session.with_suffix(".sha256")
    changed = not stamp.exists() or stamp.read_text() != digest
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)
    return changed


def run(modules: list[str], *, rerun_survivors: bool) -> None:
    _copy_project(tests_only=False)
    SOCKET.parent.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "PYTEST_FORK_TIMEOUT": str(int(TIMEOUT) - 5)}
    server = subprocess.Popen(
        [_python(), "-m", "tools.pytest_fork", "serve", str(SOCKET)], cwd=WORK, env=environment
    )
    try:
        _run_sessions(modules, rerun_survivors=rerun_survivors)
    finally:
        server.terminate()
        server.wait()


def _run_sessions(modules: list[str], *, rerun_survivors: bool) -> None:
    for module in modules:
        session, config = _session(module), _config(module)
        if _source_changed(module, session):
            session.unlink(missing_ok=True)
        if not session.exists():
            # The module as mutated: while a run is on, the copy holds a mutant.
            shutil.copy2(ROOT / module, session.with_suffix(".source"))
            _run(_tool("cosmic-ray"), "init", str(config), str(session))
            _run(_tool("cr-filter-operators"), str(session), str(config))
        elif rerun_survivors:
            print(
                f"{module}: {_reset_survivors(session, module)} survivors to run again", flush=True
            )
        _run(_tool("cosmic-ray"), "exec", str(config), str(session))
        report([module])


@dataclass(frozen=True)
class Mutant:
    module: str
    job_id: str
    line: int
    text: str  # the source line the mutant is on, stripped
    operator: str
    on_line: int  # the n-th mutant of this operator on this line, from the left
    outcome: str  # killed, survived, pending, skipped
    diff: str


def _source_lines(module: str) -> list[str]:
    """The module as the session mutated it (kept beside the session; the copy
    may hold a mutant while a run is on), else as it is now."""
    for path in (_session(module).with_suffix(".source"), WORK / module, ROOT / module):
        if path.exists():
            return path.read_text().splitlines()
    return []


def _mutants(module: str) -> list[Mutant]:
    session = _session(module)
    if not session.exists():
        return []
    dump = subprocess.run(
        [_tool("cosmic-ray"), "dump", str(session)],
        cwd=WORK,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = _source_lines(module)
    rows = []
    for row in dump.splitlines():
        item, result = json.loads(row)
        mutation = item["mutations"][0]
        if result is None:
            outcome = "pending"
        elif result["worker_outcome"] == "skipped":
            outcome = "skipped"
        elif result["worker_outcome"] == "normal":
            outcome = str(result["test_outcome"])
        else:  # an exception or abnormal exit of the mutated code: the tests noticed
            outcome = "killed"
        rows.append((item["job_id"], mutation, outcome, (result or {}).get("diff") or ""))
    # Position on the line: by column, then by cosmic-ray's own order (a number
    # at one column is mutated twice, +1 then -1).
    rows.sort(key=lambda r: (r[1]["start_pos"], r[1]["operator_name"], r[1]["occurrence"]))
    seen: dict[tuple[int, str], int] = {}
    mutants = []
    for job_id, mutation, outcome, diff in rows:
        line, operator = mutation["start_pos"][0], mutation["operator_name"]
        seen[line, operator] = seen.get((line, operator), 0) + 1
        mutants.append(
            Mutant(
                module=module,
                job_id=job_id,
                line=line,
                text=lines[line - 1].strip() if line <= len(lines) else "",
                operator=operator,
                on_line=seen[line, operator],
                outcome=outcome,
                diff=diff,
            )
        )
    return mutants


def matches(known: Equivalent, mutant: Mutant) -> bool:
    """The same module, operator and line text (and occurrence on the line, if named)."""
    return (
        known.module == mutant.module
        and known.operator == mutant.operator
        and known.text.strip() in mutant.text
        and known.occurrence in (None, mutant.on_line)
    )


def _equivalent(mutant: Mutant) -> Equivalent | None:
    return next((known for known in EQUIVALENTS if matches(known, mutant)), None)


def stale_equivalents(
    module: str, source: list[str], known_ones: list[Equivalent] = EQUIVALENTS
) -> list[Equivalent]:
    """Equivalents of ``module`` whose text is on no line of ``source`` any more."""
    return [
        known
        for known in known_ones
        if known.module == module and not any(known.text.strip() in line for line in source)
    ]


def _changed_line(diff: str) -> str:
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+ ")]
    added += [
        line[1:].strip()
        for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    return added[0] if added else ""


def report(modules: list[str]) -> bool:
    """Print the score per module and the survivors; True when every module reaches 95 %.

    An equivalent whose line text is no longer in the module (as it is now in
    the working tree) is flagged STALE: its line changed, and whether the
    mutant is still equivalent must be decided again.
    """
    all_good = True
    print(f"{'module':34} {'mutants':>7} {'killed':>6} {'equiv':>5} {'left':>4} "
          f"{'pending':>7} {'score':>6}")  # fmt: skip
    survivors: list[tuple[Mutant, Equivalent | None]] = []
    stale: list[Equivalent] = []
    for module in modules:
        mutants = [m for m in _mutants(module) if m.outcome != "skipped"]
        killed = sum(m.outcome == "killed" for m in mutants)
        pending = sum(m.outcome == "pending" for m in mutants)
        surviving = [(m, _equivalent(m)) for m in mutants if m.outcome == "survived"]
        equivalent = sum(known is not None for _, known in surviving)
        left = len(surviving) - equivalent
        decided = killed + left
        score = 100.0 * killed / decided if decided else 0.0
        all_good &= score >= 95.0 and pending == 0
        survivors += surviving
        stale += stale_equivalents(module, (ROOT / module).read_text().splitlines())
        print(
            f"{module:34} {len(mutants):>7} {killed:>6} {equivalent:>5} {left:>4} "
            f"{pending:>7} {score:>5.1f}%"
        )
    print("\nSurvivors (E = equivalent, with why):")
    for mutant, known in survivors:
        mark = "E" if known else " "
        print(f"{mark} {mutant.module}:{mutant.line} {mutant.operator} #{mutant.on_line}")
        print(f"      {mutant.text}")
        print(f"   -> {_changed_line(mutant.diff)}")
        if known:
            print(f"      why: {known.why}")
    for known in stale:
        print(f"\nSTALE equivalent: {known.module} {known.operator}: no line has {known.text!r}")
    return all_good and not stale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(MODULES))
    parser.add_argument("--rerun-survivors", action="store_true")
    parser.add_argument("--report", action="store_true")
    arguments = parser.parse_args()
    modules = arguments.module or list(MODULES)
    if not arguments.report:
        run(modules, rerun_survivors=arguments.rerun_survivors)
    sys.exit(0 if report(modules) else 1)


if __name__ == "__main__":
    main()
