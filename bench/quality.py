"""Benchmark: does the face's quality help "none of these" on a source nothing was tuned on (issue 22)?

Usage (from the repository root): python -m bench.quality [--datasets DIR] [--seeds 0,1,2]

The quality measured is the disagreement of a face's two alignments: the distance between its descriptors from the
chip aligned by the 5-point landmarks and from the one aligned by the 68-point landmarks (the views the project
already computes). It is large for a face seen from the side, half hidden or blurred, and such a face lies far from
its own class: on pins_dev most of the known people the default leaves unnamed have it two to three times the median.
The rule measured names a face when `score - a * (disagreement - 0.14)` is at most `t`, where `score` is the project's
open-set score (`open_set_scores`: the lowest over the classes; 0.14 is about the median disagreement, so `a` moves
`t` little), for `a` in `A`; `a = 0` is the project's default rule.

The splits are bench/open_set.py's (each real source held out in turn, and the two larger galleries, reported only).
No model is trained: the score depends only on the training photos' descriptors (each photo's main face), and those
are what the default model's gallery holds, so the figures of `a = 0` are the default's, a photo or two apart where
`train` picks another face of a group photo.
`t` and `a` are chosen as bench/open_set.py chooses `t`: for each held-out source, on the other sources of a pool
only, the largest `t` that rejects `REJECTED + MARGIN` of the strangers on every split and seed of the pool, then the
`a` whose worst known share over the pool is highest (ties: the higher mean, then the smaller `a`). Two pools: the
development sources (`DEV_SOURCES`, the default's own choice) and all five sources. The figures of every `a` at its
own `t` (chosen on the development sources) are reported too, so the reader sees where each `a` stands.
Figures go to bench/results/quality.json.
"""
import time
from pathlib import Path

import numpy as np, torch
from fastcore.script import call_parse

from chris_classifier.face_learner import descriptor_pair, open_set_scores
from bench.common import (write_results, datasets_dir, SOURCES, LARGE_GALLERIES, DEV_SOURCES, REJECTED, MARGIN, loso_split,
                          large_gallery_split, main_views)

A = (0., 0.05, 0.1, 0.15, 0.2)  # the quality weights measured
MEDIAN = 0.14  # about the median disagreement of a face's two alignments, over every source

def disagreement(views:np.ndarray)->np.ndarray:
    "The distance between the '5' and '68' views' descriptors of each face (n x 2 x 128, `DESCRIBE_VIEWS` order)."
    return np.linalg.norm(views[:, 0] - views[:, 1], axis=1)

def split_queries(datasets:Path, held:str, seed:int)->dict:
    "The queries of a split: their lowest project score, its class, their disagreement, the truth (-1: a stranger)."
    sp = large_gallery_split(datasets, held, seed) if held in LARGE_GALLERIES else loso_split(datasets, held, seed)
    vocab = sorted(sp['train'])
    gal = [(v, vocab.index(p)) for p in vocab for v in map(main_views, sp['train'][p]) if v is not None]
    G, Y = descriptor_pair(np.stack([v for v, _ in gal])), torch.tensor([y for _, y in gal])
    Q = [(f, vocab.index(p)) for f, p in sp['known']] + [(f, -1) for f in sp['strangers']]
    views = [main_views(f) for f, _ in Q]
    found = [i for i, v in enumerate(views) if v is not None]  # a query without a face is never named
    V = np.stack([views[i] for i in found])
    S = open_set_scores(descriptor_pair(V), G, Y, len(vocab)).numpy()
    return dict(held=held, seed=seed, score=S.min(1), named=S.argmin(1), disagreement=disagreement(V),
                truth=np.array([Q[i][1] for i in found]), n_known=len(sp['known']), n_strangers=len(sp['strangers']),
                n_faceless_known=sum(1 for i, v in enumerate(views) if v is None and Q[i][1] >= 0))

def rates(q:dict, a:float, t:float)->tuple:
    "(known named correctly, strangers rejected) of split `q` under weight `a` at threshold `t`."
    ok = q['score'] - a*(q['disagreement'] - MEDIAN) <= t
    known = q['truth'] >= 0
    named_right = (ok & (q['named'] == q['truth']))[known].sum()
    return float(named_right/q['n_known']), float(1 - ok[~known].sum()/q['n_strangers'])

