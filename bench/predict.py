"""Benchmark: `Predictor` vs fastai's `load_learner(...).predict` in a loop, on the same saved model.

Usage (from the repository root): python -m bench.predict [--n-single N] [--n-batch N] [--rounds N]
Models: resnet18 (pretrained=False, so no download) at 224 px, and the default backbone at its default size, each
trained briefly on generated sample images and saved with `save_model`. Prints `name: value` lines, headline last,
and writes them to bench/results/predict.json, which the README shows.
"""
import statistics, tempfile, time, warnings
from pathlib import Path

from fastcore.script import call_parse
from bench.common import write_results
warnings.filterwarnings('ignore')

def timed(f, *args, **kw):
    start = time.perf_counter(); res = f(*args, **kw); return res, time.perf_counter() - start

def bench_model(name, mdir, files, n_single, n_batch, rounds=3):
    "Seconds per image for single predictions and batch throughput (images/s) of both ways; prints them."
    from chris_classifier.predict import Predictor
    from chris_classifier.train import load_pickled_learner
    from fastai.callback.progress import ProgressCallback
    pred = Predictor.from_dir(mdir)
    learn = load_pickled_learner(mdir)
    single, batch = files[:n_single], files[:n_batch]
    learn.remove_cb(ProgressCallback)  # no bars: fair and quiet
    for f in files[:2]: pred.predict(f); learn.predict(f)  # warm up
    # The machine may be shared: interleave the two ways image by image (median of per-image times), and take the
    # best of `rounds` for the batch runs, so that load from elsewhere hits both alike.
    lat_p, lat_l = [], []
    for f in single:
        lat_p.append(timed(pred.predict, f)[1]); lat_l.append(timed(learn.predict, f)[1])
    tb_pred = tb_learn = tb_getpreds = float('inf')
    for _ in range(rounds):
        tb_pred = min(tb_pred, timed(pred.predict_many, batch, bs=32)[1])
        tb_learn = min(tb_learn, timed(lambda: [learn.predict(f) for f in batch])[1])
        tb_getpreds = min(tb_getpreds, timed(lambda: learn.get_preds(dl=learn.dls.test_dl(batch, bs=32)))[1])
    t_pred, t_learn = statistics.median(lat_p)*len(single), statistics.median(lat_l)*len(single)
    r = dict(lat_pred=t_pred/len(single)*1000, lat_learn=t_learn/len(single)*1000,
             thr_pred=len(batch)/tb_pred, thr_learn=len(batch)/tb_learn, thr_getpreds=len(batch)/tb_getpreds)
    print(f'{name}_single_ms_median_predictor: {r["lat_pred"]:.1f}')
    print(f'{name}_single_ms_median_learn_predict: {r["lat_learn"]:.1f}')
    print(f'{name}_single_latency_ratio: {r["lat_learn"]/r["lat_pred"]:.2f}')
    print(f'{name}_batch_img_per_s_predictor: {r["thr_pred"]:.1f}')
    print(f'{name}_batch_img_per_s_learn_predict_loop: {r["thr_learn"]:.1f}')
    print(f'{name}_batch_img_per_s_learn_get_preds: {r["thr_getpreds"]:.1f}')
    print(f'{name}_batch_throughput_ratio: {r["thr_pred"]/r["thr_learn"]:.2f}', flush=True)
    return r

@call_parse
def main(n_single:int=20, # Images for the single-image latency
         n_batch:int=64, # Images for the batch throughput
         rounds:int=3, # Batch runs of each way (the best counts)
        ):
    "Benchmark: `Predictor` vs fastai's `load_learner(...).predict` in a loop, on the same saved model."
    import torch
    from chris_classifier.sample import make_sample
    from chris_classifier.dataset import usable_files
    from chris_classifier.train import train_model, DEFAULT_ARCH, TRAIN_DEFAULTS
    tmp = Path(tempfile.mkdtemp())
    data = make_sample(tmp/'data', n_per_class=8, size=(64, 128))
    photos = make_sample(tmp/'photos', n_per_class=max(n_single, n_batch)//5 + 1)  # 128-320 px, as downloads
    files = list(usable_files(photos))
    print(f'cpu_threads: {torch.get_num_threads()}')
    train_model(data, out=tmp/'resnet18', arch='resnet18', pretrained=False, epochs=1, size=224, bs=8, verbose=False)
    r18 = bench_model('resnet18_224', tmp/'resnet18', files, n_single, n_batch, rounds)
    train_model(data, out=tmp/'default', arch='efficientnet_lite0', epochs=0, freeze_epochs=1, bs=8, verbose=False)
    dflt = bench_model(f'{DEFAULT_ARCH}_{TRAIN_DEFAULTS["size"]}', tmp/'default', files, n_single, n_batch, rounds)
    headline = (f'Predictor vs load_learner().predict in a loop: single image {r18["lat_learn"]/r18["lat_pred"]:.2f}x the speed '
                f'(resnet18 224px), {dflt["lat_learn"]/dflt["lat_pred"]:.2f}x ({DEFAULT_ARCH}); batch throughput '
                f'{r18["thr_pred"]/r18["thr_learn"]:.1f}x (resnet18), {dflt["thr_pred"]/dflt["thr_learn"]:.1f}x ({DEFAULT_ARCH})')
    print(f'headline: {headline}')
    def model(name, r): return dict(name=name, single_ms_predictor=round(r['lat_pred'], 1), single_ms_learn_predict=round(r['lat_learn'], 1),
                                    single_ratio=round(r['lat_learn']/r['lat_pred'], 2), batch_img_per_s_predictor=round(r['thr_pred'], 1),
                                    batch_img_per_s_learn_predict=round(r['thr_learn'], 1), batch_img_per_s_get_preds=round(r['thr_getpreds'], 1),
                                    batch_ratio=round(r['thr_pred']/r['thr_learn'], 2))
    write_results('predict', dict(models=[model('resnet18, 224 px, random weights', r18),
                                          model(f'{DEFAULT_ARCH}, {TRAIN_DEFAULTS["size"]} px (the default)', dflt)], headline=headline),
                  n=dict(single=n_single, batch=n_batch, rounds=rounds, train_images=40),
                  seeds=dict(sample=42, photos=42, train=42))  # make_sample's and train_model's default seeds
