"""Descriptor views: which views of each face, averaged into its descriptor, make the open set hold best, on data
that is never the exam? Two views cost two passes of dlib's descriptor network per face, four cost four.

Usage (from the repository root): python -m bench.views [--datasets DIR] [--seeds 0,1,2] [--cache DIR]

Development splits, made from `avengers_faces`, `five_celebrity_faces` and `lfw_top7` only:
- leave one person out: train on the other people of a dataset, the person left out plays the stranger (17 splits);
- across datasets: train on one dataset, everyone in the other two plays the stranger (3 splits).
For each split, seed and view set, the project's face learner is trained as `train_face_model` trains it (fastai
learner over cached descriptors, `FACE_TRAIN_DEFAULTS`, the seeded 80/20 split), its open set has the default `t`
(`OPEN_SET_THRESHOLD`; the validation faces stay out of the gallery here, since they are the known photos answered), and it answers its validation photos (known people) and the strangers with the
predictor's rule (threshold 0.5). Every view set holds the '68' view, which the open-set score needs (so the mirror
pair of the 5-point chip alone is not a candidate). Reported per view set: known photos named correctly and
strangers rejected (means over splits, and pooled), with n. `pins_dev` is not read here: it is the
exam of `bench/open_set.py`. Figures go to bench/results/views.json.
"""
import time
from pathlib import Path

import numpy as np
from fastai.data.transforms import RandomSplitter
from fastcore.script import call_parse

from bench.common import datasets_dir, dev_splits, fit_head, scored, split_known, write_results
from chris_classifier.face_learner import FACE_TRAIN_DEFAULTS, describe_files, FaceClassifier
from bench.common import open_set_meta

# Every set holds the '68' view: the open-set rule scores the '68' view beside the mean of the views (`descriptor_pair`).
VIEW_SETS = {'2 views: the 5-point and the 68-point chips': ('5', '68'),
             '4 views: the 5- and 68-point chips and their mirrors': ('5', '5m', '68', '68m')}

def answer_split(known:list, strangers:list, views:tuple, seed:int, cache)->tuple:
    "(known named correctly, strangers rejected), each a list of booleans, for one split, seed and view set."
    table = describe_files(known + strangers, cache, views=views)
    files, splits = split_known(known, table, seed)
    vocab = sorted({f.parent.name for f in known})
    learn = fit_head(files, splits, table, vocab, seed)
    clf = FaceClassifier(learn.model, open_set_meta(vocab, views))  # the training faces are the gallery: the validation photos are the known answered
    return scored(clf, table, [files[i] for i in splits[1]], strangers)

@call_parse
def main(datasets:Path=None, # The folder holding the datasets (default: ../shared/datasets)
         seeds:str='0,1,2', # Comma-separated seeds
         cache:Path=None, # Descriptor cache (default: the project's)
        ):
    "Descriptor views: which views of each face make the open set hold best, on data that is never the exam?"
    seeds = [int(s) for s in seeds.split(',')]
    start = time.time()
    splits = dev_splits(Path(datasets or datasets_dir()))
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