def chosen_t(qs:list, a:float, sources)->float:
    "The largest t (4 decimals) rejecting `REJECTED + MARGIN` of the strangers on every split and seed of `sources`."
    lim = []
    for q in (q for q in qs if q['held'] in sources):
        need = np.sort((q['score'] - a*(q['disagreement'] - MEDIAN))[q['truth'] < 0])
        allowed = int(np.floor((1 - REJECTED - MARGIN)*q['n_strangers'] + 1e-9))
        lim.append(need[allowed] if allowed < len(need) else np.inf)
    return round(float(np.floor((min(lim) - 1e-9)*1e4))/1e4, 4)

def figures(qs:list, a:float, t:float, held:str)->dict:
    "Known named (mean, worst seed) and strangers rejected (mean, worst seed) of `held` under `a` at `t`."
    r = np.array([rates(q, a, t) for q in qs if q['held'] == held])
    return dict(known_correct=round(r[:, 0].mean(), 4), min_known_correct=round(r[:, 0].min(), 4),
                strangers_rejected=round(r[:, 1].mean(), 4), min_strangers_rejected=round(r[:, 1].min(), 4))

def choose(qs:list, pool)->tuple:
    "(a, t) chosen on the sources of `pool`: `t` per `a` by `chosen_t`, then the `a` with the best worst known share."
    def merit(a):
        t = chosen_t(qs, a, pool)
        f = [figures(qs, a, t, s) for s in pool]
        return (min(x['min_known_correct'] for x in f), np.mean([x['known_correct'] for x in f]), -a), t
    (_, _, neg_a), t = max(merit(a) for a in A)
    return -neg_a, t

@call_parse
def main(datasets:Path=None, # Folder holding the real face datasets (default: ../shared/datasets)
         seeds:str='0,1,2', # Seeds of the splits, comma-separated
        ):
    "Leave one source out: the project's open-set score with and without a face-quality term."
    start, seeds, datasets = time.time(), [int(s) for s in seeds.split(',')], Path(datasets or datasets_dir())
    qs = [split_queries(datasets, h, s) for h in (*SOURCES, *LARGE_GALLERIES)
          for s in (seeds[:1] if h in ('avengers_faces', 'pins_dev', LARGE_GALLERIES[1]) else seeds)]  # these draw nothing
    helds = list(dict.fromkeys(q['held'] for q in qs))
    res = dict(each_weight={}, nested={})
    for a in A:
        t = chosen_t(qs, a, DEV_SOURCES)
        res['each_weight'][str(a)] = dict(threshold=t, **{h: figures(qs, a, t, h) for h in helds})
    for name, pool in (('development sources', DEV_SOURCES), ('all five sources', tuple(SOURCES))):
        res['nested'][name] = {}
        for h in SOURCES:
            a, t = choose(qs, [s for s in pool if s != h])
            res['nested'][name][h] = dict(weight=a, threshold=t, chosen_on=[s for s in pool if s != h], **figures(qs, a, t, h))
    for a, v in res['each_weight'].items():
        print(f"a {a} (t {v['threshold']}): " + '; '.join(f"{h} {v[h]['known_correct']:.3f} ({v[h]['min_known_correct']:.3f}) / "
                                                          f"{v[h]['strangers_rejected']:.3f} ({v[h]['min_strangers_rejected']:.3f})" for h in helds))
    for name, v in res['nested'].items():
        print(f'chosen on the other {name}: ' + '; '.join(f"{h} a {x['weight']} t {x['threshold']}: {x['known_correct']:.3f} "
                                                            f"({x['min_known_correct']:.3f}) / {x['min_strangers_rejected']:.3f}" for h, x in v.items()))
    n = {h: dict(known=q['n_known'], strangers=q['n_strangers']) for q in qs for h in [q['held']]}
    write_results('quality', dict(res, weights=list(A), median=MEDIAN, seconds=round(time.time() - start)),
                  n=dict(n, seeds=len(seeds)), seeds=dict(seeds=seeds))
