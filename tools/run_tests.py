"""Run every notebook's tests as `nbdev-test` does, two notebooks at a time, and close with `N passed, N failed`.

Usage: python tools/run_tests.py [--flags "slow"] [--n-workers N] [NOTEBOOK ...]
Each notebook is one test, run by nbdev's `test_nb` (what `nbdev-test` runs, with the flags and settings of
pyproject.toml) in a process of its own; it fails when any of its cells raises.
The notebooks run with `CHRIS_CLASSIFIER_HOME` set to a temporary folder: tests neither read your collected photos
and models (`~/.chris_classifier`) nor write there (the lesson's sample dataset is generated in that folder).
Five choices keep the run short on a small machine:
- torch and fastai are imported once, here, and each notebook's process is forked from this one, so that no
  notebook spends seconds importing them again (nothing is run before the fork: each notebook starts clean);
- the lesson's model, which 03_train, 03a_predict, 04_review, 05_clean and 07_app use (`lesson_model`), is trained
  once, first, in that folder, as a job of its own when a notebook to test uses it (a notebook that got there first would make the others wait);
- the longest notebooks start first (their seconds in the last measured run, bench/results/tests.json), so a long
  one does not start last while the other worker has nothing left to do;
- each notebook's PyTorch gets its share of the cores (`OMP_NUM_THREADS`, cores / workers, unless already set): two
  notebooks each running two threads on two cores wait on each other's threads, and a small training then takes
  ten times as long.
- a notebook that waits (a download test's timeouts, a server's slow replies) leaves its core idle: while a notebook
  (with the processes it started) uses under a fifth of a core for a second, one more notebook starts (`--extra`,
  1 by default; 0: never more than `--n-workers`).
Why not `nbdev-test` itself: CI (.ci/run) needs only the exit code of `make test`, which `nbdev-test` gives as well,
and nbdev 3's `test_setup` (a function named in pyproject.toml, run once before any notebook) could train the shared
model, set the temporary `CHRIS_CLASSIFIER_HOME` and the threads, and import torch before the workers fork. What it
does not do is the rest: train that model beside the first notebooks rather than before them all, start the longest
notebooks first (it takes them by name), start one more while a core waits, and close with `N passed, N failed` and
each notebook's seconds (its `--timing` prints them only when every notebook passed). The times in the README are
this runner's; `nbdev-test`'s on the same machine have not been measured.
"""
import argparse, importlib, json, os, sys, tempfile, time, traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def test_notebook(nb:Path, flags:str):
    "Run `nb`'s tests as `nbdev-test nb --flags flags` would; True when every cell ran."
    from nbdev.config import get_config
    from nbdev.test import test_nb
    cfg = get_config(nb.parent)
    skip = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    return test_nb(nb, skip_flags=skip, force_flags=flags.split(), basepath=cfg.config_path,
                   cell_timeout=cfg.cell_timeout or None)[0]

def make_lesson_model():
    "Train the lesson's model in `CHRIS_CLASSIFIER_HOME`, with its defaults (`lesson_model`); True when it is there."
    sys.path.insert(0, str(ROOT))
    from chris_classifier.sample import lesson_data_path
    from chris_classifier.train import lesson_model
    return (lesson_model(lesson_data_path())/'model.json').exists()

def fork(job, log:Path)->int:
    "Start `job()` in a child process, its output written to `log`; returns the child's pid (exit code 0: True)."
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid: return pid
    ok = False
    try:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC); os.dup2(fd, 1); os.dup2(fd, 2)
        ok = bool(job())
    except BaseException: traceback.print_exc()
    finally:
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(0 if ok else 1)

