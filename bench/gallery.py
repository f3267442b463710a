"""The gallery after validation: should the validation faces join the face model's gallery once they have given the
validation figures, or should the gallery stay the training faces? Decided on data that is never the exam.

Usage (from the repository root): python -m bench.gallery [--datasets DIR] [--seeds 0,1,2] [--cache DIR]

The development splits of `bench/views.py` (`dev_splits` of bench/common.py) (each person of avengers_faces, five_celebrity_faces and lfw_top7 left out
of their dataset as the stranger, and each dataset against the other two). Since the validation faces may join the
gallery, the known people are answered on a *test* part held out first: per split and seed, 20% of the known photos
(`RandomSplitter(0.2, 1000 + seed)`) are set aside, the rest is split and trained on as `train_face_model` does, then:
- training gallery: the open set over the training faces alone;
- training + validation gallery: the validation faces join it (`add_valid_to_gallery`), as `train_face_model` does.
Both answer the test photos (known people, photos neither saw) and the strangers with the predictor's rule.
Reported: known named correctly and strangers rejected, means over splits, with n. `pins_dev` is not read here.
Figures go to bench/results/gallery.json.
"""
import time
from pathlib import Path

import numpy as np
from fastai.data.transforms import RandomSplitter
from fastcore.script import call_parse

from bench.common import datasets_dir, dev_splits, fit_head, scored, split_known, write_results
from chris_classifier.face_learner import describe_files, add_valid_to_gallery, FaceClassifier
from bench.common import open_set_meta

GALLERIES = ('training faces', 'training + validation faces')

def run_split(known:list, strangers:list, seed:int, cache)->dict:
    "{gallery: (known named correctly, strangers rejected)} for one split and seed."
    table = describe_files(known + strangers, cache)
    rest_i, test_i = RandomSplitter(0.2, 1000 + seed)(known)
    rest, test = [known[i] for i in rest_i], [known[i] for i in test_i]
    files, splits = split_known(rest, table, seed)
    vocab = sorted({f.parent.name for f in known})
    learn = fit_head(files, splits, table, vocab, seed)
    res = {}
    for gallery in GALLERIES:
        if gallery != GALLERIES[0]: add_valid_to_gallery(learn)
        res[gallery] = scored(FaceClassifier(learn.model, open_set_meta(vocab)),
                              table, test, strangers)
    return res

@call_parse
def main(datasets:Path=None, # The folder holding the datasets (default: ../shared/datasets)
         seeds:str='0,1,2', # Comma-separated seeds
         cache:Path=None, # Descriptor cache (default: the project's)
        ):
    "The gallery after validation: should the validation faces join the face model's gallery?"
    seeds = [int(s) for s in seeds.split(',')]
    start = time.time()
    splits = dev_splits(Path(datasets or datasets_dir()))
    per = {g: [] for g in GALLERIES}
    for known, strangers in splits.values():
        for seed in seeds:
            for g, (k, s) in run_split(known, strangers, seed, cache).items(): per[g].append((np.mean(k), np.mean(s)))
    figures = {g: dict(known_correct=round(float(np.mean([k for k, _ in v])), 4), strangers_rejected=round(float(np.mean([s for _, s in v])), 4))
               for g, v in per.items()}
    for g, f in figures.items():
        print(f"gallery of the {g}: known named correctly {f['known_correct']:.4f}, strangers rejected {f['strangers_rejected']:.4f} "
              f"(means over {len(splits)} splits x {len(seeds)} seeds)", flush=True)
    n = dict(splits=len(splits), seeds=len(seeds),
             known_test_photos_per_seed=sum(len(RandomSplitter(0.2, 1000)(k)[1]) for k, _ in splits.values()),
             stranger_photos_per_seed=sum(len(s) for _, s in splits.values()))
    write_results('gallery', dict(galleries=figures, seconds=round(time.time() - start)), n=n, seeds=dict(seeds=seeds))
