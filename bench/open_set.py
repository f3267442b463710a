"""Open set, leave one source out: does a face model name known people and turn strangers away on photos from a
source that nothing was trained, tuned or calibrated on?

Usage (from the repository root): python -m bench.open_set [--datasets DIR] [--seeds 0,1,2]

Every real source takes its turn as the held-out source; its photos are the queries:
- `pins_dev`: the model learns the five people of `avengers_faces` (all 244 photos); queries: `pins_dev/known`
  (three of them, photographed elsewhere) and `pins_dev/strangers` (ten people in no vocabulary).
- `avengers_faces`: the model learns Mark Ruffalo, Robert Downey Jr. and Scarlett Johansson from `pins_dev/known`;
  queries: the same three in `avengers_faces`, and its two Chrises (held out of the vocabulary) as strangers.
- `five_celebrity_faces`, `lfw_top7` (the first 40 photos of each person), `scraped_dev` (its `test/` photos): these
  people are in no other source, so half of them (drawn by the seed) are held out of the vocabulary as strangers,
  and the model learns the others from a seeded half of their photos; the other half are the known queries.
Two more splits have larger galleries (`LARGE_GALLERIES`): lfw_top7 with all of its photos, and
scraped_dev's search results, perfectly cleaned, as the training photos (queries: its `test/` photos and pins_dev's
strangers). A score that shrinks as a person's photos grow in number lets strangers in there; they are reported beside
the splits, and never used to choose anything.
The model is the project's default: `train_face_model` on a folder of the training photos (what `train` does on face
photos), answered through its `FaceClassifier` at its thresholds, as the `Predictor` answers (`default`).

The open-set threshold `t` (`OPEN_SET_THRESHOLD`) is never chosen on the queries' source. Each query has the
smallest `t` at which the model would name it (its score; where the head names it, plus what the head's own doubt adds); `nested` chooses, for
each held-out source, the largest `t` that rejects `REJECTED + MARGIN` of the strangers on every split and seed of
the development sources (`DEV_SOURCES`) other than the held-out one, and reports the held-out figures at it;
`shipped` is the same choice on all development sources: what the library ships. The same is done for two other
rules, to compare: the same score with the name given by the head, its probabilities scaled by the familiarity of
the class it names (`head-named`), the centroid-distance rule, the head's name and the distance to that class's
centroid alone (`centroid distance`), and per-class calibration (`class-calibrated`, issue 22's "per-class calibration"):
the score placed between the class's own typical score and its typical impostor score, both from the model's gallery,
`(score - g_c)/(i_c - g_c)` (`class_calibration`), so a class whose photos vary more is judged on its own scale. Its
figures at its own shipped threshold are also given on the larger galleries.

Reference, in the same run: dlib descriptors (the 5-point chip, as `face_recognition` makes them) of the same
training photos; a query gets the name of its nearest face, or of its nearest class centroid, when closer than t.
t is the best single threshold *in hindsight*: chosen on the queries themselves, the highest share of known people
named with >= 98% of strangers rejected, the best a perfectly tuned `face_recognition` user could get.
Reported per split (mean and worst of the seeds), the worst split and the mean over splits, with n; the trade-off
curve of the worst split is drawn to bench/results/open_set.png. Figures go to bench/results/open_set.json.
Target (issue 22): on every split, known named >= 0.96 with strangers rejected >= 0.98, and above the reference.
"""
import contextlib, io, tempfile, time
from pathlib import Path

import numpy as np, torch
from fastcore.script import call_parse

from chris_classifier.face_learner import (train_face_model, FaceClassifier, class_centroids, descriptor_pair,
                                          open_set_scores, OPEN_SET_THRESHOLD)
from bench.common import (write_results, RESULTS, datasets_dir, SOURCES, REJECTED, DEV_SOURCES, LARGE_GALLERIES, MARGIN,
                          loso_split, large_gallery_split, main_views)

def linked_dataset(train:dict, root:Path)->Path:
    "A dataset folder at `root` of links to the training photos, one class folder per person."
    for p, fs in train.items():
        (root/p).mkdir(parents=True)
        for i, f in enumerate(fs): (root/p/f'{i:04d}{f.suffix.lower()}').symlink_to(f.resolve())
    return root

RULES = ('project', 'head-named', 'centroid distance', 'class-calibrated')  # the default (named by the lowest score); named by the head; distance to the centroid alone; calibrated per class

