"""Look-alikes: the project's CNN and its face learner side by side, on their validation split and on a second photo source.

Usage (from the repository root): python -m bench.lookalikes [--datasets DIR] [--dataset NAME] [--known NAME] [--seeds 1,2,3] [--fastbook]

For each seed, on the dataset (default avengers_faces of ../shared/datasets, the seeded 80/20 split of `train_model`):
- cnn: `train_model`'s defaults with the packaged EfficientNet-Lite0;
- face: `train_model(..., arch='face')`, the face-descriptor learner, with `train_model`'s defaults (as the CLI trains it);
- fastbook (with --fastbook, first seed only: about 500 s a seed on 2 CPU cores): fastbook chapter 2's recipe
  (`RECIPE` of bench/common.py) with the same backbone.
Each model is saved, loaded back with `Predictor.from_dir` and evaluated on
(a) `valid`: its own validation photos (a face model's validation faces join its gallery once validated, so its
`user` figure there is a little flattered; its `closed` figure is not); (b) `pins_known`: the photos of `--known` (default
pins_dev/known: three of the same people, other photos from another collection).
Two answers are counted per photo: `closed` (argmax over the known classes; a face model that finds no face is
wrong) and `user` (what `Predictor.predict` answers, so "none of these" and "no face found" count as errors).
Writes bench/results/lookalikes.json (`write_results`: command, date, machine, seeds, n; the figures are the error
rates, most_confused and confusion counts) and two figures of counts summed over the seeds (class names and numbers only, no photos):
bench/results/lookalikes_confusion.png (closed set) and bench/results/lookalikes_answers.png (what users see).

Figures go to bench/results/lookalikes.json; 04a_lookalikes and the README quote that file. With `train_model`'s
defaults the CNN trains in seconds to minutes a seed on 2 CPU cores, the fastbook recipe in several minutes.
"""
import json, tempfile, time, warnings
from pathlib import Path

import numpy as np
from fastcore.script import call_parse

from bench.common import RECIPE, RESULTS, datasets_dir, find_dataset, quiet, write_results
warnings.filterwarnings('ignore')

def train(data, out, seed, **kw):
    "Train and save a model with `train_model`; returns (model folder, training seconds)."
    from chris_classifier.train import train_model
    t = time.time()
    with quiet(): train_model(data, out=out, seed=seed, verbose=False, **kw)
    return out, time.time() - t

def closed_probs(predictor, files, cache):
    "Closed-set probabilities (n x classes); a face model's row is all zeros where it finds no face."
    import torch
    if predictor.kind != 'face':
        from chris_classifier.predict import probs_matrix
        return probs_matrix(predictor.predict_many(files, on_error='raise'), predictor.vocab)
    from chris_classifier.faces import photo_descriptors
    descs = [photo_descriptors(f, cache, predictor.meta.get('detectors'))['views'] for f in files]
    res = torch.zeros(len(files), len(predictor.vocab))
    idx = [i for i, d in enumerate(descs) if len(d)]
    if idx: res[idx] = predictor.model.probs(torch.from_numpy(np.stack([descs[i][0] for i in idx])), open_set=False)
    return res

def evaluate(model_dir, files, cache):
    "Error rates, most confused pairs and confusion counts of the saved model on `files` (labelled by folder)."
    from chris_classifier.core import NONE_OF_THESE, NO_FACE
    from chris_classifier.predict import Predictor
    from chris_classifier.review import ProbsInterpretation
    p = Predictor.from_dir(model_dir)
    vocab, truth = p.vocab, [Path(f).parent.name for f in files]
    interp = ProbsInterpretation(files, closed_probs(p, files, cache), [vocab.index(t) for t in truth], vocab)
    closed = [vocab[i] if i >= 0 else NO_FACE for i in interp.preds.tolist()]
    user = [o.label for o in p.predict_many(files, on_error='raise')]
    cols = vocab + [NONE_OF_THESE, NO_FACE]
    counts = lambda ans: [[sum(t == a and u == c for t, u in zip(truth, ans)) for c in cols] for a in vocab]
    err = lambda ans: float(np.mean([a != t for a, t in zip(ans, truth)]))
    return dict(n=len(files), closed_error=err(closed), user_error=err(user),
                user_none_of_these=user.count(NONE_OF_THESE), user_no_face=user.count(NO_FACE),
                most_confused=[[a, b, int(c)] for a, b, c in interp.most_confused()],
                columns=cols, closed_counts=counts(closed), user_counts=counts(user))

