"""Benchmark: fastbook's training recipe vs the project's defaults, on real photos, on this machine's CPU.

Usage (from the repository root): python -m bench.train [--datasets DIR] [--dataset NAME] [--configs JSON]
Both runs use the packaged pretrained EfficientNet-Lite0 and the same seeded 80/20 split of the dataset (default
avengers_faces).
Prints `name: value` lines (error rate and training seconds of each), the headline last, and writes them to
bench/results/train.json, which the README shows.
--configs '{"name": {...train_model kwargs...}, ...}' adds more configurations (to choose the defaults).
"""
import json, time, warnings
from pathlib import Path

from fastcore.script import call_parse
from bench.common import RECIPE, find_dataset, write_results
warnings.filterwarnings('ignore')

def run(data, **kw):
    "Train with `train_model(data, **kw)`; returns (error rate, seconds)."
    from chris_classifier.train import train_model
    start = time.time()
    learn = train_model(data, verbose=False, **{'arch': 'efficientnet_lite0', **kw})  # the CNN, also on face photos
    secs = time.time() - start
    return float(learn.recorder.values[-1][2]), secs

@call_parse
def main(datasets:Path=None, # The folder holding the datasets (default: ../shared/datasets)
         dataset:str='avengers_faces', # The folder-per-class dataset in it to train on (or a path to one)
         configs:str='{}', # JSON {name: train_model kwargs} of extra configurations
        ):
    "Benchmark: fastbook's training recipe vs the project's defaults, on real photos, on this machine's CPU."
    data = find_dataset(datasets, dataset)
    import torch
    from chris_classifier.train import TRAIN_DEFAULTS
    from chris_classifier.dataset import usable_files
    print(f'data: {data} ({len(usable_files(data))} images)')
    print(f'cpu_threads: {torch.get_num_threads()}')
    configs = {'recipe': RECIPE, **json.loads(configs), 'defaults': {}}
    res = {}
    for name, kw in configs.items():
        err, secs = run(data, **kw)
        res[name] = (err, secs)
        print(f'{name}_config: {json.dumps({**TRAIN_DEFAULTS, **kw}) if name == "defaults" else json.dumps(kw)}', flush=True)
        print(f'{name}_error_rate: {err:.4f}', flush=True)
        print(f'{name}_train_seconds: {secs:.1f}', flush=True)
    (re, rs), (de, ds) = res['recipe'], res['defaults']
    print(f'time_ratio_recipe_over_defaults: {rs/ds:.2f}')
    headline = (f'defaults error {de:.3f} in {ds:.0f}s vs fastbook recipe error {re:.3f} in {rs:.0f}s '
                f'({rs/ds:.1f}x faster, error {"lower" if de < re else "not lower"})')
    print(f'headline: {headline}')
    write_results('train', dict(configs={name: dict(error_rate=round(e, 4), train_s=round(s, 1),
                                                    config={**TRAIN_DEFAULTS, **configs[name]} if name == 'defaults' else configs[name])
                                         for name, (e, s) in res.items()},
                                time_ratio_recipe_over_defaults=round(rs/ds, 2), headline=headline),
                  n=dict(dataset=data.name, images=len(usable_files(data))), seeds=dict(split=42, train=42))
