"""Benchmark: an image search as it really comes back (`scraped_dev`), cleaned by the review's suggestions (issue 21).

Usage (from the repository root): python -m bench.scraped [--seeds 0,1,2] [--recipe-seeds 0] [--datasets DIR]
                                  [--search DIR --name scraped_avengers]

`scraped_dev/web` is served over loopback (127.0.0.1:`--port`, a server started here) and collected with a URL list through
the commands a user runs, in subprocesses: `collect data --urls-file list.csv`, `train data --out m`,
`review m data --out r`, `clean data --decisions r/suggestions.csv`, `train` again. Per seed (the seed of the
training split and of the review's folds, `review --seed`):
- known test photos (`scraped_dev/test`) named correctly and strangers (`pins_dev/strangers`) answered "none of these",
  by the model trained on the raw search results and by the one trained after cleaning;
- bad results (wrong person, stranger, no face: `results.csv`'s truth, files mapped back by sha256) left in the
  class folders, and good ones (genuine and group photos) taken out (deleted, or moved away from their person);
- which face of each group photo the cleaned model learned from (the person's face is the larger in `group_label`,
  the smaller in `group_other`);
- references in the same run: (a) no cleaning; (b) the lesson's way: the fastbook recipe's CNN
  (`RandomResizedCrop(224, min_scale=0.5)`, `aug_transforms()`, `fine_tune(4)`) trained on the raw results, and a
  person who fixes every one of its top losses (training and validation images) correctly, with a budget of 10% of
  the dataset (simulated with the truth), on `--recipe-seeds` only (minutes of CPU each), and the same person
  looking at as many top losses as the review suggests photos (`lesson_way_same_look`); the same CNN's own
  cross-validated suggestions (the CNN route of `suggest`) on those seeds; (c) cleanlab's `find_label_issues` on
  the face review's cross-validated probabilities (flagged photos deleted), when cleanlab is installed.
The suggestions as the cleaner shows them (`confirmed`): the same person looks at the suggested photos only (those whose
suggestion is not `keep`) and decides each correctly; the others stay as they are.
No threshold is fitted here: the review's rules and cuts come from the model and the data themselves.
The port is fixed (47831 unless `--port`): `collect` names each file from its URL, and the split is drawn over the
sorted names, so another port gives other names, another split, and figures a photo or two apart; with the same
port two runs give the same figures.
Figures go to bench/results/scraped.json. `--search DIR` runs the same on another search in scraped_dev's layout (one that
bench/make_search.py makes from avengers_faces, which nothing here was tuned on), its figures to bench/results/NAME.json.
"""
import csv, json, shutil, subprocess, sys, tempfile, threading, time, warnings
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
from fastcore.script import call_parse

from chris_classifier.dataset import usable_files, LOCK_NAME
from chris_classifier.files import file_sha256
from bench.common import RECIPE, datasets_dir, write_results, RESULTS

BAD, GOOD = ('wrong_person', 'stranger', 'no_face'), ('genuine', 'group_label', 'group_other')

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

LESSON_BUDGET = 0.1  # the lesson's way: the person looks at this share of the dataset's photos, its top losses

PORT = 47831  # a fixed port: the collected files are named from their URLs, so the same port gives the same names, split and figures

def serve(folder:Path, port:int=PORT)->tuple:
    "(server, base URL) of a loopback HTTP server for `folder` on `port`, in a thread; exits in one line when the port is taken."
    try: server = ThreadingHTTPServer(('127.0.0.1', port), partial(_Quiet, directory=str(folder)))
    except OSError as e: sys.exit(f'cannot serve scraped_dev on 127.0.0.1:{port} ({e.strerror}): pass --port with a free port')
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f'http://127.0.0.1:{server.server_port}'

def cli(*args)->str:
    "Run `chris-classifier ARGS` in a subprocess, as a user would; its standard output (raises with its error line)."
    p = subprocess.run([sys.executable, '-c', 'import sys; from chris_classifier.cli import main; sys.exit(main())', *map(str, args)],
                       capture_output=True, text=True)
    if p.returncode: raise RuntimeError(f'chris-classifier {args[0]}: {p.stderr.strip().splitlines()[-1:]}')
    return p.stdout

