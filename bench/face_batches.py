"""Face answers in batches: is `predict_many` on photos faster than answering them one by one?

Usage (from the repository root): python -m bench.face_batches [--datasets DIR] [--rounds 3] [--seed 42]

Trains the face learner on `avengers_faces` (`train_model(DATA, out, arch='face')`, descriptors cached), then
answers every photo of `pins_dev` (known people and strangers) with the same `Predictor` three ways, interleaved
round by round so that a busy machine slows all of them alike:
- one by one: `[predictor.predict(f) for f in files]`, what a loop over uploads does;
- a batch: `predictor.predict_many(files)` (detection and description in worker processes on every core, the
  head once; the worker pool is started inside the timed call of the first round, and kept);
- reference: a plain dlib loop per photo (HOG detection, 5-point landmarks, `compute_face_descriptor`), what
  face_recognition does, with no answer at the end.
No descriptor cache is used when answering. Both ways must give the same answers. Figures (best round of each,
and the ratio) go to bench/results/face_batches.json. Target (issue 14): batch at least 1.5x faster than one by one.
"""
import tempfile, time
from pathlib import Path

from fastcore.script import call_parse
from bench.common import find_dataset, quiet, say, write_results

def dlib_loop(files):
    "The reference: dlib's own detect + landmarks + descriptor per photo, nothing else."
    import dlib, numpy as np
    from PIL import Image
    from chris_classifier.faces import dlib_model
    det, sp, net = dlib.get_frontal_face_detector(), dlib_model('landmarks'), dlib_model('descriptor')
    for f in files:
        a = np.asarray(Image.open(f).convert('RGB'))
        for r in det(a, 1): net.compute_face_descriptor(a, sp(a, r))

@call_parse
def main(datasets:Path=None, # The folder holding the datasets (default: ../shared/datasets)
         rounds:int=3, # Interleaved rounds (the best of each way counts)
         seed:int=42, # Seed of the face model's split and training
        ):
    "Face answers in batches: is `predict_many` on photos faster than answering them one by one?"
    from chris_classifier.core import dataset_image_files
    from fastcore.basics import num_cpus
    from chris_classifier.train import train_model
    from chris_classifier.predict import Predictor
    files = sorted(dataset_image_files(find_dataset(datasets, 'pins_dev/known'))) + sorted(dataset_image_files(find_dataset(datasets, 'pins_dev/strangers')))
    with tempfile.TemporaryDirectory() as tmp:
        with quiet():
            train_model(find_dataset(datasets, 'avengers_faces'), Path(tmp)/'model', arch='face', seed=seed, verbose=False)
        pred = Predictor.from_dir(Path(tmp)/'model')
        times = dict(one_by_one=[], batch=[], dlib_loop=[])
        for r in range(rounds):
            t = time.perf_counter(); single = [pred.predict(f).label for f in files]; times['one_by_one'].append(time.perf_counter() - t)
            t = time.perf_counter(); batch = [p.label for p in pred.predict_many(files)]; times['batch'].append(time.perf_counter() - t)
            t = time.perf_counter(); dlib_loop(files); times['dlib_loop'].append(time.perf_counter() - t)
            say(f'round {r+1}', {k: round(v[-1], 1) for k, v in times.items()})
            assert batch == single, 'the batch answers differ from one by one'
    best = {k: min(v) for k, v in times.items()}
    figures = dict(ms_per_photo={k: round(1000*v/len(files), 1) for k, v in best.items()},
                   batch_speedup=round(best['one_by_one']/best['batch'], 2),
                   one_by_one_vs_dlib_loop=round(best['one_by_one']/best['dlib_loop'], 2),
                   first_round_batch_speedup=round(times['one_by_one'][0]/times['batch'][0], 2),
                   target_met=best['one_by_one']/best['batch'] >= 1.5, cores=num_cpus(), same_answers=True)
    figures['headline'] = (f"a batch of {len(files)} photos: {figures['batch_speedup']}x faster than one by one "
                           f"on {figures['cores']} cores (target 1.5x: {'met' if figures['target_met'] else 'not met'})")
    say('figures', figures)
    write_results('face_batches', figures, n=dict(photos=len(files), rounds=rounds), seeds=dict(train=seed))