def eval_sets(model_dir, data, known):
    "The model's own validation photos and every photo of `known`."
    from chris_classifier.model_format import read_meta
    from chris_classifier.dataset import usable_files
    meta = read_meta(model_dir)
    return dict(valid=[Path(meta['train_folder'])/f for f in meta['valid_files']],
                pins_known=list(usable_files(known)) if known.is_dir() else [])

def run_seed(name, data, known, seed, tmp, cache, **kw):
    "Train one model and evaluate it on both sets; prints one line per set."
    if kw.get('arch') == 'face': kw['cache'] = cache  # face descriptors are described once, shared by the seeds
    out, secs = train(data, tmp/f'{name}_{seed}', seed, **kw)
    res = dict(train_seconds=round(secs, 1))
    for set_name, files in eval_sets(out, data, known).items():
        if not files: continue
        r = res[set_name] = evaluate(out, files, cache)
        print(f"{name}.seed{seed}.{set_name}: closed error {r['closed_error']:.3f}, user error {r['user_error']:.3f} "
              f"(n={r['n']}, none of these {r['user_none_of_these']}, no face {r['user_no_face']}), "
              f"most confused {r['most_confused'][:3]}, train {secs:.0f}s", flush=True)
    return res

def summary(runs):
    "Mean, min and max of each error over the seeds, per model and evaluation set."
    res = {}
    for model, by_seed in runs.items():
        for set_name in ('valid', 'pins_known'):
            rs = [r[set_name] for r in by_seed.values() if set_name in r]
            if not rs: continue
            res.setdefault(model, {})[set_name] = {**{k: dict(mean=float(np.mean([r[k] for r in rs])), min=min(r[k] for r in rs),
                max=max(r[k] for r in rs)) for k in ('closed_error', 'user_error')}, 'n_per_seed': rs[0]['n'],
                'seeds': [s for s, r in by_seed.items() if set_name in r]}
    return res

def total_counts(by_seed, set_name, kind):
    "Confusion counts summed over the seeds (rows: actual class; columns: answers)."
    rs = [r[set_name] for r in by_seed.values() if set_name in r]
    return np.sum([r[f'{kind}_counts'] for r in rs], 0), rs[0]['columns'], len(rs)

def plot_confusion(runs, kind, fn):
    "Side-by-side confusion matrices (counts summed over seeds): one row per evaluation set, one column per model."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from chris_classifier.review import save_figure
    sets = [s for s in ('valid', 'pins_known') if any(s in r for m in runs.values() for r in m.values())]
    fig, axs = plt.subplots(len(sets), len(runs), figsize=(5.2*len(runs), 4.6*len(sets)), squeeze=False)
    for i, s in enumerate(sets):
        for j, (model, by_seed) in enumerate(runs.items()):
            ax = axs[i, j]
            cm, cols, k = total_counts(by_seed, s, kind)
            rows = cols[:cm.shape[0]]
            if kind == 'closed': cm, cols = cm[:, :len(rows)], rows  # a missed face is an error outside the matrix
            if s == 'pins_known':  # only the people of that set
                keep = [r for r in range(len(rows)) if cm[r].sum()]
                cm, rows = cm[keep], [rows[r] for r in keep]
            ax.imshow(cm, cmap='Blues')
            for (a, b), v in np.ndenumerate(cm): ax.text(b, a, int(v), ha='center', va='center', fontsize=8,
                                                          color='white' if v > cm.max()/2 else 'black')
            ax.set_xticks(range(len(cols)), [c.replace('_', ' ') for c in cols], rotation=60, ha='right', fontsize=8)
            ax.set_yticks(range(len(rows)), [c.replace('_', ' ') for c in rows], fontsize=8)
            wrong = cm.sum() - sum(cm[r, cols.index(rows[r])] for r in range(len(rows)))
            ax.set_title(f'{model} on {s}: {int(wrong)}/{int(cm.sum())} wrong\n({k} seed{"s" if k > 1 else ""} summed)', fontsize=9)
            ax.set_xlabel('answer' if kind == 'user' else 'predicted', fontsize=8); ax.set_ylabel('actual', fontsize=8)
    fig.suptitle('closed set (argmax over known classes)' if kind == 'closed' else 'what a user sees (Predictor.predict)')
    fig.tight_layout()
    return save_figure(fn, fig)

