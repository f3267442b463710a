"""How long do the README's test commands take: `make test` (every test) and `make test-fast` (without the slow cells)?

Usage (from the repository root): python -m bench.tests [--rev HEAD] [--n-workers 2]

Clones the repository at `--rev` into a temporary folder (a clean checkout, as CI has), then runs there, with this
environment's Python, what the two make targets run: `tools/run_tests.py --flags slow` (`make test`) and
`tools/run_tests.py` (`make test-fast`), each once, timed from start to end, with the seconds of every notebook.
The targets: `make test` within 10 minutes and `make test-fast` within 2 minutes on 2 cores. Both commands must pass;
a failure exits 1 and writes nothing. Writes bench/results/tests.json, which the README shows.
"""
import os, re, subprocess, sys, tempfile, time
from pathlib import Path

from fastcore.script import call_parse
from bench.common import ROOT, write_results

TARGETS = {'make test': 600, 'make test-fast': 120}  # seconds, on 2 cores
FLAGS = {'make test': ['--flags', 'slow'], 'make test-fast': []}

def timed_suite(repo:Path, flags:list, n_workers:int)->dict:
    "Run tools/run_tests.py in `repo`; {seconds, passed, failed, notebooks: {name: seconds}}."
    start = time.time()
    res = subprocess.run([sys.executable, 'tools/run_tests.py', *flags, '--n-workers', str(n_workers)], cwd=repo,
                         capture_output=True, text=True, env={**os.environ, 'PYTHONPATH': str(repo)})
    secs = time.time() - start
    if res.returncode: sys.exit(f'the tests failed in {repo}:\n{res.stdout[-3000:]}')
    nbs = {m[1]: int(m[2]) for m in re.finditer(r'^PASS (\S+) \((\d+)s\)$', res.stdout, re.M)}
    passed, failed = map(int, re.search(r'(\d+) passed, (\d+) failed', res.stdout).groups())
    return dict(seconds=round(secs), passed=passed, failed=failed, notebooks=nbs)

@call_parse
def main(rev:str='HEAD', # The commit to clone and test
         n_workers:int=2, # Notebooks tested at a time (the Makefile's default)
        ):
    "Time `make test` and `make test-fast` on a clean clone."
    figures = {}
    with tempfile.TemporaryDirectory(prefix='bench_tests_') as tmp:
        repo = Path(tmp)/'repo'
        subprocess.run(['git', 'clone', '-q', str(ROOT), str(repo)], check=True)
        subprocess.run(['git', 'checkout', '-q', rev], cwd=repo, check=True)
        for name, flags in FLAGS.items():
            r = timed_suite(repo, flags, n_workers)
            r.update(target_s=TARGETS[name], target_met=r['seconds'] <= TARGETS[name])
            figures[name] = r
            print(f"{name}: {r['seconds']} s ({r['passed']} passed), target {TARGETS[name]} s: {'met' if r['target_met'] else 'not met'}", flush=True)
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=repo, capture_output=True, text=True).stdout.strip()
    figures['headline'] = ', '.join(f"{k} {v['seconds']} s" for k, v in figures.items())
    write_results('tests', figures, n=dict(notebooks=len(figures['make test']['notebooks']), n_workers=n_workers), commit=commit)
