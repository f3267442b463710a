"""Descriptor views: which views of each face, averaged into its descriptor, make the open set hold best, on data
that is never the exam? Two views cost two passes of dlib's descriptor network per face, four cost four.

Usage (from the repository root): python bench/views.py [--datasets DIR] [--seeds 0,1,2]

Development splits, made from `avengers_faces`, `five_celebrity_faces` and `lfw_top7` only:
- leave one person out: train on the other people of a dataset, the person left out plays the stranger (17 splits);
- across datasets: train on one dataset, everyone in the other two plays the stranger (3 splits).
For each split, seed and view set, the project's face learner is trained as `train_face_model` trains it (fastai
learner over cached descriptors, `FACE_TRAIN_DEFAULTS`, the seeded 80/20 split), its open set has the default `d0`
(`DISTANCE_THRESHOLD`; the validation faces stay out of the gallery here, since they are the known photos answered), and it answers its validation photos (known people) and the strangers with the
predictor's rule (`FaceClassifier.probs`, threshold 0.5). Reported per view set: known photos named correctly and
strangers rejected (means over splits, and pooled), with n. `pins_dev` is not read here: it is the
exam of `bench/open_set.py`. Figures go to bench/results/views.json.
"""
import argparse, sys, time
from pathlib import Path

import numpy as np, torch
from fastai.data.transforms import RandomSplitter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT/'tools'))
from figures import write_results
from chris_classifier.core import dataset_image_files, class_folders
from chris_classifier.face_learner import FACE_TRAIN_DEFAULTS, DISTANCE_THRESHOLD, describe_files, face_learner, FaceClassifier

DATASETS = ('avengers_faces', 'five_celebrity_faces', 'lfw_top7')
VIEW_SETS = {'2 views: the 5-point chip and its mirror': ('5', '5m'), '2 views: the 5-point and the 68-point chips': ('5', '68'),
             '4 views: the 5- and 68-point chips and their mirrors': ('5', '5m', '68', '68m')}

def dev_splits(root:Path)->dict:
    "{name: (known files, stranger files)}: every person left out of their dataset, and every dataset against the others."
    files = {d: sorted(dataset_image_files(root/d)) for d in DATASETS}
    splits = {}
    for d in DATASETS:
        for person in (p.name for p in class_folders(root/d)):
            splits[f'{d} without {person}'] = ([f for f in files[d] if f.parent.name != person],
                                               [f for f in files[d] if f.parent.name == person])
    for d in DATASETS:
        splits[f'{d} against the others'] = (files[d], [f for e in DATASETS if e != d for f in files[e]])
    return splits

def fit_head(files:list, splits:tuple, table:dict, vocab:list, seed:int):
    "A face learner over `files` trained as `train_face_model` trains it."
    learn = face_learner(files, splits, table, vocab, bs=FACE_TRAIN_DEFAULTS['bs'], seed=seed)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(FACE_TRAIN_DEFAULTS['epochs'], FACE_TRAIN_DEFAULTS['lr'], wd=0.1)
    return learn

def answers(clf:FaceClassifier, table:dict, files:list)->list:
    "The predictor's rule for each file: the top open-set probability names the person, below 0.5 None (\"none of these\")."
    if not files: return []
    top = clf.probs(torch.from_numpy(np.stack([table[str(f)] for f in files]))).max(1)
    return [clf.vocab[i] if v >= 0.5 else None for v, i in zip(top.values.tolist(), top.indices.tolist())]

def scored(clf:FaceClassifier, table:dict, known:list, strangers:list)->tuple:
    "(known named correctly, strangers rejected), lists of booleans; a photo without a face gets no name."
    seen = [f for f in known if str(f) in table]
    known_ok = [a == f.parent.name for a, f in zip(answers(clf, table, seen), seen)]
    seen = [f for f in strangers if str(f) in table]
    return known_ok, [a is None for a in answers(clf, table, seen)] + [True]*(len(strangers) - len(seen))