def class_calibration(gallery:torch.Tensor, gallery_y:torch.Tensor, n:int, share:float)->torch.Tensor:
    """Per class (n x 2): the median `open_set_scores` of its own gallery faces, each left out of the class it is
    scored against (g_c), and the median of the other classes' faces (i_c); nan for a class with one face or alone."""
    S, res = open_set_scores(gallery, gallery, gallery_y, n, share), torch.full((n, 2), float('nan'))
    for c in range(n):
        g = gallery[gallery_y == c]
        if len(g) < 2 or len(g) == len(gallery): continue
        rest = lambda i: torch.arange(len(g)) != i
        own = torch.stack([open_set_scores(g[i:i+1], g[rest(i)], torch.zeros(len(g) - 1, dtype=torch.long), 1, share)[0, 0] for i in range(len(g))])
        res[c] = torch.stack([own.median(), S[gallery_y != c, c].median()])
    return res

def project_answers(clf:FaceClassifier, files:list)->dict:
    """{'default': [(name, top open-set probability)], rule: [(name, -(smallest t at which the rule names it))]}
    for `files`, as the model answers them; (None, -inf) without a face."""
    views = [main_views(f) for f in files]
    idx = [i for i, v in enumerate(views) if v is not None]
    res = {k: [(None, -np.inf)]*len(files) for k in ('default', *RULES)}
    if not idx: return res
    x = torch.from_numpy(np.stack([views[i] for i in idx]))
    top, p = clf.probs(x).max(1), clf.probs(x, open_set=False)
    xp, h, m, n = descriptor_pair(x, clf.views), clf.head, clf.meta, len(clf.vocab)
    S = open_set_scores(xp, h.gallery, h.gallery_y, n, m['open_set_share'])
    dist = torch.cdist(xp[:, 0], class_centroids(h.gallery[:, 0], h.gallery_y, n).nan_to_num(posinf=1e6))
    cal = class_calibration(h.gallery, h.gallery_y, n, m['open_set_share'])
    Z = ((S - cal[:, 0])/(cal[:, 1] - cal[:, 0])).nan_to_num(nan=np.inf)
    named, by_score = p.argmax(1), S.argmin(1)
    r = torch.arange(len(x))
    doubt = m['open_set_scale']*torch.logit(torch.clamp(m['threshold']/p.max(1).values, max=1.))  # t - score at which p_top * sigmoid = threshold
    need = {'project': S[r, by_score] + m['open_set_scale']*float(np.log(m['threshold']/(1 - m['threshold']))), 'head-named': S[r, named] + doubt, 'centroid distance': dist[r, named] + doubt, 'class-calibrated': Z[r, by_score]}
    for j, i in enumerate(idx):
        res['default'][i] = (clf.vocab[top.indices[j]], float(top.values[j]))
        for k, c in (('project', by_score), ('head-named', named), ('centroid distance', named), ('class-calibrated', by_score)):
            res[k][i] = (clf.vocab[c[j]], -float(need[k][j]))
    return res

def reference_answers(train:dict, files:list)->dict:
    "{'nearest face' | 'class centroid': [(name, -distance)]}: dlib's 5-point descriptors against the training photos."
    gal = [(v[0], p) for p, fs in train.items() for v in (main_views(f, ('5',)) for f in fs) if v is not None]
    G, labels = np.stack([d for d, _ in gal]), [p for _, p in gal]
    names = sorted(set(labels))
    C = np.stack([G[[l == n for l in labels]].mean(0) for n in names])
    res = {'nearest face': [], 'class centroid': []}
    for f in files:
        q = main_views(f, ('5',))
        if q is None:
            for v in res.values(): v.append((None, -np.inf))
            continue
        d, c = np.linalg.norm(G - q[0], axis=1), np.linalg.norm(C - q[0], axis=1)
        res['nearest face'].append((labels[d.argmin()], -float(d.min())))
        res['class centroid'].append((names[c.argmin()], -float(c.min())))
    return res

def rates(known:list, strangers:list, t:float)->tuple:
    "(known named correctly, strangers rejected) when a name is given for a score >= t; `known`: (name, score, person)."
    return (float(np.mean([n == p and s >= t for n, s, p in known])), float(np.mean([n is None or s < t for n, s in strangers])))

def trade_off(known:list, strangers:list)->list:
    "[(t, known named, strangers rejected)] at every score that occurs: the whole trade-off curve."
    ts = sorted({s for _, s, _ in known} | {s for _, s in strangers} - {-np.inf})
    return [(t, *rates(known, strangers, t)) for t in ts] + [(np.inf, 0., 1.)]

def best_in_hindsight(curve:list, rejected:float=REJECTED)->dict:
    "The point of `curve` that names the most known people with >= `rejected` strangers rejected."
    t, k, s = max((p for p in curve if p[2] >= rejected), key=lambda p: (p[1], p[2]))
    return dict(threshold=round(abs(t), 4) if np.isfinite(t) else None, known_correct=round(k, 4), strangers_rejected=round(s, 4))

