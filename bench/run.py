"""Run summarizer's benchmarks: ``python bench/run.py [--only NAME[,NAME]] [--quick]``.

Every figure is a ratio against a baseline measured in the same run, reported with the
absolute numbers and the machine they were taken on. Each benchmark ends with one line
a script can read::

    NAME: ratio=FLOAT target=TEXT ok|short|skipped

(``embedded_throughput`` adds ``embedded_articles_per_hour: value=… target=240 …``.)
A full run (every benchmark, without ``--quick``) writes ``bench/results.md`` and
``bench/results.json``; partial or quick runs write them only where ``--out`` says.
The exit status is 0 whatever the figures are: benchmarks report, they do not gate.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: import the package ``bench`` from the root
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
    sys.path.insert(0, str(_ROOT))

from bench import (  # noqa: E402
    batch_throughput,
    cache_resume,
    client_overhead,
    embedded_overhead,
    embedded_throughput,
    tokens,
)
from bench.common import Options, Result, current_load, machine_info  # noqa: E402
from bench.report import write_results  # noqa: E402

BENCHMARKS: dict[str, Callable[[Options], Result]] = {
    client_overhead.NAME: client_overhead.run,
    batch_throughput.NAME: batch_throughput.run,
    tokens.NAME: tokens.run,
    embedded_overhead.NAME: embedded_overhead.run,
    cache_resume.NAME: cache_resume.run,
    embedded_throughput.NAME: embedded_throughput.run,
}


def _slot_counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of N") from None
    if not counts or any(n < 1 or n > 64 for n in counts):
        raise argparse.ArgumentTypeError(f"{text!r}: each N must be between 1 and 64")
    return counts


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="summarizer benchmarks: ratios against baselines measured in one run.",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only these benchmarks (repeat or comma-separate): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--quick", action="store_true", help="shrink every benchmark (noisier figures)"
    )
    parser.add_argument(
        "--articles",
        type=int,
        default=2,
        metavar="N",
        help="fixture articles for embedded_overhead (1-3 minutes each; default 2)",
    )
    parser.add_argument(
        "--n",
        type=_slot_counts,
        default=(),
        metavar="N[,N]",
        help="parallel slots for embedded_throughput (default 1,2,4,8; --quick 1,2); "
        "N=1 is always measured, as the baseline",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="write results.md and results.json here [bench/ for a full run; a partial or "
        "--quick run writes nothing unless given]",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks, print their lines, write the results files."""
    args = _parser().parse_args(argv)
    names = [n.strip() for value in args.only for n in value.split(",") if n.strip()]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        _parser().error(f"unknown benchmark {', '.join(unknown)}; choose from {list(BENCHMARKS)}")
    chosen = [name for name in BENCHMARKS if not names or name in names]
    options = Options(quick=args.quick, articles=max(args.articles, 1), slots=args.n)
    machine = machine_info()
    print(
        f"# {machine['cpu_model']}, {machine['usable_cores']} usable cores, Python "
        f"{machine['python']}, load {machine['load_average_at_start']}, {machine['date']}",
        flush=True,
    )
    results: list[Result] = []
    started = time.perf_counter()
    for name in chosen:
        print(f"## {name}", flush=True)
        began = time.perf_counter()
        try:
            result = BENCHMARKS[name](options)
        except Exception as error:  # one broken benchmark must not hide the others
            traceback.print_exc()
            result = Result(name, None, "n/a", "skipped", f"skipped: failed: {error!r}")
        print(f"   {result.summary}  [{time.perf_counter() - began:.1f}s]", flush=True)
        for line in result.lines():
            print(line, flush=True)
        results.append(result)
    machine["load_average_at_end"] = current_load()
    machine["run_seconds"] = round(time.perf_counter() - started, 1)
    out = args.out
    if out is None and not names and not args.quick:
        out = _ROOT / "bench"
    if out is not None:
        md, js = write_results(out, results, machine, quick=args.quick)
        print(f"# wrote {md} and {js}", flush=True)
    else:
        print("# partial or --quick run: results files not written (pass --out DIR)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