@call_parse
def main(datasets:Path=None, # The folder holding the datasets (default: ../shared/datasets)
         dataset:str='avengers_faces', # The training dataset in it (or a path to one)
         known:str='pins_dev/known', # Second source, same people, in the datasets folder (or a path to one)
         seeds:str='1,2,3', # Comma-separated seeds (split, initialisation, shuffling)
         fastbook:bool=False, # Also fastbook's recipe, first seed only (about 500 s)
         out:Path=None, # Folder for lookalikes.json and the figures (default: bench/results)
        ):
    "Look-alikes: the project's CNN and its face learner side by side, on their validation split and on a second photo source."
    data = find_dataset(datasets, dataset)
    known = (Path(datasets or datasets_dir())/known).resolve()
    seeds = [int(s) for s in seeds.split(',')]
    from chris_classifier.train import TRAIN_DEFAULTS
    start = time.time()
    models = dict(cnn=f'train_model defaults {json.dumps(TRAIN_DEFAULTS)}, efficientnet_lite0',
                  face="train_model(arch='face') with the face learner's defaults",
                  fastbook=f'fastbook chapter 2 recipe {json.dumps(RECIPE)}, first seed only' if fastbook else
                           'not run (about 500 s a seed on 2 CPU cores, see bench/faces.py); pass --fastbook')
    runs = dict(cnn={}, face={})
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp); cache = tmp/'cache'
        for seed in seeds:
            runs['cnn'][seed] = run_seed('cnn', data, known, seed, tmp, cache, arch='efficientnet_lite0')
            runs['face'][seed] = run_seed('face', data, known, seed, tmp, cache, arch='face')
        if fastbook: runs['fastbook'] = {seeds[0]: run_seed('fastbook', data, known, seeds[0], tmp, cache, **RECIPE)}
    res = dict(summary=summary(runs), runs=runs, seconds=round(time.time() - start))
    out = Path(out or RESULTS); out.mkdir(parents=True, exist_ok=True)
    plot_confusion(runs, 'closed', out/'lookalikes_confusion.png')
    plot_confusion(runs, 'user', out/'lookalikes_answers.png')
    write_results('lookalikes', res, n={k: v['n_per_seed'] for k, v in res['summary'].get('cnn', {}).items()}, seeds=dict(seeds=seeds),
                  folder=out, data=data.name, known=f'{known.parent.name}/{known.name}' if known.is_dir() else None, models=models,
                  answers=dict(closed='argmax over the known classes; no face found counts as an error',
                               user='Predictor.predict label: "none of these" and "no face found" count as errors'))
    for m, s in res['summary'].items():
        for set_name, v in s.items():
            print(f"{m}.{set_name}: closed error mean {v['closed_error']['mean']:.3f} "
                  f"(min {v['closed_error']['min']:.3f}, max {v['closed_error']['max']:.3f}), user error mean "
                  f"{v['user_error']['mean']:.3f}, n={v['n_per_seed']} per seed, seeds {v['seeds']}")
    print(f"{res['seconds']} s in all")