def run_split(datasets:Path, held:str, seed:int, tmp:Path)->dict:
    "Train the default model for one split and seed; the project's and the reference's figures on its queries."
    sp = large_gallery_split(datasets, held, seed) if held in LARGE_GALLERIES else loso_split(datasets, held, seed)
    with contextlib.redirect_stdout(io.StringIO()):
        learn = train_face_model(linked_dataset(sp['train'], tmp/f'{held}_{seed}'.replace(' ', '_').replace(',', '')), seed=seed)
    clf = FaceClassifier(learn.model, learn.meta)
    files = [f for f, _ in sp['known']] + sp['strangers']
    nk, people = len(sp['known']), [p for _, p in sp['known']]
    answers = dict(**project_answers(clf, files), **reference_answers(sp['train'], files))
    row = dict(open_set_threshold=clf.meta['open_set_threshold'], held=held, seed=seed, vocabulary=sorted(sp['train']),
               n_train=sum(map(len, sp['train'].values())), n_known=nk, n_strangers=len(sp['strangers']),
               strangers_people=sorted({f.parent.name for f in sp['strangers']}), curves={}, needs={},
               valid_error_rate=learn.meta['metrics']['error_rate'])
    for rule, ans in answers.items():
        if rule == 'default': continue
        k, s = [(n, v, p) for (n, v), p in zip(ans[:nk], people)], ans[nk:]
        curve = trade_off(k, s)
        row[rule] = best_in_hindsight(curve)
        row['curves'][rule] = [(round(a, 4), round(b, 4)) for _, a, b in curve]
        if rule in RULES:  # per query: named right (known) and the smallest t that names it
            row['needs'][rule] = dict(known=[(n == p, -v) for n, v, p in k], strangers=[-v for _, v in s])
    row['_model'] = (clf, files, people)  # kept until the shipped threshold is known (`answer_default`)
    return answer_default(row, clf.meta['open_set_threshold'])

def answer_default(row:dict, t:float)->dict:
    "`row` with its 'default' figures: the trained model answering through `FaceClassifier` with `open_set_threshold` `t`."
    clf, files, people = row['_model']
    clf = FaceClassifier(clf.head, dict(clf.meta, open_set_threshold=t))
    ans, nk = project_answers(clf, files)['default'], len(people)
    kc, sr = rates([(n, v, p) for (n, v), p in zip(ans[:nk], people)], ans[nk:], clf.meta['threshold'])
    row['default'] = dict(known_correct=round(kc, 4), strangers_rejected=round(sr, 4), threshold=clf.meta['threshold'],
                          open_set_threshold=t, rule=clf.meta['open_set'],
                          same_as_nested=bool(np.allclose(at_threshold(row, t), (kc, sr))))  # the library and `nested` agree
    return row

def chosen_threshold(rows:list, sources, rule:str='project')->float:
    "The largest t (4 decimals) at which `rule` rejects `REJECTED + MARGIN` of the strangers on every split and seed of `sources`."
    lim = []
    for r in (r for r in rows if r['held'] in sources):
        a = np.sort(r['needs'][rule]['strangers'])  # a stranger is named when t >= its need
        allowed = int(np.floor((1 - REJECTED - MARGIN)*len(a) + 1e-9))
        lim.append(a[allowed] if allowed < len(a) else np.inf)
    return float(np.floor((min(lim) - 1e-9)*1e4)/1e4)

def at_threshold(r:dict, t:float, rule:str='project')->tuple:
    "(known named, strangers rejected) of run `r` under `rule` at threshold `t`."
    n = r['needs'][rule]
    return float(np.mean([ok and a <= t for ok, a in n['known']])), float(np.mean([a > t for a in n['strangers']]))

def nested(rows:list, rule:str='project')->dict:
    """For each held-out source: `rule`'s threshold chosen on the *other* development sources only, and the held-out
    figures at it; and the threshold chosen on all development sources (what the project ships), with the figures of
    the larger galleries at it."""
    res, shipped = {}, chosen_threshold(rows, DEV_SOURCES, rule)
    for h in dict.fromkeys(r['held'] for r in rows if r['held'] in SOURCES):
        t = chosen_threshold(rows, [s for s in DEV_SOURCES if s != h], rule)
        at = [at_threshold(r, t, rule) for r in rows if r['held'] == h]
        res[h] = dict(chosen_on=[s for s in DEV_SOURCES if s != h], threshold=t,
                      known_correct=round(float(np.mean([k for k, _ in at])), 4), min_known_correct=round(min(k for k, _ in at), 4),
                      min_strangers_rejected=round(min(s for _, s in at), 4))
    large = {h: [at_threshold(r, shipped, rule) for r in rows if r['held'] == h] for h in LARGE_GALLERIES}
    return dict(splits=res, shipped=shipped, large_galleries={h: dict(known_correct=round(float(np.mean([k for k, _ in at])), 4),
                strangers_rejected=round(float(np.mean([s for _, s in at])), 4), min_strangers_rejected=round(min(s for _, s in at), 4))
                for h, at in large.items() if at})