def collect(scraped:Path, work:Path, port:int=PORT)->Path:
    "The search results collected into `work/collected` through `collect --urls-file`, from a loopback server on `port`."
    results = pd.read_csv(scraped/'results.csv')
    server, base = serve(scraped/'web', port)
    try:
        with open(work/'urls.csv', 'w', newline='') as f:
            w = csv.writer(f); w.writerow(['label', 'url'])
            for r in results.itertuples(): w.writerow([r.label, f'{base}/{r.name}'])
        cli('collect', work/'collected', '--urls-file', work/'urls.csv', '--per-class', 100)
    finally: server.shutdown()
    return work/'collected'

def copy_data(src:Path, dst:Path)->Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(LOCK_NAME))
    return dst

def originals(truth:pd.DataFrame)->pd.DataFrame:
    "One row per sha256: the original's, never its byte copy's, whichever came first in the search."
    return truth.sort_values('kind', key=lambda k: k.eq('duplicate'), kind='stable').drop_duplicates('sha256')

def folder_state(data:Path, truth:pd.DataFrame)->dict:
    "Bad results left in the class folders and good ones taken out, from the files' sha256."
    where = {}
    for f in usable_files(data): where.setdefault(file_sha256(f), []).append(Path(f).parent.name)
    t = originals(truth)  # a byte copy has its original's sha256
    bad, good = t[t.kind.isin(BAD)], t[t.kind.isin(GOOD)]
    bad_left = [r.name for r in bad.itertuples() if any(c != r.truth for c in where.get(r.sha256, []))]
    good_out = [r.name for r in good.itertuples() if r.truth not in where.get(r.sha256, [])]
    copies = sum(max(0, len(v) - 1) for v in where.values()) + sum(s in where for s in t[t.kind == 'duplicate'].sha256)
    return dict(bad_left=len(bad_left), n_bad=len(bad), bad_left_share=round(len(bad_left)/len(bad), 4),
                good_out=len(good_out), n_good=len(good), good_out_share=round(len(good_out)/len(good), 4),
                copies_left=int(copies), bad_left_files=bad_left, good_out_files=good_out)

def open_set(model:Path, scraped:Path, strangers:Path)->dict:
    "Known test photos named correctly and strangers rejected, as the user sees the answers (descriptors from the cache)."
    from chris_classifier.train import load_model
    from chris_classifier.review import open_set_metrics
    clf, meta = load_model(model)
    known = sorted(scraped.glob('test/*/*.jpg'))
    others = sorted(p for p in strangers.rglob('*') if p.suffix.lower() in ('.jpg', '.jpeg', '.png'))
    m = open_set_metrics(clf.probs_files(known), [f.parent.name for f in known], clf.probs_files(others), meta['vocab'], meta['threshold'])
    return {k: m[k] for k in ('known_correct', 'n_known', 'strangers_rejected', 'n_strangers')}

def group_faces(data:Path, truth:pd.DataFrame)->dict:
    "Of the group photos kept under their person, how many the face learner learns from the right face."
    from chris_classifier.face_learner import describe_files
    from chris_classifier.faces import photo_descriptors, LABELLED_CASCADE
    kinds = originals(truth).set_index('sha256')
    files = [Path(f) for f in usable_files(data)]
    table = describe_files(files)
    res = {k: dict(right=0, wrong=0) for k in ('group_label', 'group_other')}
    for f in files:
        sha = file_sha256(f)
        if sha not in kinds.index or kinds.loc[sha, 'kind'] not in res or kinds.loc[sha, 'truth'] != f.parent.name: continue
        d = photo_descriptors(f, detectors=LABELLED_CASCADE)  # every face, as training finds them
        if len(d['desc']) < 2 or str(f) not in table: continue
        chosen = int(np.argmin(np.linalg.norm(d['desc'] - np.asarray(table[str(f)])[0], axis=1)))  # the pair's first: the mean of the views
        area = (d['boxes'][:, 2] - d['boxes'][:, 0])*(d['boxes'][:, 3] - d['boxes'][:, 1])
        right = (chosen == int(area.argmax())) == (kinds.loc[sha, 'kind'] == 'group_label')
        res[kinds.loc[sha, 'kind']]['right' if right else 'wrong'] += 1
    return res