def split_known(known:list, table:dict, seed:int)->tuple:
    "(files with a face, (train indices, valid indices)): `known` split as `train_face_model` splits it."
    tr, va = RandomSplitter(FACE_TRAIN_DEFAULTS['valid_pct'], seed)(known)
    files = [f for f in known if str(f) in table]
    pos = {f: i for i, f in enumerate(files)}
    return files, ([pos[known[i]] for i in tr if known[i] in pos], [pos[known[i]] for i in va if known[i] in pos])

def answer_split(known:list, strangers:list, views:tuple, seed:int, cache)->tuple:
    "(known named correctly, strangers rejected), each a list of booleans, for one split, seed and view set."
    table = describe_files(known + strangers, cache, views=views)
    files, splits = split_known(known, table, seed)
    vocab = sorted({f.parent.name for f in known})
    learn = fit_head(files, splits, table, vocab, seed)
    d0 = DISTANCE_THRESHOLD  # the training faces are the gallery: the validation photos are the known answered
    clf = FaceClassifier(learn.model, dict(vocab=vocab, distance_threshold=d0, distance_scale=0.025))
    return scored(clf, table, [files[i] for i in splits[1]], strangers)

def dev_arguments(doc:str)->tuple:
    "(datasets folder, seeds, descriptor cache) from the command line of a development-split bench."
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument('--datasets', type=Path, default=ROOT.parent/'shared'/'datasets')
    p.add_argument('--seeds', default='0,1,2')
    p.add_argument('--cache', type=Path, default=None, help='descriptor cache (default: the project\'s)')
    a = p.parse_args()
    return a.datasets, [int(s) for s in a.seeds.split(',')], a.cache

def main():
    datasets, seeds, cache = dev_arguments(__doc__)
    start = time.time()
    splits = dev_splits(datasets)
    figures = {}
    for name, views in VIEW_SETS.items():
        per_split = {}
        for split, (known, strangers) in splits.items():
            for seed in seeds:
                k, s = answer_split(known, strangers, views, seed, cache)
                per_split.setdefault(split, []).append((k, s))
        kc = [np.mean(k) for runs in per_split.values() for k, _ in runs]
        sr = [np.mean(s) for runs in per_split.values() for _, s in runs]
        worst = min(per_split, key=lambda n: np.mean([np.mean(s) for _, s in per_split[n]]))
        figures[name] = dict(views=list(views), known_correct=round(float(np.mean(kc)), 4), strangers_rejected=round(float(np.mean(sr)), 4),
                             known_correct_pooled=round(float(np.mean([v for runs in per_split.values() for k, _ in runs for v in k])), 4),
                             strangers_rejected_pooled=round(float(np.mean([v for runs in per_split.values() for _, s in runs for v in s])), 4),
                             worst_split=worst, worst_split_rejected=round(float(np.mean([np.mean(s) for _, s in per_split[worst]])), 4))
        print(f"{name}: known named correctly {figures[name]['known_correct']:.4f}, strangers rejected {figures[name]['strangers_rejected']:.4f} "
              f"(means over {len(splits)} splits x {len(seeds)} seeds; pooled {figures[name]['known_correct_pooled']:.4f} / "
              f"{figures[name]['strangers_rejected_pooled']:.4f}); worst split: {worst} ({figures[name]['worst_split_rejected']:.3f} rejected)", flush=True)
    n = dict(splits=len(splits), seeds=len(seeds),
             known_valid_photos_per_seed=sum(len(RandomSplitter(FACE_TRAIN_DEFAULTS['valid_pct'], 0)(k)[1]) for k, _ in splits.values()),
             stranger_photos_per_seed=sum(len(s) for _, s in splits.values()))
    write_results('views', dict(view_sets=figures, seconds=round(time.time() - start)), n=n, seeds=dict(seeds=seeds))

if __name__ == '__main__': main()
