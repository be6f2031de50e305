"""`python -m bench` (or `make bench`): every section, each in a process of its own, printed as soon as
it finishes. `python -m bench rescue wechat`: only the named sections (see SECTIONS).

Each section runs as `python -m bench --section NAME`: a fresh interpreter with its own local stack
in its own temporary state folder, so no section inherits another's items, threads or memory. A
section that fails prints its failure (and the figures it had measured) and the others still run;
the run exits 1 if any section failed, 2 for an unknown name. A FAIL against a target is a finding,
printed beside the figure, not a failed section.

Environment: BENCH_N (requests of each kind, default 200), BENCH_DETERMINATIONS (cases taken from
evidence to letter, default 20), BENCH_PROFILE (requests of each kind to run again under cProfile
after the timed runs, default 0 = no profile), BENCH_WECHAT (pushes, default 100), BENCH_WECHAT_CASES
(cases of the user asking 进度, default 5), BENCH_RESCUE_TAPS (rescue taps, default 10),
BENCH_RESCUE_LOOKUPS (nearest-truck lookups with the 49 seeded trucks, default 100),
BENCH_RESCUE_LOOKUPS_LARGE (lookups with the synthetic fleet, default 20), BENCH_RESCUE_TRUCKS
(synthetic standby trucks, default 10000), BENCH_MEDICAL (injury cases for the direct-pay bench,
default 20), BENCH_ROOM_POSTS (room posts timed to delivery, default 30), BENCH_ROOM_READS (case
reads per room length, default 30), BENCH_STORE_POSTS (POST /cases per table size, default 30),
BENCH_STORE_POSTS_MOTO (the same at 2,000 items with moto's own functions, the before, default 3),
BENCH_REPORT_RUNS (daily reports timed per day size, default 5), BENCH_COUNTER_CASES (determinations
each way, with and without the report counters, default 10), BENCH_COST_CASES (full cases priced, default 3).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable

from bench.failure import SectionFailed


def _env(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _api() -> list[str]:
    from bench import api, tables

    return tables.report_api(api.run(_env("BENCH_N", 200), profile_n=_env("BENCH_PROFILE", 0)))


def _coldstart() -> list[str]:
    from bench import coldstart, tables

    return tables.report_coldstart(coldstart.measure())


def _determination() -> list[str]:
    from bench import determination

    return determination.report(determination.run(_env("BENCH_DETERMINATIONS", 20)))


def _wechat() -> list[str]:
    from bench import wechat

    return wechat.report(wechat.run(_env("BENCH_WECHAT", 100), _env("BENCH_WECHAT_CASES", 5)))


def _rescue() -> list[str]:
    from bench import rescue, tables

    return tables.report_rescue(rescue.run(
        taps=_env("BENCH_RESCUE_TAPS", 10),
        lookups=_env("BENCH_RESCUE_LOOKUPS", 100),
        lookups_large=_env("BENCH_RESCUE_LOOKUPS_LARGE", 20),
        trucks=_env("BENCH_RESCUE_TRUCKS", 10000),
    ))


def _medical() -> list[str]:
    from bench import medical

    return medical.report(medical.run(_env("BENCH_MEDICAL", 20)))


def _room() -> list[str]:
    from bench import room

    return room.report(room.run(_env("BENCH_ROOM_POSTS", 30), _env("BENCH_ROOM_READS", 30)))


def _reports() -> list[str]:
    from bench import reports

    return reports.report(reports.run(_env("BENCH_REPORT_RUNS", 5)))


def _counters() -> list[str]:
    from bench import report_counters

    return report_counters.report(report_counters.run(_env("BENCH_COUNTER_CASES", 10)))


def _store() -> list[str]:
    from bench import store

    return store.report(store.run(_env("BENCH_STORE_POSTS", 30), _env("BENCH_STORE_POSTS_MOTO", 3)))


def _cost() -> list[str]:
    from bench import cost

    return cost.report(cost.run(_env("BENCH_COST_CASES", 3)))


SECTIONS: dict[str, Callable[[], list[str]]] = {
    "coldstart": _coldstart,  # first, while the machine is quietest
    "api": _api,
    "determination": _determination,
    "wechat": _wechat,
    "rescue": _rescue,
    "medical": _medical,
    "room": _room,
    "store": _store,
    "reports": _reports,
    "counters": _counters,
    "cost": _cost,
}


def run_section(name: str) -> int:
    """In the section's own process: measure, print the figures, 0; or print the failure, 1."""
    started = time.perf_counter()
    try:
        lines = SECTIONS[name]()
    except Exception as error:  # noqa: BLE001 (any failure is the section's finding, printed)
        partial = error.partial if isinstance(error, SectionFailed) else []
        cause = error.__cause__ if isinstance(error, SectionFailed) and error.__cause__ else error
        print(f"[{name}] FAILED after {time.perf_counter() - started:.0f} s: {type(cause).__name__}: {cause}")
        print("".join(traceback.format_exception(cause)).rstrip(), file=sys.stderr)
        if partial:
            print(f"[{name}] figures measured before the failure:")
            print("\n".join(partial))
        sys.stdout.flush()
        return 1
    print("\n".join(lines))
    print(f"[{name}] done in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


def _load() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "?"


def main(names: list[str]) -> int:
    if names[:1] == ["--section"]:
        return run_section(names[1])
    unknown = sorted(set(names) - set(SECTIONS))
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from: {' '.join(SECTIONS)}", file=sys.stderr)
        return 2
    chosen = [name for name in SECTIONS if name in names] if names else list(SECTIONS)
    import moto

    print(f"Yunchetong benchmark ({' '.join(chosen)}): Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"local AWS = moto {moto.__version__}, one process per section, load average {_load()}", flush=True)
    started = time.perf_counter()
    outcomes: dict[str, tuple[int, float]] = {}
    for name in chosen:
        print("", flush=True)
        began = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", "bench", "--section", name])
        outcomes[name] = (code, time.perf_counter() - began)
    print("")
    print("sections: " + ", ".join(f"{name} {'ok' if code == 0 else f'FAILED (exit {code})'} {seconds:.0f} s"
                                   for name, (code, seconds) in outcomes.items()))
    print(f"total {time.perf_counter() - started:.0f} s; load average now {_load()} (other work on the machine "
          "adds noise to every figure)", flush=True)
    return 1 if any(code for code, _ in outcomes.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