def truth_decisions(files:list, data:Path, truth:pd.DataFrame)->list:
    "What a person who knows the truth decides about each of `files`."
    t = truth.set_index('sha256')
    res = []
    for f in files:
        sha = file_sha256(f)
        if sha not in t.index: continue
        r = t.loc[[sha]].iloc[0]
        if r.kind in ('stranger', 'no_face'): res.append((str(f), 'delete'))
        elif r.truth != Path(f).parent.name: res.append((str(f), r.truth))
    return res

def lesson_way(raw:Path, work:Path, truth:pd.DataFrame, seed:int, budgets:dict)->tuple:
    """({name: cleaned folder}, CNN model folder): the recipe CNN trained on the raw results, and for each budget
    (`budgets`: {name: how many photos the person looks at}) a copy of `raw` with that many of its top losses fixed correctly."""
    from chris_classifier.train import train_model, save_model
    from chris_classifier.decisions import apply_decisions
    learn = train_model(copy_data(raw, work/'recipe_data'), seed=seed, verbose=False, arch='efficientnet_lite0', **RECIPE)
    save_model(learn, work/'recipe_model')
    rows = []
    for i in (0, 1):
        dl = learn.dls[i].new(shuffle=False, drop_last=False)
        _, _, losses = learn.get_preds(dl=dl, with_loss=True)
        rows += [(Path(f).relative_to(work/'recipe_data'), l) for f, l in zip(dl.items, losses.tolist())]
    ranked = [f for f, _ in sorted(rows, key=lambda o: -o[1])]
    res = {}
    for name, n in budgets.items():
        res[name] = data = copy_data(raw, work/name)
        apply_decisions(data, truth_decisions([data/f for f in ranked[:n]], data, truth))
    return res, work/'recipe_model'

def suggested(sugg:pd.DataFrame)->list:
    "The files the cleaner opens on (`DatasetCleaner.from_suggestions`'s rule): those whose suggestion is not keep."
    from chris_classifier.decisions import normalise_decision, KEEP
    vocab = sorted(sugg.label.unique())
    return [f for f, d in zip(sugg.file, sugg.decision) if normalise_decision(d, vocab) != KEEP]

def confirmed_way(raw:Path, work:Path, truth:pd.DataFrame, sugg:pd.DataFrame)->tuple:
    """(cleaned folder, photos looked at): a copy of `raw` after a person who knows the truth (the person of the lesson's
    way) goes through the cleaner's suggested photos (those with something to do) and decides each correctly."""
    from chris_classifier.decisions import apply_decisions
    data = copy_data(raw, work/'confirmed')
    todo = [data/f for f in suggested(sugg)]
    apply_decisions(data, truth_decisions(todo, data, truth))
    return data, len(todo)

def apply_suggested(data:Path, sugg:pd.DataFrame):
    "Carry out a suggestions table's decisions on `data` (the CNN's, which nobody retrains on here)."
    from chris_classifier.decisions import apply_decisions
    apply_decisions(data, list(zip(sugg.file, sugg.decision)))

def cleanlab_way(raw:Path, work:Path, sugg:pd.DataFrame)->Path:
    "A copy of `raw` without the photos cleanlab's `find_label_issues` flags on the review's cross-validated probabilities."
    from cleanlab.filter import find_label_issues
    from chris_classifier.decisions import apply_decisions
    data = copy_data(raw, work/'cleanlab')
    vocab = sorted(sugg.label.unique())
    p = sugg[[f'p_{c}' for c in vocab]].to_numpy(float)
    p = np.where(np.isnan(p).any(1, keepdims=True), 1/len(vocab), p)  # no face: no opinion
    p = p/p.sum(1, keepdims=True)
    flagged = find_label_issues(np.array([vocab.index(l) for l in sugg.label]), p)
    apply_decisions(data, [(f, 'delete') for f in sugg.file[flagged]])
    return data

def train_face(data:Path, out:Path, seed:int)->Path:
    from chris_classifier.train import train_model
    train_model(data, out=out, seed=seed, verbose=False)
    return out

