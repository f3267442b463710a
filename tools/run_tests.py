"""Run every notebook's tests with `nbdev-test`, two notebooks at a time, and close with `N passed, N failed`.

Usage: python tools/run_tests.py [--flags "slow"] [--n-workers N] [NOTEBOOK ...]
Each notebook is one test, run in its own `nbdev-test` process; it fails when any of its cells raises.
The notebooks run with `CHRIS_CLASSIFIER_HOME` set to a temporary folder: tests neither read your collected photos
and models (`~/.chris_classifier`) nor write there (the lesson's sample dataset is generated in that folder).
Why not `nbdev-test` alone: it prints only `Success.` or the names of the failed notebooks, not the `N passed, N failed`
line CI reads; each notebook here is still run by `nbdev-test` itself.
"""
import argparse, os, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

def run_notebook(nb:Path, flags:str, home:str):
    "Test one notebook in its own process, with `CHRIS_CLASSIFIER_HOME=home`; returns (passed, seconds, output)."
    start = time.time()
    cmd = [str(Path(sys.executable).parent/'nbdev-test'), str(nb)] + (['--flags', flags] if flags else [])
    res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, 'CHRIS_CLASSIFIER_HOME': home})
    return res.returncode == 0, time.time() - start, res.stdout + res.stderr

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', help='notebooks to test (default: every notebook in nbs/)')
    p.add_argument('--flags', default='', help='space-separated test flags to run too (e.g. "slow")')
    p.add_argument('--n-workers', type=int, default=2)
    a = p.parse_args()
    root = Path(__file__).resolve().parent.parent
    nbs = [Path(f).resolve() for f in a.notebooks] or sorted(
        f for f in (root/'nbs').glob('*.ipynb') if not f.name.startswith(('_', '.')))
    failed = 0
    with ThreadPoolExecutor(a.n_workers) as ex, tempfile.TemporaryDirectory(prefix='chris_home_') as home:
        for nb, (ok, secs, out) in zip(nbs, ex.map(lambda nb: run_notebook(nb, a.flags, home), nbs)):
            print(f"{'PASS' if ok else 'FAIL'} {nb.name} ({secs:.0f}s)", flush=True)
            if not ok: failed += 1; print(out[-6000:], flush=True)
    print(f'{len(nbs) - failed} passed, {failed} failed')
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())
