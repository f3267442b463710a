"""Copy the benchmark results that the lesson notebooks show into the package, so they travel with it (Colab, a wheel).

Usage (from anywhere): python tools/sync_results.py [--check]

`bench/*.py` write `bench/results/`; `04a_lookalikes` and `09_avoiding_disaster` show some of those results, and a
notebook run from an installed package (Colab) has no `bench/` folder beside it. So the files in `PACKAGED` are
copied, unchanged, to `chris_classifier/results/` (package data, see MANIFEST.in), where
`chris_classifier.lookalikes.bench_result` reads them. `--check` changes nothing and exits 1 when a copy differs
from its source (CI runs it): rerun a benchmark, then this script.
"""
import shutil, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC, DEST = ROOT/'bench'/'results', ROOT/'chris_classifier'/'results'
PACKAGED = ('lookalikes.json', 'lookalikes_confusion.png', 'lookalikes_answers.png', 'open_set.json', 'faces.json', 'train.json')

def out_of_sync()->list:
    "Names in `PACKAGED` whose copy in the package is missing or differs from `bench/results`."
    return [n for n in PACKAGED if not (DEST/n).exists() or (DEST/n).read_bytes() != (SRC/n).read_bytes()]

if __name__ == '__main__':
    stale = out_of_sync()
    if '--check' in sys.argv:
        for n in stale: print(f'chris_classifier/results/{n} differs from bench/results/{n}: run python tools/sync_results.py')
        print('packaged results: in sync with bench/results' if not stale else f'{len(stale)} packaged result file(s) out of sync')
        sys.exit(1 if stale else 0)
    DEST.mkdir(exist_ok=True)
    for n in stale: shutil.copyfile(SRC/n, DEST/n); print(f'copied bench/results/{n} to chris_classifier/results/')
    for f in DEST.iterdir():
        if f.name not in PACKAGED: f.unlink(); print(f'removed chris_classifier/results/{f.name} (not in PACKAGED)')