def tree_cpu(pids)->dict:
    "{pid: CPU seconds of it and of every process under it, ended ones included} for `pids` (Linux's /proc; {} elsewhere)."
    procs = {}  # pid -> (parent, CPU ticks of the process and of its ended children)
    for d in Path('/proc').glob('[0-9]*'):
        try: f = (d/'stat').read_text().rsplit(')', 1)[1].split()
        except (OSError, IndexError): continue  # gone meanwhile
        procs[int(d.name)] = int(f[1]), sum(map(int, f[11:15]))  # ppid; utime, stime, cutime, cstime
    kids = {}
    for p, (pp, _) in procs.items(): kids.setdefault(pp, []).append(p)
    def total(p): return procs.get(p, (0, 0))[1] + sum(total(k) for k in kids.get(p, ()))
    return {p: total(p) / os.sysconf('SC_CLK_TCK') for p in pids if p in procs}

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
    p.add_argument('--extra', type=int, default=1, help='notebooks started beyond --n-workers while a core sits idle')
    a = p.parse_args()
    nbs = [Path(f).resolve() for f in a.notebooks] or sorted(
        f for f in (ROOT/'nbs').glob('*.ipynb') if not f.name.startswith(('_', '.')))
    threads = str(max(1, (os.cpu_count() or 1) // a.n_workers))
    for k in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'): os.environ.setdefault(k, threads)
    import warnings
    with warnings.catch_warnings():  # fastai's import warns of a deprecation inside torch; the notebooks filter it themselves
        warnings.simplefilter('ignore')
        for m in ('torch', 'fastai.vision.all', 'nbdev.test'): importlib.import_module(m)  # once; each forked notebook finds them
    failed, cpu = 0, {}
    with tempfile.TemporaryDirectory(prefix='chris_home_') as home, tempfile.TemporaryDirectory(prefix='logs_') as logs:
        os.environ['CHRIS_CLASSIFIER_HOME'] = home
        jobs = [(nb.name, lambda nb=nb: test_notebook(nb, a.flags)) for nb in longest_first(nbs, a.flags)]
        if any('lesson_model(' in nb.read_text() for nb in nbs): jobs.insert(0, ("the lesson's model", make_lesson_model))
        running = {}  # pid -> (name, start, log)
        samples, extra = [], 0  # (time, {pid: CPU seconds}) of the last two seconds
        while jobs or running:
            now = time.time()
            samples = [o for o in samples if now - o[0] < 2] + [(now, tree_cpu(running) if a.extra else {})]
            (then, before), cpu_now = samples[0], samples[-1][1]
            waiting = [p for p in running if now - running[p][1] >= 2 and now - then >= 1 and p in before and p in cpu_now
                       and (cpu_now[p] - before[p]) / (now - then) < 0.2]  # using under a fifth of a core
            while jobs and len(running) - len(waiting) < a.n_workers and len(running) < a.n_workers + a.extra:
                name, job = jobs.pop(0)
                log = Path(logs)/f'{len(jobs)}.log'
                extra += len(running) >= a.n_workers
                running[fork(job, log)] = (name, time.time(), log)
                waiting = []
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            if not pid: time.sleep(0.2); continue
            name, start, log = running.pop(pid)
            ok, secs, out = os.waitstatus_to_exitcode(status) == 0, time.time() - start, log.read_text(errors='replace')
            cpu[name] = usage.ru_utime + usage.ru_stime
            if name.endswith('.ipynb'):
                print(f"{'PASS' if ok else 'FAIL'} {name} ({secs:.0f}s)", flush=True)
                failed += not ok
            else: print(f"{'made' if ok else 'could not make'} {name} ({secs:.0f}s)", flush=True)  # notebooks that use it fail too
            if not ok: print(out[-6000:], flush=True)
    print(f'CPU seconds: {sum(cpu.values()):.0f} (' + ', '.join(f'{n} {s:.0f}' for n, s in sorted(cpu.items(), key=lambda o: -o[1])) + ')')
    if extra: print(f'{extra} job(s) started beyond --n-workers {a.n_workers}, while a core was idle')
    print(f'{len(nbs) - failed} passed, {failed} failed')
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())
