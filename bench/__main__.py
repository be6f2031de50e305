"""`python -m bench` (or `make bench`): every benchmark in one run, printed as tables.

Environment: BENCH_N (requests of each kind, default 200), BENCH_DETERMINATIONS (cases taken from
evidence to letter, default 20), BENCH_PROFILE (requests of each kind
to run again under cProfile after the timed runs, default 0 = no profile).
Exits 0 whatever the figures (PASS/FAIL against a target is reported, not enforced); only a\nbenchmark that cannot run exits non-zero.
"""

from __future__ import annotations

import os
import platform
import sys
import textwrap
import time

from bench import coldstart
from bench.api import TARGET, VARIANTS, ApiResults, Phase
from bench.stats import median, ms, p99


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def _table(headers: list[str], rows: list[list[str]], align: str) -> str:
    """align: one of '<' / '>' per column."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join(["  " + line(headers), "  " + rule, *("  " + line(r) for r in rows)])


def _calls_text(phase: Phase) -> str:
    signatures = phase.signatures()
    if not signatures:
        return "(no requests)"
    parts = []
    for signature, count in signatures.most_common():
        text = ", ".join(f"{op} {k}" for op, k in signature) or "none"
        total = sum(k for _, k in signature)
        share = "" if len(signatures) == 1 else f"  [{count}/{phase.requests} requests]"
        parts.append(f"{text}  ({total} call{'s' if total != 1 else ''}){share}")
    return "; ".join(parts)


def _probe_detail(phase: Phase) -> str:
    if phase.probe is None:
        return ""
    details = []
    for call in phase.probe.calls:
        params = call.params or {}
        if call.operation == "TransactWriteItems":
            kinds = [next(iter(item)) for item in params.get("TransactItems", [])]
            details.append(f"TransactWriteItems of {len(kinds)} items ({', '.join(sorted(set(kinds)))})")
        elif call.operation == "BatchGetItem":
            keys = sum(len(t.get("Keys", [])) for t in params.get("RequestItems", {}).values())
            details.append(f"BatchGetItem of {keys} keys")
        elif call.operation == "Query":
            details.append("Query" + (" (consistent)" if params.get("ConsistentRead") else ""))
        else:
            details.append(call.operation)
    return ", ".join(details)


def report_api(results: ApiResults) -> list[str]:
    out = []
    phases = [results.post, results.get]
    out.append(f"1. Request latency over HTTP (keep-alive requests.Session in the bench's main thread; n={results.n} "
               "per row; ms)")
    rows = []
    for p in phases:
        for v in VARIANTS:
            rows.append([p.name, v, str(len(p.samples[v])), ms(median(p.totals(v))), ms(p99(p.totals(v))),
                         ms(median(p.server(v))), ms(median(p.aws(v))), ms(median(p.app_only(v))),
                         ms(median(p.totals(v)) - median(p.server(v)))])
    out.append(_table(
        ["request", "API server", "n", "median", "p99", "server", "AWS calls", "app w/o AWS", "HTTP+gateway"],
        rows, "<<>>>>>>>"))
    errors = [f"{p.name} {what} x{k}" for p in phases for what, k in sorted(p.errors.items())]
    out.append(f"  errors: {', '.join(errors) if errors else 'none (every reply was 201 / 200)'}")
    out.append(textwrap.fill(
        "API server: 'as shipped' = infra/local/stack.py unchanged; 'TCP_NODELAY' = the same server with Nagle's "
        "algorithm off on that connection (bench-side), which removes a ~40 ms delayed-ACK stall per keep-alive "
        "request (Chalice's local handler sends headers and body in two writes). Medians: server = chalice.local "
        "LocalGateway.handle_request (event conversion + the app); AWS calls = time inside botocore's "
        "_make_api_call during the request (includes moto's own work, same process); app w/o AWS = server - AWS "
        "calls, per request; HTTP+gateway = median - server: HTTP client, local HTTP server, socket stalls (in AWS, "
        "API Gateway and the Lambda runtime instead).",
        width=110, initial_indent="  ", subsequent_indent="  "))
    out.append("")
    every_ddb = all(c.service == "dynamodb" for p in phases for ss in p.samples.values() for s in ss for c in s.record.calls)
    out.append("2. AWS calls per request (all services counted; all were DynamoDB)" if every_ddb
               else "2. AWS calls per request (all services counted)")
    rows = [[p.name, _calls_text(p)] for p in phases]
    out.append(_table(["request", "calls"], rows, "<<"))
    for p in phases:
        out.append(f"  {p.name}, recorded: {_probe_detail(p)}")
    out.append("")
    out.append(f"3. Framework overhead: request median / the same DynamoDB calls made bare with boto3, median "
               f"(target <= {TARGET}x)")
    rows = []
    for p in phases:
        bare = median(p.bares)
        for v in VARIANTS:
            ratio = median(p.totals(v)) / bare
            rows.append([p.name, v, ms(median(p.totals(v))), ms(bare), ms(p99(p.bares)), f"{ratio:.2f}x",
                         f"<= {TARGET}x", _verdict(ratio <= TARGET), f"{median(p.server(v)) / bare:.2f}x"])
    out.append(_table(
        ["request", "API server", "request median", "bare median", "bare p99", "ratio", "target", "result",
         "server-side ratio"],
        rows, "<<>>>>><>"))
    out.append(textwrap.fill(
        "bare = a plain boto3.client('dynamodb') making the recorded calls with the recorded parameters (a fresh "
        "case id for the POST's TransactWriteItems, the same case for the GET's Query), n times, interleaved with "
        "the requests. server-side ratio = median(server) / bare median, i.e. without the local HTTP hop "
        "(diagnostic only). The result on the 'as shipped' row is the headline figure.",
        width=110, initial_indent="  ", subsequent_indent="  "))
    for p in phases:
        if p.profile:
            out.append("")
            out.append(f"  cProfile of {p.name} (API request thread, AWS calls excluded; extra untimed pass):")
            out.append(textwrap.indent(p.profile.strip(), "    "))
    return out


def report_coldstart(result: coldstart.ColdStart) -> list[str]:
    out = [f"4. Cold-start proxy: import time in a fresh interpreter, best of {len(result.app)} (ms; start-up excluded)"]
    rows = [
        ["import app", ms(result.app_best), ms(median(result.app)), ""],
        [f"floor: {coldstart.FLOOR_IMPORT}", ms(result.floor_best), ms(median(result.floor)), ""],
        ["ratio app / floor", f"{result.ratio:.2f}x", "", f"target <= {coldstart.TARGET}x: {_verdict(result.passed)}"],
        ["diagnostic: floor + `from pydantic import BaseModel`", ms(min(result.floor_with_models)),
         ms(median(result.floor_with_models)), f"app / this: {result.app_best / min(result.floor_with_models):.2f}x"],
        ["diagnostic: import app + all the first request loads (contracts, services, jwt)",
         ms(min(result.app_first_request)), ms(median(result.app_first_request)),
         f"vs floor: {min(result.app_first_request) / result.floor_best:.2f}x"],
    ]
    out.append(_table(["import", "best", "median", ""], rows, "<>><"))
    extra_ms = (result.app_best - result.floor_best) * 1000
    out.append(f"  app costs {extra_ms:.0f} ms over the floor; of that, compiling its own {result.compile_files} "
               f"source files (no bytecode cache) is about {result.compile_seconds * 1000:.0f} ms.")
    present = result.heavy_present()
    flags = ", ".join(
        f"{m}: {'floor' if f else ('APP' if a else 'no')}" for m, (f, a) in present.items()
    )
    out.append(textwrap.fill(f"heavy modules (imported by the floor / by app beyond it / not at all): {flags}",
                             width=110, initial_indent="  ", subsequent_indent="    "))
    heavy = [(name, s) for name, s in result.heavy_by_package if s >= 0.001][:12]
    out.append(textwrap.fill(
        "what app adds after the floor, self import time per top-level package (-X importtime, one run): "
        + ", ".join(f"{name} {s * 1000:.1f}" for name, s in heavy),
        width=110, initial_indent="  ", subsequent_indent="    "))
    own = [(name, s) for name, s in result.own_modules if s >= 0.001][:8]
    out.append(textwrap.fill(
        "of which the app's own modules, self time (compiling + running the module body, e.g. building pydantic "
        "models): " + ", ".join(f"{name} {s * 1000:.1f}" for name, s in own),
        width=110, initial_indent="  ", subsequent_indent="    "))
    out.append(textwrap.fill(
        f"top-level modules present after `import app` but not after the floor ({len(result.extra_top_level)}): "
        + " ".join(result.extra_top_level),
        width=110, initial_indent="  ", subsequent_indent="    "))
    return out


def _load() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "?"


def main() -> int:
    n = int(os.environ.get("BENCH_N", "200"))
    profile_n = int(os.environ.get("BENCH_PROFILE", "0"))
    started = time.perf_counter()
    try:
        import moto

        moto_version = moto.__version__
    except ImportError:  # pragma: no cover
        moto_version = "?"
    print(f"Yunchetong benchmark: n={n}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"local AWS = moto {moto_version} in-process, load average {_load()}", flush=True)
    print("", flush=True)
    # Cold start first, while this process is idle (no stack threads yet).
    cold = coldstart.measure()
    from bench import api

    results = api.run(n, profile_n=profile_n)
    from bench import determination

    determined = determination.run(int(os.environ.get("BENCH_DETERMINATIONS", "20")))
    from bench import wechat

    pushes = wechat.run(int(os.environ.get("BENCH_WECHAT", "100")))
    for line in [*report_api(results), "", *report_coldstart(cold), "", *determination.report(determined), "",
                 *wechat.report(pushes)]:
        print(line)
    print("")
    print(f"total {time.perf_counter() - started:.0f} s; load average now {_load()} (other work on the machine "
          "adds noise to every figure)", flush=True)
    return 0


if __name__ == "__main__":
    # 0 whatever the figures are (a FAIL against a target is a finding, not a broken build);
    # an exception (the benchmark itself broke) propagates and exits 1.
    sys.exit(main())
