"""Benchmark of the face step: ImageNet CNN (fastbook recipe) against face descriptors, on real face datasets.

Usage (from the repository root): python -m bench.faces [--datasets DIR] [--sets a,b] [--no-cnn [--keep-cnn]] [--cnn-crops]

For each dataset folder (default: ../shared/datasets/{avengers_faces,lfw_top7,five_celebrity_faces}), with the
project's seeded split (fastai RandomSplitter(0.2, seed=42) over the sorted usable files), on this CPU:
- detection: share of photos where `find_faces`'s cascade finds a face, how many had several, ms per photo;
- fastbook: RandomResizedCrop(224, min_scale=0.5), aug_transforms(), fine_tune(4), packaged EfficientNet-Lite0;
- project_cnn and cnn_crops (with --cnn-crops): `train_model`'s defaults on the photos, and on the aligned face crops
  written by `extract_faces`;
- dlib_lr: the reference, dlib descriptors + scikit-learn LogisticRegression;
- face: the project's face-embedding learner (`train_face_model`, fastai head over cached descriptors);
- open set: the face learner retrained with one person left out, who then plays the stranger:
  share of strangers answered with a name (should be ~0) and of known validation faces answered "none of these".
Error rates count every validation photo; a photo where no face is found counts as an error for the face methods.
Training seconds of the face methods include describing the photos from scratch (detection + descriptor network,
an empty cache), so they compare with the CNN's fine-tuning time: the reference's as a plain loop, one photo at a time,
then the fit; the face learner's as `train_face_model` runs the first time, describing the photos on every core. With `--no-cnn --keep-cnn` the CNN rows (fastbook,
project_cnn, cnn_crops: they use no face model) of each set measured again are kept from the last
bench/results/faces.json, and the file says which rows were kept and from when. Prints `name: value` lines, the headline last,
and writes them to bench/results/faces.json, which the README shows.
The data and anything derived from it stay in temporary folders: nothing is written into the repository.

Figures go to bench/results/faces.json (command, date, machine, seeds); the README and the notebooks quote that
file, never numbers copied by hand. The fastbook recipe is slow on a CPU (minutes a dataset).
"""
import tempfile, time
from pathlib import Path

import numpy as np
from fastcore.script import call_parse

from bench.common import RESULTS, datasets_dir, quiet, say, write_results
from chris_classifier.core import class_folders, NONE_OF_THESE
from chris_classifier.faces import photo_descriptors, extract_faces
from chris_classifier.face_learner import face_split, describe_files, train_face_model, FaceClassifier

SETS = ('avengers_faces', 'lfw_top7', 'five_celebrity_faces')

def detection(files, cache):
    "Describe every photo with an empty cache: detection rate, several faces, ms/photo, seconds."
    t = time.time()
    res = [photo_descriptors(f, cache) for f in files]
    secs = time.time() - t
    found = [len(r['desc']) > 0 for r in res]
    several = sum(len(r['desc']) > 1 for r in res)
    by = {}
    for r in res: by[r['detector'] or 'none'] = by.get(r['detector'] or 'none', 0) + 1
    return dict(rate=float(np.mean(found)), several=several, ms=1000*secs/len(files), seconds=secs, by=by)

def dlib_lr(files, tr, va, table):
    "The reference: LogisticRegression on the descriptors; (error over all validation photos, fit seconds)."
    from sklearn.linear_model import LogisticRegression
    lab = lambda i: files[i].parent.name
    desc = lambda i: np.asarray(table[str(files[i])])[0]  # the table holds descriptor pairs: the first is the mean of the views
    tri = [i for i in tr if str(files[i]) in table]
    t = time.time()
    clf = LogisticRegression(max_iter=5000).fit(np.stack([desc(i) for i in tri]), [lab(i) for i in tri])
    secs = time.time() - t
    wrong = sum(str(files[i]) not in table or clf.predict(desc(i)[None])[0] != lab(i) for i in va)
    return wrong/len(va), secs

def face_learner(data, files, va, cache, out):
    "The face-embedding learner; (error over all validation photos, fit seconds, meta)."
    t = time.time()
    with quiet(): learn = train_face_model(data, cache=cache)
    secs = time.time() - t
    m = learn.meta['metrics']
    wrong = round(m['error_rate']*m['n_valid']) + m['no_face_valid']
    return wrong/len(va), secs, learn.meta

