"""Benchmark xietong.matching against the PyPI ``matching`` package and bare OR-Tools.

One command (see bench/README.md)::

    python bench/matching_bench.py [--sizes 1000,10000,100000,1000000] \
        [--out bench/results/matching.json]

For each size it generates a synthetic teacher-exchange instance (choices "near home", ~10
applicants per host, ~1.2 places per applicant, hosts ranking by one global score), then runs
every solver in its own fresh subprocess (so that peak memory and crashes are isolated and a
per-run timeout can be enforced) and compares:

* our ``stable_match`` vs ``matching.games.HospitalResident`` (resident-optimal): time, peak
  memory, identical result; plus our independent ``blocking_pairs`` on our result;
* our ``min_cost_assign`` vs one bare OR-Tools ``SimpleMinCostFlow`` call on the same network:
  time, peak memory, same optimal objective.

This is a measurement script, not a test: it asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._report import machine, text_table, write_json  # noqa: E402

CHOICES = 5
APPLICANTS_PER_HOST = 10
PLACES_PER_APPLICANT = 1.2


# --------------------------------------------------------------------------- instances


def make_instance(n_app: int, seed: int = 0) -> dict[str, np.ndarray]:
    """A deterministic synthetic instance with ``n_app`` applicants.

    Hosts sit one per cell of a g x g torus grid (g^2 ~ n_app / 10), jittered inside the cell;
    applicants are uniform on the torus.  Each applicant considers the 9 hosts of the 3 x 3
    cells around it and ranks 5 of them by ``-distance + 0.5 * host quality + Gumbel noise``,
    so choices are "near home" with some popular hosts.  Capacities are Poisson with mean
    1.2 * n_app / n_hosts (about 1.2 places per applicant in total).  Hosts rank the
    applicants who applied to them by one global score (an exam-score-like master list).
    ``costs`` (for the min-cost assignment) are the squared choice positions 0, 1, 4, 9, 16.
    """
    rng = np.random.default_rng(seed)
    g = max(3, round(float(np.sqrt(max(1.0, n_app / APPLICANTS_PER_HOST)))))
    n_hosts = g * g
    host_xy = np.stack(np.divmod(np.arange(n_hosts), g), axis=1) + rng.random((n_hosts, 2))
    quality = rng.normal(0.0, 1.0, n_hosts)
    app_xy = rng.random((n_app, 2)) * g
    cell = np.floor(app_xy).astype(np.int64)
    offsets = np.array([(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)])
    around = (cell[:, None, :] + offsets[None, :, :]) % g
    candidates = around[:, :, 0] * g + around[:, :, 1]
    delta = np.abs(app_xy[:, None, :] - host_xy[candidates])
    delta = np.minimum(delta, g - delta)
    distance = np.sqrt((delta**2).sum(axis=2))
    utility = -distance + 0.5 * quality[candidates] + rng.gumbel(0.0, 0.3, distance.shape)
    top = np.argsort(-utility, axis=1)[:, :CHOICES]
    app_indices = np.take_along_axis(candidates, top, axis=1).reshape(-1).astype(np.int64)
    app_indptr = np.arange(0, n_app * CHOICES + 1, CHOICES, dtype=np.int64)
    capacities = rng.poisson(PLACES_PER_APPLICANT * n_app / n_hosts, n_hosts).astype(np.int64)
    score_rank = rng.permutation(n_app)
    applicant_of_entry = np.repeat(np.arange(n_app, dtype=np.int64), CHOICES)
    order = np.lexsort((score_rank[applicant_of_entry], app_indices))
    host_indices = applicant_of_entry[order]
    host_indptr = np.zeros(n_hosts + 1, dtype=np.int64)
    np.cumsum(np.bincount(app_indices, minlength=n_hosts), out=host_indptr[1:])
    costs = np.tile(np.arange(CHOICES, dtype=np.int64) ** 2, n_app)
    return {
        "app_indptr": app_indptr,
        "app_indices": app_indices,
        "host_indptr": host_indptr,
        "host_indices": host_indices,
        "capacities": capacities,
        "costs": costs,
    }


def penalty_for(data: dict[str, np.ndarray]) -> int:
    """The 'unassigned' penalty of xietong.matching.min_cost, computed independently:
    min(applicants with a usable choice, listed hosts with places) * max cost + 1."""
    indptr, indices = data["app_indptr"], data["app_indices"]
    caps, costs = data["capacities"], data["costs"]
    usable = caps[indices] > 0
    if not usable.any():
        return 1
    rows = np.repeat(np.arange(indptr.shape[0] - 1), np.diff(indptr))
    n_active = np.unique(rows[usable]).shape[0]
    n_listed = np.unique(indices[usable]).shape[0]
    spread = int(costs[usable].max()) - int(costs[usable].min())
    return min(n_active, n_listed) * spread + 1


# --------------------------------------------------------------------------- workers


def _status_bytes(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024  # reported in kB
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM) of this process (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _timed(fn: Any, repeat: int) -> tuple[Any, list[tuple[float, float]], int]:
    """Run ``fn`` ``repeat`` times; return its result, (wall, cpu) times and peak extra RSS.

    Peak memory is the process's peak resident set size during the runs minus its resident
    size just before them (via /proc/self/clear_refs; falls back to ru_maxrss growth), so it
    counts numpy, numba and OR-Tools (C++) allocations alike.
    """
    gc.collect()
    exact = _reset_peak_rss()
    before = _status_bytes("VmRSS") if exact else None
    if before is None:
        exact = False
        before = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024
    times = []
    result = None
    for _ in range(repeat):
        result = None
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - start, time.process_time() - start_cpu))
    peak = _status_bytes("VmHWM") if exact else None
    if peak is None:
        peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024
    return result, times, max(0, peak - before)


def worker_ours_da(data: dict[str, np.ndarray], repeat: int) -> dict[str, Any]:
    from xietong.matching import stable_match

    start = time.perf_counter()
    stable_match([[0, 1], [0]], [[1, 0], [0]], [1, 1])  # JIT compile or load numba's cache
    warmup = time.perf_counter() - start
    apps = (data["app_indptr"], data["app_indices"])
    hosts = (data["host_indptr"], data["host_indices"])
    result, times, peak = _timed(lambda: stable_match(apps, hosts, data["capacities"]), repeat)
    return {"assignment": result, "times": times, "peak_bytes": peak, "warmup_s": warmup}


def _hr_dictionaries(data: dict[str, np.ndarray]) -> tuple[dict, dict, dict]:
    """Consistent input for HospitalResident: hospitals rank exactly the residents who rank
    them, no empty lists, no zero capacities (those pairs can never be matched anyway)."""
    caps = data["capacities"]
    indptr, indices = data["app_indptr"], data["app_indices"]
    resident_prefs = {}
    for a in range(indptr.shape[0] - 1):
        row = [int(h) for h in indices[indptr[a] : indptr[a + 1]] if caps[h] > 0]
        if row:
            resident_prefs[a] = row
    h_indptr, h_indices = data["host_indptr"], data["host_indices"]
    hospital_prefs = {}
    for h in range(h_indptr.shape[0] - 1):
        if caps[h] > 0:
            listed = [int(a) for a in h_indices[h_indptr[h] : h_indptr[h + 1]]]
            listed = [a for a in listed if a in resident_prefs and h in resident_prefs[a]]
            if listed:
                hospital_prefs[h] = listed
    capacities = {h: int(caps[h]) for h in hospital_prefs}
    return resident_prefs, hospital_prefs, capacities


def worker_hr(data: dict[str, np.ndarray], repeat: int) -> dict[str, Any]:
    import warnings

    from matching.games import HospitalResident

    resident_prefs, hospital_prefs, capacities = _hr_dictionaries(data)
    n_app = data["app_indptr"].shape[0] - 1

    def run() -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            game = HospitalResident.create_from_dictionaries(
                resident_prefs, hospital_prefs, capacities
            )
            matching = game.solve(optimal="resident")
        out = np.full(n_app, -1, dtype=np.int64)
        for hospital, residents in matching.items():
            for resident in residents:
                out[resident.name] = hospital.name
        return out

    # HospitalResident deep-copies its players, whose preference lists reference each other,
    # so copy.deepcopy recurses about once per player: give it a deep stack.
    import threading

    sys.setrecursionlimit(10_000_000)
    threading.stack_size(1 << 30)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["out"] = _timed(run, 1)
        except BaseException as exc:  # re-raised in the main thread
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    result, times, peak = box["out"]
    return {"assignment": result, "times": times, "peak_bytes": peak}


def _bare_mcf(data: dict[str, np.ndarray]) -> tuple[Any, dict[str, Any]]:
    """The same network built with plain numpy (untimed) and a bare OR-Tools call on it.

    Nodes: applicants 0..A-1, hosts A..A+H-1, sink A+H.  Arcs: every preference entry
    (capacity 1, its cost), applicant -> sink (capacity 1, the penalty), host -> sink (its
    capacity).  Supplies: +1 per applicant, -A at the sink.  Returns the timed call and a dict
    that receives its optimal cost.
    """
    from ortools.graph.python import min_cost_flow

    indptr, indices = data["app_indptr"], data["app_indices"]
    caps, costs = data["capacities"], data["costs"]
    n_app, n_hosts = indptr.shape[0] - 1, caps.shape[0]
    sink = n_app + n_hosts
    penalty = penalty_for(data)
    rows = np.repeat(np.arange(n_app), np.diff(indptr))
    apps = np.arange(n_app)
    hosts = np.arange(n_hosts)
    tails = np.concatenate([rows, apps, hosts + n_app]).astype(np.int32)
    heads = np.concatenate([indices + n_app, np.full(n_app, sink), np.full(n_hosts, sink)])
    heads = heads.astype(np.int32)
    arc_caps = np.concatenate([np.ones(indices.shape[0] + n_app, dtype=np.int64), caps])
    unit_costs = np.concatenate([costs, np.full(n_app, penalty), np.zeros(n_hosts)])
    unit_costs = unit_costs.astype(np.int64)
    nodes = np.arange(n_app + 1, dtype=np.int32)
    nodes[-1] = sink
    supplies = np.ones(n_app + 1, dtype=np.int64)
    supplies[-1] = -n_app
    n_pref = indices.shape[0]
    info: dict[str, Any] = {}

    def run() -> np.ndarray:
        solver = min_cost_flow.SimpleMinCostFlow()
        arcs = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, arc_caps, unit_costs)
        solver.set_nodes_supplies(nodes, supplies)
        status = solver.solve()
        if status != solver.OPTIMAL:
            raise RuntimeError(f"bare OR-Tools status {status}")
        flows = solver.flows(arcs[:n_pref])
        info["optimal_cost"] = int(solver.optimal_cost())
        return flows

    def assignment_of(flows: np.ndarray) -> np.ndarray:
        out = np.full(n_app, -1, dtype=np.int64)
        used = np.asarray(flows) > 0
        out[rows[used]] = indices[used]
        return out

    info["assignment_of"] = assignment_of
    return run, info


def worker_mcf(data: dict[str, np.ndarray], repeat: int) -> dict[str, Any]:
    """Ours and the bare call, alternated in one process so both see the same machine load.

    Each run is timed and memory-measured on its own (the peak counter is reset before every
    run); the best time and the largest peak per solver are reported.
    """
    from xietong.matching import min_cost_assign

    min_cost_assign([[0]], [[1]], [1])  # numba cache / compile
    apps = (data["app_indptr"], data["app_indices"])
    bare_run, bare_info = _bare_mcf(data)
    solvers = {
        "ours": lambda: min_cost_assign(apps, data["costs"], data["capacities"]),
        "bare": bare_run,
    }
    times: dict[str, list[tuple[float, float]]] = {"ours": [], "bare": []}
    peaks = {"ours": 0, "bare": 0}
    results: dict[str, Any] = {}
    for i in range(repeat):
        for name in ("ours", "bare") if i % 2 == 0 else ("bare", "ours"):
            results[name], run_times, peak = _timed(solvers[name], 1)
            times[name] += run_times
            peaks[name] = max(peaks[name], peak)
    return {
        "arrays": {
            "ours": results["ours"],
            "bare": bare_info["assignment_of"](results["bare"]),
        },
        "ours": {"times": times["ours"], "peak_bytes": peaks["ours"]},
        "bare": {
            "times": times["bare"],
            "peak_bytes": peaks["bare"],
            "optimal_cost": bare_info["optimal_cost"],
        },
    }


WORKERS = {
    "ours_da": worker_ours_da,
    "hr": worker_hr,
    "mcf": worker_mcf,
}


def run_worker(task: str, data_path: str, out_path: str, repeat: int) -> None:
    with np.load(data_path) as npz:
        data = {k: npz[k] for k in npz.files}
    report = WORKERS[task](data, repeat)
    arrays = report.pop("arrays", None)
    if arrays is None:
        arrays = {"assignment": report.pop("assignment")}
    np.savez(out_path + ".npz", **arrays)
    Path(out_path + ".json").write_text(json.dumps(report))


def spawn(task: str, data_path: str, workdir: str, repeat: int, timeout: float) -> dict[str, Any]:
    out = os.path.join(workdir, task)
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", task, "--data", data_path]
    cmd += ["--worker-out", out, "--repeat", str(repeat)]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"status": f"timeout >{timeout:g}s"}
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        return {"status": f"failed (exit {done.returncode}): {tail[0]}"}
    report = json.loads(Path(out + ".json").read_text())
    with np.load(out + ".npz") as arrays:
        for key in arrays.files:  # "assignment", or "arrays_<name>" for several results
            report[key if key == "assignment" else f"arrays_{key}"] = arrays[key]
    report["status"] = "ok"
    return report


# --------------------------------------------------------------------------- driver


def objective(data: dict[str, np.ndarray], assignment: np.ndarray, penalty: int) -> int:
    indptr, indices, costs = data["app_indptr"], data["app_indices"], data["costs"]
    rows = np.repeat(np.arange(indptr.shape[0] - 1), np.diff(indptr))
    chosen = indices == assignment[rows]
    unassigned = int(np.count_nonzero(assignment < 0))
    return int(costs[chosen].sum()) + penalty * unassigned


def repeats(n_app: int, override: int | None) -> tuple[int, int]:
    """Timed runs (best kept) for stable_match and for the min-cost solvers at this size."""
    if override is not None:
        return override, override
    many = max(1, min(50, round(300_000 / max(n_app, 1))))
    return max(3, many), many


def bench_size(n_app: int, args: argparse.Namespace, workdir: str) -> dict[str, Any]:
    from xietong.matching import blocking_pairs, check_feasible

    start = time.perf_counter()
    data = make_instance(n_app, args.seed)
    gen_s = time.perf_counter() - start
    data_path = os.path.join(workdir, f"instance_{n_app}.npz")
    np.savez(data_path, **data)  # type: ignore[arg-type]  # numpy stubs miss **arrays
    n_hosts = int(data["capacities"].shape[0])
    row: dict[str, Any] = {
        "applicants": n_app,
        "hosts": n_hosts,
        "entries": int(data["app_indices"].shape[0]),
        "places": int(data["capacities"].sum()),
        "generate_s": round(gen_s, 3),
    }
    apps = (data["app_indptr"], data["app_indices"])
    hosts = (data["host_indptr"], data["host_indices"])

    da_repeat, mcf_repeat = repeats(n_app, args.repeat)
    row["repeats"] = {"stable_match": da_repeat, "min_cost": mcf_repeat}
    ours = spawn("ours_da", data_path, workdir, da_repeat, args.timeout)
    row["ours_da"] = _summary(ours)
    if ours["status"] == "ok":
        mine = ours["assignment"]
        row["ours_da"]["warmup_s"] = round(ours["warmup_s"], 3)
        row["matched_share"] = round(float(np.mean(mine >= 0)), 4)
        check_feasible(apps, hosts, data["capacities"], mine)
        start = time.perf_counter()
        row["blocking_pairs"] = int(blocking_pairs(apps, hosts, data["capacities"], mine).shape[0])
        row["blocking_pairs_check_s"] = round(time.perf_counter() - start, 3)

    if n_app <= args.hr_max_size:
        hr = spawn("hr", data_path, workdir, 1, args.hr_timeout)
        row["hr"] = _summary(hr)
        if hr["status"] == "ok" and ours["status"] == "ok":
            row["identical_to_hr"] = bool(np.array_equal(hr["assignment"], ours["assignment"]))
    else:
        row["hr"] = {"status": f"not run (size cap {args.hr_max_size})"}

    if not args.skip_min_cost:
        penalty = penalty_for(data)
        pair = spawn("mcf", data_path, workdir, mcf_repeat, args.timeout)
        if pair["status"] != "ok":
            row["ours_mcf"] = row["bare_mcf"] = {"status": pair["status"]}
        else:
            row["ours_mcf"] = _summary(dict(pair["ours"], status="ok"))
            row["bare_mcf"] = _summary(dict(pair["bare"], status="ok"))
            bare_optimum = int(pair["bare"]["optimal_cost"])
            ours_obj = objective(data, pair["arrays_ours"], penalty)
            bare_obj = objective(data, pair["arrays_bare"], penalty)
            row["mcf_objective_ours"] = ours_obj
            row["mcf_objective_bare"] = bare_optimum
            row["mcf_same_objective"] = ours_obj == bare_obj == bare_optimum
            row["mcf_assigned"] = int(np.count_nonzero(pair["arrays_ours"] >= 0))
            ratio = row["ours_mcf"]["best_s"] / row["bare_mcf"]["best_s"]
            row["mcf_time_ratio"] = round(ratio, 3)
            cpu_ratio = row["ours_mcf"]["best_cpu_s"] / max(row["bare_mcf"]["best_cpu_s"], 1e-9)
            row["mcf_cpu_ratio"] = round(cpu_ratio, 3)
            # Runs alternate, so run i of each solver saw about the same machine load.
            paired = [
                ours_t[0] / max(bare_t[0], 1e-9)
                for ours_t, bare_t in zip(pair["ours"]["times"], pair["bare"]["times"], strict=True)
            ]
            row["mcf_paired_median_ratio"] = round(float(np.median(paired)), 3)
    os.remove(data_path)
    return row


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    if report["status"] != "ok":
        return {"status": report["status"]}
    times = report["times"]
    best = min(times)
    return {
        "status": "ok",
        "best_s": best[0],
        "best_cpu_s": best[1],
        "wall_s": [round(t[0], 4) for t in times],
        "cpu_s": [round(t[1], 4) for t in times],
        "peak_mib": round(report["peak_bytes"] / 2**20, 1),
    }


def _cell(part: dict[str, Any] | None, key: str = "best_s") -> str:
    if not part:
        return "-"
    if part.get("status") != "ok":
        return str(part.get("status"))
    if key == "best_s":
        return f"{part['best_s']:.4f} ({part['best_cpu_s']:.4f})"
    return f"{part[key]:.0f}"


def print_table(rows: list[dict[str, Any]]) -> None:
    header = [
        "applicants", "hosts", "DA ours s (cpu)", "MiB", "HR pkg s (cpu)", "MiB",
        "identical", "blocking", "matched", "MCF ours s (cpu)", "MiB", "MCF bare s (cpu)",
        "MiB", "ratio (cpu)", "paired", "same obj",
    ]  # fmt: skip
    lines = [header]
    for r in rows:
        lines.append(
            [
                f"{r['applicants']:,}",
                f"{r['hosts']:,}",
                _cell(r.get("ours_da")),
                _cell(r.get("ours_da"), "peak_mib"),
                _cell(r.get("hr")),
                _cell(r.get("hr"), "peak_mib") if r["hr"].get("status") == "ok" else "-",
                str(r.get("identical_to_hr", "-")),
                str(r.get("blocking_pairs", "-")),
                f"{100 * r['matched_share']:.1f}%" if "matched_share" in r else "-",
                _cell(r.get("ours_mcf")),
                _cell(r.get("ours_mcf"), "peak_mib"),
                _cell(r.get("bare_mcf")),
                _cell(r.get("bare_mcf"), "peak_mib"),
                f"{r['mcf_time_ratio']:.2f}x ({r['mcf_cpu_ratio']:.2f}x)"
                if "mcf_time_ratio" in r
                else "-",
                f"{r['mcf_paired_median_ratio']:.2f}x" if "mcf_paired_median_ratio" in r else "-",
                str(r.get("mcf_same_objective", "-")),
            ]
        )
    print(text_table(header, lines[1:]))


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("numpy", "numba", "ortools", "matching"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "missing"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "matching.json"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="timed runs per solver, best kept (default: more for small sizes, see README)",
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="per-solver-run timeout, s")
    parser.add_argument("--hr-max-size", type=int, default=10_000)
    parser.add_argument("--hr-timeout", type=float, default=300.0)
    parser.add_argument("--skip-min-cost", action="store_true")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        run_worker(args.worker, args.data, args.worker_out, args.repeat)
        return 0

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="matching_bench_") as workdir:
        for n in sizes:
            print(f"[bench] {n:,} applicants ...", file=sys.stderr, flush=True)
            rows.append(bench_size(n, args, workdir))
    print_table(rows)
    result = {
        "command": " ".join([Path(sys.argv[0]).as_posix(), *(argv or sys.argv[1:])]),
        "machine": machine(),
        "versions": versions(),
        "parameters": {
            "seed": args.seed,
            "repeat": args.repeat if args.repeat is not None else "auto",
            "choices_per_applicant": CHOICES,
            "applicants_per_host": APPLICANTS_PER_HOST,
            "places_per_applicant": PLACES_PER_APPLICANT,
            "hr_max_size": args.hr_max_size,
            "hr_timeout_s": args.hr_timeout,
        },
        "results": rows,
    }
    print(f"\nwrote {write_json(args.out, result)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
