"""Face models in batches: is `Predictor.predict_many` on a batch of photos faster than `Predictor.predict` one by one?

Usage (from the repository root): python bench/face_predict.py [--photos DIR] [--n 60] [--rounds 3]

A face model's time goes to finding and describing the faces (dlib), not to its head, so `predict_many` hands the
photos to one worker process per CPU core (`faces_many`) and runs the head once. Both ways answer the same real photos
(default: the first `n` of ../shared/datasets/pins_dev, other people than the model knows: the work is the same),
with the same model (a face learner trained on generated drawn faces: the head's size does not matter here),
alternating, best of `rounds`. Target: the batch at least 1.5 times faster on a 2-core machine.
Figures go to bench/results/face_predict.json.
"""
import argparse, contextlib, io, os, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT/'tools'))
from figures import write_results
from chris_classifier.core import CLASS_FOLDERS, dataset_image_files
from chris_classifier.faces import make_face_sample
from chris_classifier.train import train_model
from chris_classifier.predict import Predictor

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--photos', type=Path, default=ROOT.parent/'shared'/'datasets'/'pins_dev')
    p.add_argument('--n', type=int, default=60)
    p.add_argument('--rounds', type=int, default=3)
    a = p.parse_args()
    photos = sorted(dataset_image_files(a.photos/'known') + dataset_image_files(a.photos/'strangers'))[::4][:a.n]
    tmp = Path(tempfile.mkdtemp())
    with contextlib.redirect_stdout(io.StringIO()):
        train_model(make_face_sample(tmp/'faces', n_per_class=6, classes=CLASS_FOLDERS[:3]), out=tmp/'model', arch='face', cache=False)
    pred = Predictor.from_dir(tmp/'model')
    pred.predict(photos[0])  # load the dlib models once
    loop, batch = [], []
    for _ in range(a.rounds):
        t = time.time(); one = [pred.predict(f) for f in photos]; loop.append(time.time() - t)
        t = time.time(); many = pred.predict_many(photos); batch.append(time.time() - t)
    assert [(p.label, round(p.probability, 4)) for p in one] == [(p.label, round(p.probability, 4)) for p in many]
    figs = dict(loop_s=round(min(loop), 2), batch_s=round(min(batch), 2), loop_ms_per_photo=round(1000*min(loop)/len(photos), 1),
                batch_ms_per_photo=round(1000*min(batch)/len(photos), 1), speedup=round(min(loop)/min(batch), 2),
                workers=os.cpu_count(), same_answers=True)
    figs['headline'] = f"predict_many {figs['speedup']}x faster than a predict loop ({figs['batch_ms_per_photo']} vs {figs['loop_ms_per_photo']} ms a photo, {os.cpu_count()} cores)"
    print(figs['headline'])
    write_results('face_predict', figs, n=dict(photos=len(photos), rounds=a.rounds))

if __name__ == '__main__': main()