def run_seed(raw:Path, work:Path, scraped:Path, strangers:Path, truth:pd.DataFrame, seed:int)->dict:
    "Every figure of one seed."
    work.mkdir(parents=True, exist_ok=True)
    data = copy_data(raw, work/'data')
    t0 = time.time()
    cli('train', data, '--out', work/'m', '--seed', seed)
    cli('review', work/'m', data, '--out', work/'r', '--seed', seed)
    review_s = time.time() - t0
    cli('clean', data, '--decisions', work/'r/suggestions.csv')
    cli('train', data, '--out', work/'m2', '--seed', seed)
    sugg = pd.read_csv(work/'r/suggestions.csv')
    res = dict(seconds_train_review=round(review_s, 1), suggestions=sugg.decision.value_counts().to_dict(),
               raw=dict(folder_state(raw, truth), **open_set(work/'m', scraped, strangers)),
               cleaned=dict(folder_state(data, truth), **open_set(work/'m2', scraped, strangers)),
               group_faces=group_faces(data, truth))
    conf, looked = confirmed_way(raw, work, truth, sugg)
    res['confirmed'] = dict(folder_state(conf, truth), looked_at=looked, **open_set(train_face(conf, work/'m_confirmed', seed), scraped, strangers))
    try:
        import cleanlab
        cl = cleanlab_way(raw, work, sugg)
        res['cleanlab'] = dict(folder_state(cl, truth), **open_set(train_face(cl, work/'m_cl', seed), scraped, strangers),
                               version=cleanlab.__version__)
    except ImportError: res['cleanlab'] = 'not installed (pip install cleanlab)'
    return res

def run_recipe(raw:Path, work:Path, scraped:Path, strangers:Path, truth:pd.DataFrame, seed:int)->dict:
    "The lesson's way (b) and the CNN's own suggestions, on one seed."
    from chris_classifier.suggest import suggest
    work.mkdir(parents=True, exist_ok=True)
    if not (work/'r'/'suggestions.csv').exists():  # a --recipe-only run: the face review, for how many photos it asks a person to look at
        cli('train', copy_data(raw, work/'data'), '--out', work/'m', '--seed', seed)
        cli('review', work/'m', work/'data', '--out', work/'r', '--seed', seed)
    looked = len(suggested(pd.read_csv(work/'r'/'suggestions.csv')))
    budgets = dict(lesson_way=round(LESSON_BUDGET*len(usable_files(raw))), lesson_way_same_look=looked)
    ways, cnn = lesson_way(raw, work, truth, seed, budgets)
    res = {k: dict(folder_state(d, truth), looked_at=budgets[k], **open_set(train_face(d, work/f'm_{k}', seed), scraped, strangers))
           for k, d in ways.items()}
    csugg = suggest(cnn, raw, seed=seed)
    cnn_data = copy_data(raw, work/'cnn_cleaned')
    apply_suggested(cnn_data, csugg)
    res['cnn_suggestions'] = dict(folder_state(cnn_data, truth), suggestions=csugg.decision.value_counts().to_dict())
    return res

def _brief(s:dict)->str:
    return (f"bad left {s['bad_left']}/{s['n_bad']}, good out {s['good_out']}/{s['n_good']}"
            + (f", known {s['known_correct']:.3f}, strangers {s['strangers_rejected']:.3f}" if 'known_correct' in s else ''))

