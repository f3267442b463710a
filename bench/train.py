"""Benchmark: fastbook's training recipe vs the project's defaults, on real photos, on this machine's CPU.

Usage (from the repo root): python bench/train.py [--data DIR] [--try JSON]
Both runs use the packaged pretrained EfficientNet-Lite0 and the same seeded 80/20 split of DIR.
Prints `name: value` lines (error rate and training seconds of each), the headline last, and writes them to
bench/results/train.json (tools/figures.py), which the README shows.
--try '{"name": {...train_model kwargs...}, ...}' adds more configurations (to choose the defaults).
"""
import argparse, json, os, subprocess, sys, time, warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT/'tools'))
warnings.filterwarnings('ignore')

# fastbook chapter 2: RandomResizedCrop(224, min_scale=0.5), aug_transforms(), fine_tune(4) (fastai's default
# base_lr 2e-3, one frozen epoch, batch size 64); here with the packaged EfficientNet-Lite0 instead of a downloaded ResNet
RECIPE = dict(size=224, min_scale=0.5, epochs=4, freeze_epochs=1, lr=2e-3, bs=64, desaturate=0)

def default_data()->Path:
    "../shared/datasets/avengers_faces beside the repository (or beside the main checkout, from a git worktree)."
    cands = [ROOT.parent/'shared/datasets/avengers_faces']
    try:
        common = subprocess.run(['git', 'rev-parse', '--git-common-dir'], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        if common: cands.append((ROOT/common).resolve().parent.parent/'shared/datasets/avengers_faces')
    except OSError: pass
    return next((c for c in cands if c.is_dir()), cands[0])

def run(data, **kw):
    "Train with `train_model(data, **kw)`; returns (error rate, seconds)."
    from chris_classifier.train import train_model
    start = time.time()
    learn = train_model(data, verbose=False, **{'arch': 'efficientnet_lite0', **kw})  # the CNN, also on face photos
    secs = time.time() - start
    return float(learn.recorder.values[-1][2]), secs

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, default=None, help='folder-per-class dataset (default ../shared/datasets/avengers_faces)')
    p.add_argument('--try', dest='extra', default='{}', help='JSON {name: train_model kwargs} of extra configurations')
    a = p.parse_args()
    data = a.data or default_data()
    if not data.is_dir(): sys.exit(f'No dataset at {data} (pass --data DIR)')
    import torch
    from chris_classifier.train import TRAIN_DEFAULTS
    from chris_classifier.core import usable_files
    print(f'data: {data} ({len(usable_files(data))} images)')
    print(f'cpu_threads: {torch.get_num_threads()}')
    configs = {'recipe': RECIPE, **json.loads(a.extra), 'defaults': {}}
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
    from figures import write_results
    write_results('train', dict(configs={name: dict(error_rate=round(e, 4), train_s=round(s, 1),
                                                    config={**TRAIN_DEFAULTS, **configs[name]} if name == 'defaults' else configs[name])
                                         for name, (e, s) in res.items()},
                                time_ratio_recipe_over_defaults=round(rs/ds, 2), headline=headline),
                  n=dict(dataset=data.name, images=len(usable_files(data))), seeds=dict(split=42, train=42))

if __name__ == '__main__': main()