def open_set(data, cache, tmp):
    "Leave the last person out, train on the others, then: strangers accepted, known validation faces rejected."
    people = class_folders(data)
    known, stranger = people[:-1], people[-1]
    sub = tmp/'open_set'; sub.mkdir()
    for p in known: (sub/p.name).symlink_to(p.resolve(), target_is_directory=True)
    with quiet(): learn = train_face_model(sub, cache=cache)
    clf, meta = FaceClassifier(learn.model, learn.meta), learn.meta
    answer = lambda p: NONE_OF_THESE if p.max() < meta['threshold'] else meta['vocab'][int(p.argmax())]
    import torch
    def answers(fs):
        x = [photo_descriptors(f, cache)['views'] for f in fs]
        x = torch.from_numpy(np.stack([d[0] for d in x if len(d)]))
        return [answer(p) for p in clf.probs(x)]
    strangers = answers(sorted(stranger.iterdir()))
    vfiles = [sub/f for f in meta['valid_files']]
    known_ans = answers(vfiles)
    return dict(stranger=stranger.name, strangers_accepted=float(np.mean([a != NONE_OF_THESE for a in strangers])),
                known_rejected=float(np.mean([a == NONE_OF_THESE for a in known_ans])))

CNN_ROWS = ('fastbook', 'project_cnn', 'cnn_crops')

def kept_cnn_rows(record:dict, summary:dict, previous:Path)->dict:
    "Copy the CNN rows of `previous` results into `record` (and the fastbook figures into `summary`); {set: {row: date measured}}."
    import json
    if not previous.exists(): return {}
    prev = json.loads(previous.read_text())
    when = prev.get('kept_from_last_run', {})  # rows the last run kept itself: their own date
    rows = {}
    for name, rec in record.items():
        old = prev['figures']['datasets'].get(name, {})
        for k in CNN_ROWS:
            if k in old and k not in rec: rec[k] = old[k]; rows.setdefault(name, {})[k] = when.get(name, {}).get(k, prev['date'])
        if 'fastbook' in rows.get(name, {}): summary[name].update(fastbook=old['fastbook']['error'], fastbook_s=old['fastbook']['train_s'])
    return rows

def fastbook(data, seed=42, epochs=4):
    "Fastbook chapter 2's recipe with the packaged EfficientNet-Lite0; (error, fine_tune seconds)."
    from chris_classifier.data import image_dataloaders
    from chris_classifier.train import backbone_learner
    dls = image_dataloaders(data, size=224, bs=32, seed=seed, min_scale=0.5, aug=True, desaturate=0)
    learn = backbone_learner(dls, 'efficientnet_lite0')
    t = time.time()
    with quiet(), learn.no_bar():
        learn.fine_tune(epochs)
        secs = time.time() - t
        return float(learn.validate()[1]), secs

def project_cnn(data, seed=42):
    "The project's CNN defaults (`train_model`); (error, training seconds)."
    from chris_classifier.train import train_model
    t = time.time()
    with quiet():
        learn = train_model(data, arch='efficientnet_lite0', seed=seed, verbose=False)
        secs = time.time() - t
        with learn.no_bar(): return float(learn.validate()[1]), secs

