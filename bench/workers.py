"""Benchmark: does the default CNN training go faster with DataLoader worker processes on this machine?

Usage (from the repository root): python -m bench.workers [--datasets DIR] [--dataset NAME] [--workers 0,2] [--seeds 0,1]
Trains the default CNN (`train_model` with the packaged EfficientNet-Lite0, the project's training defaults) on the
dataset (default avengers_faces) once per seed with each number of DataLoader workers, alternating them so that a
change of load on the machine hits both; the reference is `num_workers=0`, the default on a machine with at most 4
cores (`default_workers`). Prints `name: value` lines and writes bench/results/workers.json, which 02_data shows.
"""
import time, warnings
from pathlib import Path

from fastcore.script import call_parse
from bench.common import find_dataset, quiet, say, write_results
warnings.filterwarnings('ignore')

def run(data, n_workers:int, seed:int)->tuple:
    "Train the default CNN on `data` with `n_workers` DataLoader workers; returns (error rate, seconds)."
    from chris_classifier.train import train_model
    start = time.time()
    with quiet(): learn = train_model(data, arch='efficientnet_lite0', num_workers=n_workers, seed=seed, verbose=False)
    return float(learn.recorder.values[-1][2]), time.time() - start

@call_parse
def main(datasets:Path=None, # The folder holding the datasets (default: ../shared/datasets)
         dataset:str='avengers_faces', # The folder-per-class dataset in it to train on (or a path to one)
         workers:str='0,2', # Numbers of DataLoader workers to compare; the first is the reference
         seeds:str='0,1', # Seeds of the split and the training, one run per seed and number of workers
        ):
    "Benchmark: the default CNN training's seconds with DataLoader worker processes, against none."
    import os
    from chris_classifier.dataset import usable_files
    data = find_dataset(datasets, dataset)
    ws, ss = [int(o) for o in workers.split(',')], [int(o) for o in seeds.split(',')]
    runs = {w: [] for w in ws}
    for i, s in enumerate(ss):
        for w in (ws if i % 2 == 0 else ws[::-1]):  # alternated, so that neither always runs first
            err, secs = run(data, w, s)
            runs[w].append(dict(seed=s, error_rate=round(err, 4), train_s=round(secs, 1)))
            say(f'workers_{w}_seed_{s}', f'error {err:.4f}, {secs:.1f} s')
    mean = {w: sum(r['train_s'] for r in rs)/len(rs) for w, rs in runs.items()}
    ref = ws[0]
    ratios = {w: round(mean[w]/mean[ref], 2) for w in ws}
    headline = (f'default CNN training on {data.name}, {os.cpu_count()} CPUs: ' +
                ', '.join(f'{w} workers {mean[w]:.0f} s ({ratios[w]}x)' for w in ws) + f' (mean of {len(ss)} seeds; reference {ref} workers)')
    say('headline', headline)
    write_results('workers', dict(runs={str(w): rs for w, rs in runs.items()}, mean_train_s={str(w): round(m, 1) for w, m in mean.items()},
                                  time_ratio_over_reference={str(w): r for w, r in ratios.items()}, reference_workers=ref, headline=headline),
                  n=dict(dataset=data.name, images=len(usable_files(data)), runs_per_setting=len(ss)), seeds=dict(seeds=ss))