def thin(curve:list, n:int=25)->list:
    "At most `n` points of a curve, evenly spread, for the result file and the picture."
    return curve if len(curve) <= n else [curve[int(i)] for i in np.linspace(0, len(curve) - 1, n)]

def summarise(rows:list)->dict:
    "Per split: means and worsts over the seeds; then the worst split and the mean over splits."
    per = {}
    for h in dict.fromkeys(r['held'] for r in rows):
        rs = [r for r in rows if r['held'] == h]
        m = lambda rule, key: round(float(np.mean([r[rule][key] for r in rs])), 4)
        per[h] = dict(n_known=rs[0]['n_known'], n_strangers=rs[0]['n_strangers'], n_train=rs[0]['n_train'], seeds=[r['seed'] for r in rs],
                      default=dict(known_correct=m('default', 'known_correct'), strangers_rejected=m('default', 'strangers_rejected'),
                                   min_known_correct=min(r['default']['known_correct'] for r in rs),
                                   min_strangers_rejected=min(r['default']['strangers_rejected'] for r in rs)),
                      **{rule: dict(known_correct=m(rule, 'known_correct'), strangers_rejected=m(rule, 'strangers_rejected'))
                         for rule in (*RULES, 'nearest face', 'class centroid')})
        d, ref = per[h]['default'], max(per[h]['nearest face']['known_correct'], per[h]['class centroid']['known_correct'])
        per[h]['target_met'] = bool(d['min_known_correct'] >= 0.96 and d['min_strangers_rejected'] >= REJECTED
                                    and d['known_correct'] >= ref)  # 'above' where the reference is not already 1
    worst = min(per, key=lambda h: (per[h]['default']['min_strangers_rejected'] >= REJECTED, per[h]['default']['known_correct']))
    mean = lambda rule, key: round(float(np.mean([v[rule][key] for v in per.values()])), 4)
    return dict(splits=per, worst_split=worst, target_met=all(v['target_met'] for v in per.values()),
                mean={rule: dict(known_correct=mean(rule, 'known_correct'), strangers_rejected=mean(rule, 'strangers_rejected'))
                      for rule in ('default', *RULES, 'nearest face', 'class centroid')})

def draw(rows:list, held:str, out:Path)->Path:
    "The trade-off curves of split `held` (first seed): the project's score, the reference's distances, the default."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    r = next(r for r in rows if r['held'] == held)
    fig, ax = plt.subplots(figsize=(6, 4.2))
    names = {'project': "project's score (every t)", 'centroid distance': 'centroid-distance rule (every t)',
             'nearest face': 'reference (dlib): nearest face', 'class centroid': 'reference (dlib): class centroid'}
    for rule, style in (('project', '-'), ('centroid distance', '-.'), ('nearest face', '--'), ('class centroid', ':')):
        k, s = zip(*r['curves'][rule])
        ax.plot(s, k, style, label=names[rule])
    ax.plot([r['default']['strangers_rejected']], [r['default']['known_correct']], 'o', label='project default')
    ax.axvline(REJECTED, color='grey', lw=0.5); ax.axhline(0.96, color='grey', lw=0.5)
    ax.set(xlim=(0.8, 1.005), ylim=(0.5, 1.005), xlabel='strangers rejected', ylabel='known people named correctly',
           title=f"{held} held out (seed {r['seed']}): {r['n_known']} known, {r['n_strangers']} strangers")
    ax.legend(loc='lower left', fontsize=8); fig.tight_layout(); fig.savefig(out, dpi=110); plt.close(fig)
    return out