@call_parse
def main(datasets:Path=None, # The folder holding the datasets (default: ../shared/datasets)
         sets:str=','.join(SETS), # Comma-separated dataset names
         no_cnn:bool=False, # Skip the CNN (fastbook recipe): minutes per dataset
         cnn_crops:bool=False, # Also the project's CNN on whole photos and on extract_faces crops
         keep_cnn:bool=False, # With --no-cnn: keep the CNN rows of the last results file (they use no face model)
        ):
    "Benchmark of the face step: ImageNet CNN (fastbook recipe) against face descriptors, on real face datasets."
    import torch
    say('cpu_threads', torch.get_num_threads())
    summary, record = {}, {}
    for name in sets.split(','):
        data = Path(datasets or datasets_dir())/name
        if not data.is_dir(): say(f'{name}.skipped', f'no folder {data}'); continue
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp); cache = tmp/'cache'
            files, tr, va = face_split(data)
            say(f'{name}.photos', f'{len(files)} ({len(tr)} train, {len(va)} valid, {len(class_folders(data))} people)')
            det = detection(files, cache)
            say(f'{name}.detection_rate', f"{det['rate']:.4f} (several faces: {det['several']}; {det['ms']:.0f} ms/photo "
                f"for detection + descriptor; found by {det['by']})")
            table = describe_files(files, cache)  # from the cache now
            err, secs = dlib_lr(files, tr, va, table)
            say(f'{name}.dlib_lr', f"error {err:.4f}, train {det['seconds'] + secs:.1f}s (describe {det['seconds']:.1f}s + fit {secs:.1f}s)")
            ferr, fsecs, meta = face_learner(data, files, va, tmp/'empty_cache', tmp/'model')  # as `train` runs it the first time
            say(f'{name}.face', f"error {ferr:.4f}, train {fsecs:.1f}s (from an empty cache: describing on every core, then the "
                f"fastai head), valid faces rejected as strangers {meta['metrics']['valid_rejected']:.4f}, "
                f"threshold {meta['threshold']}, t {meta['open_set_threshold']}")
            o = open_set(data, cache, tmp)
            say(f'{name}.open_set', f"stranger {o['stranger']}: strangers accepted {o['strangers_accepted']:.4f}, "
                f"known valid faces rejected {o['known_rejected']:.4f}")
            s = summary[name] = dict(dlib=err, face=ferr, face_s=fsecs)
            rec = record[name] = dict(photos=len(files), train=len(tr), valid=len(va), people=len(class_folders(data)),
                                      detection_rate=round(det['rate'], 4), detection_ms_per_photo=round(det['ms']),
                                      dlib_lr=dict(error=round(err, 4), train_s=round(det['seconds'] + secs, 1)),
                                      face=dict(error=round(ferr, 4), train_s=round(fsecs, 1),
                                                valid_rejected=round(meta['metrics']['valid_rejected'], 4)),
                                      open_set={k: (round(v, 4) if isinstance(v, float) else v) for k, v in o.items()})
            if not no_cnn:
                cerr, csecs = fastbook(data)
                say(f'{name}.fastbook', f'error {cerr:.4f}, train {csecs:.1f}s')
                s.update(fastbook=cerr, fastbook_s=csecs)
                rec['fastbook'] = dict(error=round(cerr, 4), train_s=round(csecs, 1))
            if cnn_crops:
                cerr, csecs = project_cnn(data)
                say(f'{name}.project_cnn', f'error {cerr:.4f}, train {csecs:.1f}s (train_model defaults)')
                rec['project_cnn'] = dict(error=round(cerr, 4), train_s=round(csecs, 1))
                t = time.time()
                with quiet(): extract_faces(data, tmp/'crops')
                esecs = time.time() - t
                cerr, csecs = project_cnn(tmp/'crops')
                say(f'{name}.cnn_crops', f'error {cerr:.4f}, train {esecs + csecs:.1f}s (extract_faces {esecs:.1f}s + '
                    f'train_model {csecs:.1f}s; split of the crops dataset, photos without a face left out)')
                rec['cnn_crops'] = dict(error=round(cerr, 4), train_s=round(esecs + csecs, 1))
    kept = kept_cnn_rows(record, summary, RESULTS/'faces.json') if no_cnn and keep_cnn else {}
    if kept: say('kept', kept)
    ok = all(s['face'] <= s['dlib'] + 1e-9 and ('fastbook_s' not in s or s['face_s'] <= s['fastbook_s']/3)
             for s in summary.values())
    parts = [f"{n} {s['face']:.3f} vs dlib {s['dlib']:.3f}" + (f" vs fastbook {s['fastbook']:.3f}, "
             f"{s['face_s']:.0f}s vs {s['fastbook_s']:.0f}s" if 'fastbook' in s else '') for n, s in summary.items()]
    say('targets_met', 'yes' if ok and summary else 'no')
    headline = 'face learner error (training seconds from an empty cache): ' + '; '.join(parts)
    say('headline', headline)
    write_results('faces', dict(datasets=record, targets_met=ok and bool(summary), headline=headline),
                  n={name: d['photos'] for name, d in record.items()}, seeds=dict(split=42, fastbook=42, train=42),
                  **(dict(kept_from_last_run=kept) if kept else {}))
