"""Run every notebook's tests with `nbdev-test`, two notebooks at a time, and close with `N passed, N failed`.

Usage: python tools/run_tests.py [--flags "slow"] [--n-workers N] [NOTEBOOK ...]
Each notebook is one test, run in its own `nbdev-test` process; it fails when any of its cells raises.
The notebooks run with `CHRIS_CLASSIFIER_HOME` set to a temporary folder: tests neither read your collected photos
and models (`~/.chris_classifier`) nor write there (the lesson's sample dataset is generated in that folder).
Three choices keep the run short on a small machine:
- the lesson's model, which 03_train, 03a_predict, 04_review, 05_clean and 07_app use (`lesson_model`), is trained
  once, first, in that folder, as a job of its own (a notebook that got there first would make the others wait);
- the longest notebooks start first (their seconds in the last measured run, bench/results/tests.json), so a long
  one does not start last while the other worker has nothing left to do;
- each notebook's PyTorch gets its share of the cores (`OMP_NUM_THREADS`, cores / workers, unless already set): two
  notebooks each running two threads on two cores wait on each other's threads, and a small training then takes
  ten times as long.
Why not `nbdev-test` alone: it prints only `Success.` or the names of the failed notebooks, not the `N passed, N failed`
line CI reads; each notebook here is still run by `nbdev-test` itself.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def run_notebook(nb:Path, flags:str, env:dict):
    "Test one notebook in its own process, with the environment `env`; returns (passed, seconds, output)."
    start = time.time()
    cmd = [str(Path(sys.executable).parent/'nbdev-test'), str(nb)] + (['--flags', flags] if flags else [])
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return res.returncode == 0, time.time() - start, res.stdout + res.stderr

LESSON_MODEL = ('from chris_classifier.sample import lesson_data_path; from chris_classifier.train import lesson_model; '
                'lesson_model(lesson_data_path())')

def make_lesson_model(env:dict):
    "Train the lesson's model in `env`'s `CHRIS_CLASSIFIER_HOME`, with its defaults; returns (made, seconds, output)."
    start = time.time()
    res = subprocess.run([sys.executable, '-c', LESSON_MODEL], capture_output=True, text=True, env=env, cwd=ROOT)
    return res.returncode == 0, time.time() - start, res.stdout + res.stderr

def last_seconds(flags:str)->dict:
    "Each notebook's seconds in the last measured run with these flags (bench/results/tests.json); {} when there is none."
    try: figs = json.loads((ROOT/'bench'/'results'/'tests.json').read_text())['figures']
    except (OSError, ValueError, KeyError): return {}
    return figs.get('make test' if 'slow' in flags.split() else 'make test-fast', {}).get('notebooks', {})

def longest_first(nbs:list, flags:str)->list:
    "`nbs` ordered by their last measured seconds, longest first; a notebook never measured counts as long."
    secs = last_seconds(flags)
    return sorted(nbs, key=lambda nb: -secs.get(nb.name, float('inf')))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', help='notebooks to test (default: every notebook in nbs/)')
    p.add_argument('--flags', default='', help='space-separated test flags to run too (e.g. "slow")')
    p.add_argument('--n-workers', type=int, default=2)
    a = p.parse_args()
    nbs = [Path(f).resolve() for f in a.notebooks] or sorted(
        f for f in (ROOT/'nbs').glob('*.ipynb') if not f.name.startswith(('_', '.')))
    threads = str(max(1, (os.cpu_count() or 1) // a.n_workers))
    failed = 0
    with ThreadPoolExecutor(a.n_workers) as ex, tempfile.TemporaryDirectory(prefix='chris_home_') as home:
        env = {'OMP_NUM_THREADS': threads, 'MKL_NUM_THREADS': threads, **os.environ, 'CHRIS_CLASSIFIER_HOME': home}
        model = ex.submit(make_lesson_model, env)
        jobs = {ex.submit(run_notebook, nb, a.flags, env): nb for nb in longest_first(nbs, a.flags)}
        made, secs, out = model.result()
        print(f"{'made' if made else 'could not make'} the lesson's model ({secs:.0f}s)", flush=True)
        if not made: print(out[-6000:], flush=True)  # the notebooks that use it fail too, and say why
        for job in as_completed(jobs):
            ok, secs, out = job.result()
            print(f"{'PASS' if ok else 'FAIL'} {jobs[job].name} ({secs:.0f}s)", flush=True)
            if not ok: failed += 1; print(out[-6000:], flush=True)
    print(f'{len(nbs) - failed} passed, {failed} failed')
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())