@call_parse
def main(datasets:Path=None, # Folder holding the real face datasets (default: ../shared/datasets)
         seeds:str='0,1,2', # Seeds (split, head and calibration), comma-separated
        ):
    "Leave one source out: the project's default open set against dlib's best threshold in hindsight."
    start, seeds, datasets = time.time(), [int(s) for s in seeds.split(',')], Path(datasets or datasets_dir())
    tmp, rows = Path(tempfile.mkdtemp()), []
    for held in (*SOURCES, *LARGE_GALLERIES):
        for seed in (seeds if held != LARGE_GALLERIES[1] else seeds[:1]):  # the search results' split draws nothing
            rows.append(r := run_split(datasets, held, seed, tmp))
            print(f"{held} seed {seed} (n {r['n_known']} known / {r['n_strangers']} strangers; valid error {r['valid_error_rate']}): default "
                  f"{r['default']['known_correct']:.3f} / {r['default']['strangers_rejected']:.3f}; at >= {REJECTED} rejected, "
                  f"best in hindsight: project {r['project']['known_correct']:.3f}, nearest face {r['nearest face']['known_correct']:.3f} "
                  f"(t {r['nearest face']['threshold']}), centroid {r['class centroid']['known_correct']:.3f} (t {r['class centroid']['threshold']})", flush=True)
    nest = nested(rows)  # the default rule
    other_rules = {rule: nested(rows, rule) for rule in RULES[1:]}
    if nest['shipped'] != OPEN_SET_THRESHOLD:  # what the library would ship now: its models answered again at it
        print(f"OPEN_SET_THRESHOLD is {OPEN_SET_THRESHOLD}; the development sources choose {nest['shipped']}: the default "
              "below is the same models answering at the chosen one (set OPEN_SET_THRESHOLD to it)")
        rows = [answer_default(r, nest['shipped']) for r in rows]
    large = [r for r in rows if r['held'] in LARGE_GALLERIES]
    rows = [r for r in rows if r['held'] not in LARGE_GALLERIES]
    s = summarise(rows)
    draw(rows, s['worst_split'], RESULTS/'open_set.png')
    s['large_galleries'] = summarise(large)['splits']
    s['nested'] = nest
    s['nested_other_rules'] = other_rules
    for r in large: del r['needs'], r['_model'], r['curves']
    for r in rows:  # the result file keeps the curves of the first seed, thinned
        del r['needs'], r['_model']
        r['curves'] = {k: thin(v) for k, v in r['curves'].items()} if r['seed'] == seeds[0] else {}
    n = {h: dict(known=v['n_known'], strangers=v['n_strangers']) for h, v in s['splits'].items()}
    n.update({h: dict(known=v['n_known'], strangers=v['n_strangers'], gallery=v['n_train']) for h, v in s['large_galleries'].items()})
    write_results('open_set', dict(summary=s, runs=rows + large, seconds=round(time.time() - start)), n=dict(n, seeds=len(seeds)),
                  seeds=dict(seeds=seeds))
    print('\n| held-out source | n known / strangers | default: known / rejected (worst seed) | best at >= 0.98: project | nearest face | centroid |')
    print('|---|---|---|---|---|---|')
    for h, v in s['splits'].items():
        d = v['default']
        print(f"| {h} | {v['n_known']} / {v['n_strangers']} | {d['known_correct']:.3f} ({d['min_known_correct']:.3f}) / "
              f"{d['strangers_rejected']:.3f} ({d['min_strangers_rejected']:.3f}) | {v['project']['known_correct']:.3f} | "
              f"{v['nearest face']['known_correct']:.3f} | {v['class centroid']['known_correct']:.3f} |")
    for h, v in s['large_galleries'].items():
        d = v['default']
        print(f"| {h} (gallery {v['n_train']}, not used to choose t) | {v['n_known']} / {v['n_strangers']} | {d['known_correct']:.3f} ({d['min_known_correct']:.3f}) / "
              f"{d['strangers_rejected']:.3f} ({d['min_strangers_rejected']:.3f}) | {v['project']['known_correct']:.3f} | "
              f"{v['nearest face']['known_correct']:.3f} | {v['class centroid']['known_correct']:.3f} |")
    for rule, nest in (('project', s['nested']), *s['nested_other_rules'].items()):
        for h, v in nest['splits'].items():
            print(f"nested, {rule}: {h} at t {v['threshold']} (chosen on {', '.join(v['chosen_on'])}): known {v['known_correct']:.3f} "
                  f"(worst seed {v['min_known_correct']:.3f}), strangers rejected (worst seed) {v['min_strangers_rejected']:.3f}")
        print(f"{rule}: t chosen on all development sources ({', '.join(DEV_SOURCES)}): {nest['shipped']}; at it, " +
              '; '.join(f"{h}: {v['known_correct']:.3f} / {v['strangers_rejected']:.3f}" for h, v in nest['large_galleries'].items()))
    print(f"worst split: {s['worst_split']}; target met on every split: {s['target_met']}; {time.time() - start:.0f} s")