def write(per_seed:dict, seeds:list, recipe:set, truth:pd.DataFrame, scraped:Path, start:float, merge:bool=False, name:str='scraped'):
    "Write bench/results/NAME.json with the seeds measured so far and whether the targets hold on every one."
    f = RESULTS/f'{name}.json'
    old = json.loads(f.read_text()).get('figures', {}).get('per_seed', {}) if merge and f.exists() else {}
    per_seed = {str(k): {**old.get(str(k), {}), **v} for k, v in {**old, **{str(k): v for k, v in per_seed.items()}}.items()}
    cl = [r['cleaned'] for r in per_seed.values() if 'cleaned' in r]
    if not cl: return
    targets = dict(bad_left_share=max(c['bad_left_share'] for c in cl) <= 0.10, good_out_share=max(c['good_out_share'] for c in cl) <= 0.03,
                   known_correct=min(c['known_correct'] for c in cl) >= 0.97, strangers_rejected=min(c['strangers_rejected'] for c in cl) >= 0.98)
    vs = lambda mine, way: [r for r in per_seed.values() if isinstance(r.get(way), dict) and isinstance(r.get(mine), dict)]
    for k, mine, way in (('better_than_lesson_way', 'cleaned', 'lesson_way'), ('confirmed_better_than_lesson_way', 'confirmed', 'lesson_way_same_look')):
        if vs(mine, way): targets[k] = all(r[mine]['bad_left'] < r[way]['bad_left'] and r[mine]['good_out'] <= r[way]['good_out'] for r in vs(mine, way))
    headline = (f"after clean --decisions suggestions.csv, worst of {len(cl)} seed(s): bad results left {max(c['bad_left_share'] for c in cl):.1%}, "
                f"good ones taken out {max(c['good_out_share'] for c in cl):.1%}, known named {min(c['known_correct'] for c in cl):.3f}, "
                f"strangers rejected {min(c['strangers_rejected'] for c in cl):.3f}")
    print(headline, flush=True)
    write_results('scraped', dict(per_seed=per_seed, targets_met=targets, headline=headline, seconds=round(time.time() - start)),
                  n=dict(search_results=len(truth), test_known=len(list(scraped.glob('test/*/*.jpg'))), strangers=cl[0]['n_strangers']),
                  seeds=dict(split_and_folds=list(per_seed), asked=seeds, recipe=sorted(int(s) for s, v in per_seed.items() if 'lesson_way' in v)), name=name,
                  search=dict(kinds=truth.kind.value_counts().to_dict(), people=sorted(truth.label.unique())))

@call_parse
def main(seeds:str='0,1,2', # Seeds of the training split and of the fold models
         recipe_seeds:str='0', # Seeds on which the lesson's way (a recipe CNN, minutes each) also runs
         datasets:Path=None, # Folder holding scraped_dev and pins_dev (default: ../shared/datasets)
         keep:bool=False, # Keep the working folder (its path is printed)
         merge:bool=False, # Add to bench/results/scraped.json's seeds instead of replacing them (e.g. a --recipe-only run beside)
         recipe_only:bool=False, # Only the lesson's way and the CNN's suggestions, on --recipe-seeds
         port:int=PORT, # Loopback port serving the search results (the collected files' names come from their URLs)
         search:Path=None, # Another search in scraped_dev's layout (web/, test/, results.csv), e.g. from bench/make_search.py
         name:str='scraped', # The result file: bench/results/NAME.json
        ):
    "Collect scraped_dev over loopback, train, review, clean with the suggestions, train again; with references."
    warnings.filterwarnings('ignore')
    datasets = Path(datasets or datasets_dir())
    scraped, strangers = Path(search or datasets/'scraped_dev'), datasets/'pins_dev'/'strangers'
    if not scraped.is_dir(): sys.exit(f'No dataset at {scraped} (pass --datasets DIR)')
    truth = pd.read_csv(scraped/'results.csv', dtype=str).fillna('')
    seeds, recipe = [int(s) for s in seeds.split(',') if s], {int(s) for s in recipe_seeds.split(',') if s}
    work = Path(tempfile.mkdtemp(prefix='bench_scraped_'))
    start = time.time()
    try:
        raw = collect(scraped, work, port)
        per_seed = {}
        for s in ([] if recipe_only else seeds):
            per_seed[s] = r = run_seed(raw, work/f'seed{s}', scraped, strangers, truth, s)
            print(f"seed {s}: raw {_brief(r['raw'])}; cleaned {_brief(r['cleaned'])}", flush=True)
            for k in ('confirmed', 'cleanlab', 'lesson_way', 'cnn_suggestions'):
                if isinstance(r.get(k), dict): print(f'  {k}: {_brief(r[k])}', flush=True)
            write(per_seed, seeds, recipe, truth, scraped, start, merge, name)  # after every seed: a long run leaves what it measured
        for s in sorted(recipe):  # the slow reference last
            per_seed.setdefault(s, {}).update(run_recipe(raw, work/f'seed{s}', scraped, strangers, truth, s))
            for k in ('lesson_way', 'lesson_way_same_look', 'cnn_suggestions'): print(f'seed {s} {k}: {_brief(per_seed[s][k])}', flush=True)
            write(per_seed, seeds, recipe, truth, scraped, start, True, name)
    finally:
        if keep: print(f'working folder: {work}')
        else: shutil.rmtree(work, ignore_errors=True)
