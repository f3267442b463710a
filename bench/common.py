"""What the bench scripts share: where the datasets and the results are, the machine, the one results writer,
fastbook's recipe, the development splits of the face benches and the held-out sources of the open-set ones.

Every script runs from the repository root as `python -m bench.NAME` (`--help` lists its arguments) and ends with
`write_results`, which writes `bench/results/NAME.json`: the command line, the date, the machine (platform, CPU
count, torch version and threads, load average), the seeds, the sample size `n`, and the figures themselves.
tools/figures.py turns those files into the Markdown the README and the notebooks show.
"""
import contextlib, datetime, io, os, platform, shlex, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
RESULTS = ROOT/'bench'/'results'

# fastbook chapter 2: RandomResizedCrop(224, min_scale=0.5), aug_transforms(), fine_tune(4) (fastai's default
# base_lr 2e-3, one frozen epoch, batch size 64); here with the packaged EfficientNet-Lite0 instead of a downloaded ResNet
RECIPE = dict(size=224, min_scale=0.5, epochs=4, freeze_epochs=1, lr=2e-3, bs=64, desaturate=0)

def datasets_dir()->Path:
    "../shared/datasets beside the repository (or beside the main checkout, from a git worktree)."
    cands = [ROOT.parent/'shared'/'datasets']
    try:
        common = subprocess.run(['git', 'rev-parse', '--git-common-dir'], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        if common: cands.append((ROOT/common).resolve().parent.parent/'shared'/'datasets')
    except OSError: pass
    return next((c for c in cands if c.is_dir()), cands[0])

def find_dataset(datasets:Path, # The folder holding the datasets; None: `datasets_dir()`
                 name:str, # A dataset's folder name in it (or a path to any folder-per-class dataset)
           )->Path:
    "The dataset folder `name` of `datasets`; exits with a one-line message when there is none."
    d = (Path(datasets or datasets_dir())/name).resolve()
    if not d.is_dir(): sys.exit(f'No dataset at {d} (pass --datasets DIR)')
    return d

def say(name, value): print(f'{name}: {value}', flush=True)

@contextlib.contextmanager
def quiet():
    "Hide fastai's epoch tables (stdout) while keeping our own lines."
    with contextlib.redirect_stdout(io.StringIO()): yield

def machine()->dict:
    "What the figures were measured on."
    import torch
    return dict(platform=platform.platform(terse=True), machine=platform.machine(), python=platform.python_version(),
                cpu_count=os.cpu_count(), torch=torch.__version__, torch_threads=torch.get_num_threads(),
                load_average=[round(o, 1) for o in os.getloadavg()])

def write_results(script:str, # The benchmark's name: `collect` for bench/collect.py
                  figures:dict, # What it measured, {name: number or text}; `headline` is the one-line summary
                  n:dict=None, # Sample sizes, e.g. {'images': 750}
                  seeds:dict=None, # Seeds used, e.g. {'split': 42}
                  folder:Path=RESULTS, # Where result files go
                  name:str=None, # The result file's name, when not the script's (one script run on other data)
                  **extra, # More top-level keys (what was compared, how answers were counted)
                 )->Path:
    "Write `folder/<name or script>.json` with the figures and where, when and how they were measured; returns its path."
    rec = dict(script=f'bench/{script}.py', command=shlex.join(['python', '-m', f'bench.{script}', *sys.argv[1:]]),
               date=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
               machine=machine(), seeds=seeds or {}, n=n or {}, **extra, figures=figures)
    from chris_classifier.files import write_json
    out = write_json(Path(folder)/f'{name or script}.json', rec)  # whole or not at all: an interrupted run leaves the last results
    print(f'results: {out}')
    return out

# The development splits of the face benches (views, gallery): data that is never the exam (`pins_dev` is the exam
# of bench/open_set.py).
DEV_DATASETS = ('avengers_faces', 'five_celebrity_faces', 'lfw_top7')

def dev_splits(root:Path)->dict:
    "{name: (known files, stranger files)}: every person left out of their dataset, and every dataset against the others."
    from chris_classifier.core import dataset_image_files, class_folders
    files = {d: sorted(dataset_image_files(root/d)) for d in DEV_DATASETS}
    splits = {}
    for d in DEV_DATASETS:
        for person in (p.name for p in class_folders(root/d)):
            splits[f'{d} without {person}'] = ([f for f in files[d] if f.parent.name != person],
                                               [f for f in files[d] if f.parent.name == person])
    for d in DEV_DATASETS:
        splits[f'{d} against the others'] = (files[d], [f for e in DEV_DATASETS if e != d for f in files[e]])
    return splits

def fit_head(files:list, splits:tuple, table:dict, vocab:list, seed:int):
    "A face learner over `files` trained as `train_face_model` trains it."
    from chris_classifier.face_learner import FACE_TRAIN_DEFAULTS, face_learner
    learn = face_learner(files, splits, table, vocab, bs=FACE_TRAIN_DEFAULTS['bs'], seed=seed)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(FACE_TRAIN_DEFAULTS['epochs'], FACE_TRAIN_DEFAULTS['lr'], wd=0.1)
    return learn

def open_set_meta(vocab:list, views=None)->dict:
    "The `meta` a `FaceClassifier` needs for a head trained here: the library's open-set constants."
    from chris_classifier.face_learner import OPEN_SET_THRESHOLD, OPEN_SET_SCALE, OPEN_SET_SHARE, DESCRIBE_VIEWS
    return dict(vocab=vocab, views=list(views or DESCRIBE_VIEWS), open_set_threshold=OPEN_SET_THRESHOLD,
                open_set_scale=OPEN_SET_SCALE, open_set_share=OPEN_SET_SHARE)

# The held-out sources of bench/open_set.py (each real source left out in turn, and two larger galleries), which
# bench/quality.py measures again.
SOURCES = dict(avengers_faces='avengers_faces', five_celebrity_faces='five_celebrity_faces', lfw_top7='lfw_top7',
               pins_dev='pins_dev', scraped_dev='scraped_dev/test')  # source -> its photos' folder under the datasets
PER_PERSON = 40  # lfw_top7: the first photos of each person (its others would only slow the bench)
REJECTED = 0.98  # the strangers' share the target and the hindsight threshold hold to
DEV_SOURCES = ('five_celebrity_faces', 'lfw_top7', 'scraped_dev')  # where the open-set threshold may be chosen: no avengers_faces or pins_dev
LARGE_GALLERIES = ('lfw_top7, all photos', 'scraped_dev search results')  # galleries 4x larger: reported, never used to choose t
MARGIN = 0.005  # a threshold is chosen to reject REJECTED + MARGIN of the strangers on every development split and seed

def people_of(folder:Path)->dict:
    "{person: sorted photo files} of the person folders under `folder`."
    res = {}
    from chris_classifier.core import dataset_image_files
    for f in sorted(dataset_image_files(folder)): res.setdefault(f.parent.name, []).append(f)
    return res

def source_people(datasets:Path, source:str)->dict:
    "{person: photos} of a source (`pins_dev`: known and strangers together; `lfw_top7`: `PER_PERSON` each)."
    if source == 'pins_dev': return {**people_of(datasets/'pins_dev'/'known'), **people_of(datasets/'pins_dev'/'strangers')}
    res = people_of(datasets/SOURCES[source])
    return {p: fs[:PER_PERSON] for p, fs in res.items()} if source == 'lfw_top7' else res

def loso_split(datasets:Path, held:str, seed:int)->dict:
    "{'train': {person: photos}, 'known': [(photo, person)], 'strangers': [photo]} with `held`'s photos as the queries."
    P = source_people(datasets, held)
    if held in ('pins_dev', 'avengers_faces'):  # the people both sources share are learnt from the other one
        train = (source_people(datasets, 'avengers_faces') if held == 'pins_dev' else people_of(datasets/'pins_dev'/'known'))
        known = [(f, p) for p in sorted(P) if p in train for f in P[p]]
        return dict(train=train, known=known, strangers=[f for p in sorted(P) if p not in train for f in P[p]])
    return half_split(P, seed)

def half_split(P:dict, seed:int)->dict:
    "A seeded half of the people of `P` ({person: photos}) held out as strangers; the others learnt from half of their photos, the rest the known queries."
    import random
    rng = random.Random(seed)
    strangers = set(rng.sample(sorted(P), len(P)//2))
    train, known = {}, []
    for p in sorted(set(P) - strangers):
        fs = list(P[p]); rng.shuffle(fs)
        train[p], known = sorted(fs[:len(fs)//2]), known + [(f, p) for f in fs[len(fs)//2:]]
    return dict(train=train, known=known, strangers=[f for p in sorted(strangers) for f in P[p]])

def large_gallery_split(datasets:Path, split:str, seed:int)->dict:
    """A split of `LARGE_GALLERIES`: lfw_top7 with all of its photos (up to 120 a person), drawn as its own split is;
    or scraped_dev's search results, perfectly cleaned (each result with a person in its class `truth`, no copies), as
    the training photos, its `test/` photos as the known queries and pins_dev's strangers as the strangers."""
    import csv
    from chris_classifier.core import dataset_image_files
    if split == LARGE_GALLERIES[0]: return half_split(people_of(datasets/'lfw_top7'), seed)
    train = {}
    with open(datasets/'scraped_dev'/'results.csv') as fh:
        for row in csv.DictReader(fh):
            if row['truth'] and row['kind'] != 'duplicate': train.setdefault(row['truth'], []).append(datasets/'scraped_dev'/'web'/row['name'])
    test = people_of(datasets/'scraped_dev'/'test')
    return dict(train=train, known=[(f, p) for p in sorted(test) for f in test[p]],
                strangers=sorted(dataset_image_files(datasets/'pins_dev'/'strangers')))

def main_views(f:Path, views=None):
    "The per-view descriptors of `f`'s main face (the project's views, or `views`), None without a face; from the cache."
    from chris_classifier.faces import photo_descriptors
    v = (photo_descriptors(f) if views is None else photo_descriptors(f, views=views))['views']
    return v[0] if len(v) else None

def answers(clf, # A `FaceClassifier`
            table:dict, files:list)->list:
    "The predictor's rule for each file: the top open-set probability names the person, below 0.5 None (\"none of these\")."
    import torch
    from chris_classifier.face_learner import face_open_probs
    if not files: return []
    m = clf.meta  # the table holds `describe_files`' descriptor pairs
    x = torch.stack([torch.as_tensor(table[str(f)]) for f in files])
    top = face_open_probs(clf.head, x, m['open_set_threshold'], m['open_set_scale'], m['open_set_share']).max(1)
    return [clf.vocab[i] if v >= 0.5 else None for v, i in zip(top.values.tolist(), top.indices.tolist())]

def scored(clf, # A `FaceClassifier`
           table:dict, known:list, strangers:list)->tuple:
    "(known named correctly, strangers rejected), lists of booleans; a photo without a face gets no name."
    seen = [f for f in known if str(f) in table]
    known_ok = [a == f.parent.name for a, f in zip(answers(clf, table, seen), seen)]
    seen = [f for f in strangers if str(f) in table]
    return known_ok, [a is None for a in answers(clf, table, seen)] + [True]*(len(strangers) - len(seen))

def split_known(known:list, table:dict, seed:int)->tuple:
    "(files with a face, (train indices, valid indices)): `known` split as `train_face_model` splits it."
    from fastai.data.transforms import RandomSplitter
    from chris_classifier.face_learner import FACE_TRAIN_DEFAULTS
    tr, va = RandomSplitter(FACE_TRAIN_DEFAULTS['valid_pct'], seed)(known)
    files = [f for f in known if str(f) in table]
    pos = {f: i for i, f in enumerate(files)}
    return files, ([pos[known[i]] for i in tr if known[i] in pos], [pos[known[i]] for i in va if known[i] in pos])
