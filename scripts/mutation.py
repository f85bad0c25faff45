"""Mutation testing of the pure core with mutmut: `make mutation` (all modules, hours on two
cores), `make mutation MODULES="text agreement"` (some), `SAMPLE=200` (a random sample of each
module's mutants, seeded, for an estimate in minutes).

Each module runs in a throwaway copy of the committed tree (`git archive HEAD`) with its own
setup.cfg, because mutmut reads its options only from there and mutates in place under
`mutants/`. Workers start from a fork server, not a fork of a warm process: a forked worker
inherits `lru_cache`d indexes built from the unmutated code and lets mutants of them survive.
The fork server is not warmed up either (`forkserver_warmup = none`): warming up collects the
tests once in the server, and a second collection in the same process (each worker's) escapes
the explicit non-ASCII `ids=` of a parametrized test again (pytest 9 keeps the escaped ids on the
mark), so pytest finds none of those tests, ends with a usage error, and mutmut records exit code
255 for the mutant. The warm-up also imported the module under test before any mutant was set,
so tables built at import time came from the unmutated code. Each worker now imports everything
itself (from bytecode compiled once, below), hence the larger `timeout_constant`.

It prints killed / checked per module and exits non-zero when any is below 90 %. Surviving
mutants can be read with `mutmut show NAME` inside the copy it names; the README lists those
judged equivalent.
"""

import argparse
import collections
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.90

# module: (files mutated, tests that guard them, pytest arguments left out of the mutant runs)
MODULES = {
    "text": (["reader/text.py"], ["tests/test_text.py", "tests/test_reanchoring.py"], []),
    "suggest": (["reader/suggest.py", "reader/sentences.py"], ["tests/test_suggest.py"], []),
    "agreement": (["reader/agreement.py"], ["tests/test_agreement.py"], []),
    "names": (["reader/names.py"], ["tests/test_names.py"], []),
    "attribution": (
        ["reader/attribution.py"],
        ["tests/test_attribution.py", "tests/test_attribution_rules.py"],
        # The hypothesis properties take most of the time and kill few mutants; they still run in
        # `make test`. Leaving them out makes the figure a lower bound.
        [
            f"--deselect=tests/test_attribution.py::{test}"
            for test in (
                "test_every_span_is_a_non_empty_range_of_the_text",
                "test_the_contents_of_direct_quotations_begin_and_end_with_quotation_marks",
                "test_no_cue_or_content_character_belongs_to_two_attributions",
                "test_proposals_are_deterministic_and_sorted",
            )
        ],
    ),
}

# mutmut's exit codes per mutant (its stats.py): 1 and 3 killed, 37 caught by the type check, a
# crash counted as killed; 0 survived, 5 and 33 no test covers it (a survivor too). Timeouts are
# counted apart and left out of the score: a mutant may hang, but a busy machine can also stop a
# slow one. mutmut files 255 under timeouts too, but it is the worker's own exception (pytest could
# not run the tests asked for), so it is reported apart as an error: never a kill.
KILLED = {1, 3, 37, -11, -9}
SURVIVED = {0, 5, 33}
TIMED_OUT = {-24, 24, 36, 152}
ERRORED = {255}


def setup_cfg(files, tests, extra, isolation="forkserver"):
    def lines(values):
        return "".join(f"\n    {value}" for value in values)

    return (
        "[mutmut]\n"
        "source_paths = reader\n"
        f"only_mutate ={lines(files)}\n"
        f"pytest_add_cli_args_test_selection ={lines(tests)}\n"
        f"pytest_add_cli_args ={lines(['-p', 'no:cacheprovider', '-q', '-x', *extra])}\n"
        f"process_isolation = {isolation}\n"
        "forkserver_warmup = none\n"
        "timeout_constant = 10\n"
        f"also_copy ={lines(['tests', 'seeds', 'templates', 'static', 'bench', 'scripts', 'manage.py'])}\n"
    )


def copy_of_head(folder):
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)


def outcomes(folder, files):
    codes = {}
    for name in files:
        meta = folder / "mutants" / (name + ".meta")
        if meta.exists():
            codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    return codes


def run_module(name, *, sample, seed, keep):
    files, tests, extra = MODULES[name]
    folder = Path(tempfile.mkdtemp(prefix=f"mutation-{name}-"))
    copy_of_head(folder)
    isolation = os.environ.get("MUTATION_ISOLATION", "forkserver")  # or "fork"
    (folder / "setup.cfg").write_text(setup_cfg(files, tests, extra, isolation))
    mutmut = [str(Path(sys.executable).with_name("mutmut")), "run", "--max-children", str(os.cpu_count())]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reader.settings"}
    env.pop("DATABASE_URL", None)
    # Generate the mutants without running any (a name that matches none), then compile them once:
    # every worker imports the mutated files afresh, and without a bytecode cache (the environment
    # may say PYTHONDONTWRITEBYTECODE) each would compile them again, seconds each for attribution.
    subprocess.run([*mutmut, "no-such-mutant"], cwd=folder, env=env, capture_output=True)
    mutated = [str(folder / "mutants" / name) for name in files]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *mutated], check=True)
    if sample:
        names = sorted(outcomes(folder, files))
        chosen = random.Random(seed).sample(names, min(sample, len(names)))
        subprocess.run([*mutmut, *chosen], cwd=folder, env=env, check=False)
        codes = {key: value for key, value in outcomes(folder, files).items() if key in set(chosen)}
    else:
        subprocess.run(mutmut, cwd=folder, env=env, check=False)
        codes = outcomes(folder, files)
    counts = collections.Counter(codes.values())
    killed = sum(counts[code] for code in KILLED)
    timed_out = sum(counts[code] for code in TIMED_OUT)
    errored = sum(counts[code] for code in ERRORED)
    survived = [key for key, code in codes.items() if code in SURVIVED]
    checked = killed + len(survived)
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "mutants": len(codes),
        "checked": checked,
        "killed": killed,
        "timed_out": timed_out,
        "errored": errored,
        "score": round(killed / checked, 3) if checked else None,
        "survivors": sorted(survived),
        "folder": str(folder) if keep else None,
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("modules", nargs="*", help=f"some of {', '.join(MODULES)} (default: all)")
    parser.add_argument("--sample", type=int, default=0, help="run this many random mutants per module")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the copies, to `mutmut show` survivors")
    args = parser.parse_args()
    # A file name works too: `MODULES=reader/attribution.py`.
    args.modules = [Path(name).stem if name.endswith(".py") else name for name in args.modules]
    unknown = set(args.modules) - set(MODULES)
    if unknown:
        parser.error(f"no such module: {', '.join(sorted(unknown))}; choose from {', '.join(MODULES)}")
    results = {}
    for name in args.modules or list(MODULES):
        results[name] = run_module(name, sample=args.sample, seed=args.seed, keep=args.keep)
        r = results[name]
        score = "no score" if r["score"] is None else f"{r['score']:.1%}"
        print(
            f"{name}: {r['killed']} of {r['checked']} mutants killed ({score}); "
            f"{r['timed_out']} timed out and {r['errored']} errored, not counted",
            flush=True,
        )
        for survivor in r["survivors"]:
            print(f"  survived: {survivor}")
    print(json.dumps({name: {k: v for k, v in r.items() if k != "survivors"} for name, r in results.items()}))
    low = [name for name, r in results.items() if r["score"] is None or r["score"] < TARGET]
    if low:
        print(f"below {TARGET:.0%}: {', '.join(low)}")
    raise SystemExit(1 if low else 0)


if __name__ == "__main__":
    main()
