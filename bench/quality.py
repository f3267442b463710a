"""Benchmark: does the face's quality help "none of these" on a source nothing was tuned on (issue 22)?

Usage (from the repository root): python -m bench.quality [--datasets DIR] [--seeds 0,1,2]

Two qualities are measured (`TERMS`), each on its own:
- `alignment`: the disagreement of a face's two alignments, the distance between its descriptors from the chip aligned
  by the 5-point landmarks and from the one aligned by the 68-point landmarks (the views the project already
  computes). It is large for a face seen from the side, half hidden or blurred, and such a face lies far from its own
  class: on pins_dev most of the known people the default leaves unnamed have it two to three times the median.
- `size`: how small the face is, `100 / width - 1` (its box's width in pixels; 0 for a face 100 px wide). A small face
  has a noisier descriptor: lfw_top7's faces are about 72 px wide, and its strangers are the ones that bind `t`.
The rule measured names a face when `score - a * (quality - centre)` is at most `t`, where `score` is the project's
open-set score (`open_set_scores`: the lowest over the classes) and `centre` about the median quality (0.14 for the
alignment, 0 for the size), so that `a` moves `t` little, for `a` in the term's weights (negative for the size: a
smaller face must score lower); `a = 0` is the project's default rule.

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

def disagreement(views:np.ndarray)->np.ndarray:
    "The distance between the '5' and '68' views' descriptors of each face (n x 2 x 128, `DESCRIBE_VIEWS` order)."
    return np.linalg.norm(views[:, 0] - views[:, 1], axis=1)

def smallness(widths:np.ndarray)->np.ndarray:
    "`100 / width - 1` of each face's box width (px): 0 at 100 px, larger for a smaller face."
    return 100/np.maximum(widths, 20) - 1

TERMS = dict(alignment=dict(centre=0.14, weights=(0., 0.05, 0.1, 0.15, 0.2)),  # centre: about the median, over every source
             size=dict(centre=0., weights=(0., -0.01, -0.02, -0.03, -0.05)))

def main_face(f:Path):
    "(per-view descriptors, box width) of `f`'s main face, None without a face; from the cache."
    from chris_classifier.faces import photo_descriptors
    d = photo_descriptors(f)
    return (d['views'][0], float(d['boxes'][0][2] - d['boxes'][0][0])) if len(d['views']) else None

def split_queries(datasets:Path, held:str, seed:int)->dict:
    "The queries of a split: their lowest project score, its class, their qualities (`TERMS`), the truth (-1: a stranger)."
    sp = large_gallery_split(datasets, held, seed) if held in LARGE_GALLERIES else loso_split(datasets, held, seed)
    vocab = sorted(sp['train'])
    gal = [(v, vocab.index(p)) for p in vocab for v in map(main_views, sp['train'][p]) if v is not None]
    G, Y = descriptor_pair(np.stack([v for v, _ in gal])), torch.tensor([y for _, y in gal])
    Q = [(f, vocab.index(p)) for f, p in sp['known']] + [(f, -1) for f in sp['strangers']]
    faces = [main_face(f) for f, _ in Q]
    found = [i for i, v in enumerate(faces) if v is not None]  # a query without a face is never named
    V = np.stack([faces[i][0] for i in found])
    S = open_set_scores(descriptor_pair(V), G, Y, len(vocab)).numpy()
    return dict(held=held, seed=seed, score=S.min(1), named=S.argmin(1), alignment=disagreement(V),
                size=smallness(np.array([faces[i][1] for i in found])),
                truth=np.array([Q[i][1] for i in found]), n_known=len(sp['known']), n_strangers=len(sp['strangers']),
                n_faceless_known=sum(1 for i, v in enumerate(faces) if v is None and Q[i][1] >= 0))

def adjusted(q:dict, term:str, a:float)->np.ndarray:
    "The scores of split `q`'s queries with the quality term: `score - a * (quality - centre)`."
    return q['score'] - a*(q[term] - TERMS[term]['centre'])

def rates(q:dict, term:str, a:float, t:float)->tuple:
    "(known named correctly, strangers rejected) of split `q` under `term`'s weight `a` at threshold `t`."
    ok = adjusted(q, term, a) <= t
    known = q['truth'] >= 0
    named_right = (ok & (q['named'] == q['truth']))[known].sum()
    return float(named_right/q['n_known']), float(1 - ok[~known].sum()/q['n_strangers'])

def chosen_t(qs:list, term:str, a:float, sources)->float:
    "The largest t (4 decimals) rejecting `REJECTED + MARGIN` of the strangers on every split and seed of `sources`."
    lim = []
    for q in (q for q in qs if q['held'] in sources):
        need = np.sort(adjusted(q, term, a)[q['truth'] < 0])
        allowed = int(np.floor((1 - REJECTED - MARGIN)*q['n_strangers'] + 1e-9))
        lim.append(need[allowed] if allowed < len(need) else np.inf)
    return round(float(np.floor((min(lim) - 1e-9)*1e4))/1e4, 4)

def figures(qs:list, term:str, a:float, t:float, held:str)->dict:
    "Known named (mean, worst seed) and strangers rejected (mean, worst seed) of `held` under `term`'s `a` at `t`."
    r = np.array([rates(q, term, a, t) for q in qs if q['held'] == held])
    return dict(known_correct=round(r[:, 0].mean(), 4), min_known_correct=round(r[:, 0].min(), 4),
                strangers_rejected=round(r[:, 1].mean(), 4), min_strangers_rejected=round(r[:, 1].min(), 4))

def choose(qs:list, term:str, pool)->tuple:
    "(a, t) chosen on the sources of `pool`: `t` per `a` by `chosen_t`, then the `a` with the best worst known share."
    def merit(a):
        t = chosen_t(qs, term, a, pool)
        f = [figures(qs, term, a, t, s) for s in pool]
        return (min(x['min_known_correct'] for x in f), np.mean([x['known_correct'] for x in f]), -abs(a)), t, a
    _, t, a = max(merit(a) for a in TERMS[term]['weights'])
    return a, t

@call_parse
def main(datasets:Path=None, # Folder holding the real face datasets (default: ../shared/datasets)
         seeds:str='0,1,2', # Seeds of the splits, comma-separated
        ):
    "Leave one source out: the project's open-set score with and without a face-quality term."
    start, seeds, datasets = time.time(), [int(s) for s in seeds.split(',')], Path(datasets or datasets_dir())
    qs = [split_queries(datasets, h, s) for h in (*SOURCES, *LARGE_GALLERIES)
          for s in (seeds[:1] if h in ('avengers_faces', 'pins_dev', LARGE_GALLERIES[1]) else seeds)]  # these draw nothing
    helds = list(dict.fromkeys(q['held'] for q in qs))
    res = {}
    for term in TERMS:
        r = res[term] = dict(each_weight={}, nested={})
        for a in TERMS[term]['weights']:
            t = chosen_t(qs, term, a, DEV_SOURCES)
            r['each_weight'][str(a)] = dict(threshold=t, **{h: figures(qs, term, a, t, h) for h in helds})
        for name, pool in (('development sources', DEV_SOURCES), ('all five sources', tuple(SOURCES))):
            r['nested'][name] = {}
            for h in SOURCES:
                a, t = choose(qs, term, [s for s in pool if s != h])
                r['nested'][name][h] = dict(weight=a, threshold=t, chosen_on=[s for s in pool if s != h], **figures(qs, term, a, t, h))
        for a, v in r['each_weight'].items():
            print(f"{term} a {a} (t {v['threshold']}): " + '; '.join(f"{h} {v[h]['known_correct']:.3f} ({v[h]['min_known_correct']:.3f}) / "
                                                              f"{v[h]['strangers_rejected']:.3f} ({v[h]['min_strangers_rejected']:.3f})" for h in helds))
        for name, v in r['nested'].items():
            print(f'{term}, chosen on the other {name}: ' + '; '.join(f"{h} a {x['weight']} t {x['threshold']}: {x['known_correct']:.3f} "
                                                                f"({x['min_known_correct']:.3f}) / {x['min_strangers_rejected']:.3f}" for h, x in v.items()))
    n = {}  # per split, the first seed's draw, as bench/open_set.py reports it
    for q in qs: n.setdefault(q['held'], dict(known=q['n_known'], strangers=q['n_strangers']))
    write_results('quality', dict(terms=res, definitions=TERMS, seconds=round(time.time() - start)),
                  n=dict(n, seeds=len(seeds)), seeds=dict(seeds=seeds))
