"""Benchmark of the collect step: download and verify 750 generated images served from 127.0.0.1.

Usage (from the repository root): python -m bench.collect [--per-class 150] [--n-workers 8]

Serves 150 generated images per class (JPEGs from `sample.sample_image`) on a loopback web server, then times
1. ours: `collect_images(engine='urls')` (download) and `verify_folder` (decode, hash, de-dup, manifest), and a rerun
   that has nothing left to do (resume check);
2. the reference recipe of fastbook chapter 2: fastai's `download_images` per class, then `verify_images` and
   unlinking the failures.
Prints `name: value` lines; the headline (ours, download + verify, seconds) comes last. Writes them to
bench/results/collect.json, which the README shows.
"""
import contextlib, io, os, random, shutil, tempfile, time, warnings
from pathlib import Path

from fastcore.script import call_parse
from bench.common import write_results
from chris_classifier.core import CLASS_FOLDERS
from chris_classifier.dataset import read_manifest
from chris_classifier.sample import sample_image
from chris_classifier.testing import ImageServer
from chris_classifier.verify import verify_folder
from chris_classifier.collect import collect_images


def make_images(per_class):
    "{path: JPEG bytes}, `per_class` images per class."
    replies = {}
    for c in CLASS_FOLDERS:
        rng = random.Random(f'bench-{c}')
        for i in range(per_class):
            buf = io.BytesIO(); sample_image(c, rng, gray=(i % 8 == 7)).save(buf, 'JPEG', quality=90)
            replies[f'/{c}/{i:04d}.jpg'] = buf.getvalue()
    return replies


def timed(f, *args, **kw):
    start = time.perf_counter(); res = f(*args, **kw)
    return res, time.perf_counter() - start


def reference(path, urls, n_workers):
    "fastbook chapter 2: download_images per class, then verify_images and unlink the failures."
    from fastai.vision.utils import download_images, verify_images
    from fastai.data.transforms import get_image_files
    Path(path).mkdir(parents=True, exist_ok=True)
    _, t_dl = timed(lambda: [download_images(path/c, urls=us, n_workers=n_workers) for c, us in urls.items()])
    def verify():
        failed = verify_images(get_image_files(path))
        failed.map(Path.unlink)
        return len(failed)
    n_failed, t_ver = timed(verify)
    return t_dl, t_ver, len(get_image_files(path)), n_failed


@call_parse
def main(per_class:int=150, # Generated images per class
         n_workers:int=8, # Download threads
        ):
    "Benchmark of the collect step: download and verify 750 generated images served from 127.0.0.1."
    warnings.filterwarnings('ignore', category=FutureWarning)
    tmp = Path(tempfile.mkdtemp(prefix='bench_collect_'))
    try:
        replies, t_gen = timed(make_images, per_class)
        n = len(replies)
        print(f'images: {n}')
        print(f'megabytes: {sum(map(len, replies.values()))/1e6:.1f}')
        print(f'cpus: {os.cpu_count()}')
        print(f'generate_s: {t_gen:.2f}')
        with ImageServer(replies) as srv:
            csv = tmp/'urls.csv'
            csv.write_text('label,url\n' + ''.join(f'{p.split("/")[1]},{srv.url(p)}\n' for p in replies))
            urls = {c: [srv.url(p) for p in replies if p.startswith(f'/{c}/')] for c in CLASS_FOLDERS}

            kw = dict(engine='urls', urls_file=csv, per_class=per_class, n_workers=n_workers, show=False)
            rep, t_dl = timed(collect_images, tmp/'ours', verify=False, **kw)
            ver, t_ver = timed(verify_folder, tmp/'ours', show=False)
            rerun, t_rerun = timed(collect_images, tmp/'ours', **kw)
            saved = sum(c['saved'] for c in rep['classes'].values())
            resaved = sum(c['saved'] for c in rerun['classes'].values())

            with contextlib.redirect_stdout(io.StringIO()):  # fastai's progress bars
                ref_dl, ref_ver, ref_kept, ref_failed = reference(tmp/'reference', urls, n_workers)

        print(f'ours_download_s: {t_dl:.2f}')
        print(f'ours_verify_s: {t_ver:.2f}')
        print(f'ours_saved: {saved}')
        print(f'ours_kept: {ver["ok"]}')
        print(f'ours_duplicates: {ver["duplicates"]}')
        print(f'ours_quarantined: {sum(ver["quarantined"].values())}')
        print(f'ours_grayscale: {ver["grayscale"]}')
        print(f'ours_manifest_rows: {len(read_manifest(tmp/"ours"))}')
        print(f'ours_rerun_s: {t_rerun:.2f}')
        print(f'ours_rerun_downloaded: {resaved}')
        print(f'reference_download_s: {ref_dl:.2f}')
        print(f'reference_verify_s: {ref_ver:.2f}')
        print(f'reference_kept: {ref_kept}')
        print(f'reference_total_s: {ref_dl + ref_ver:.2f}')
        print(f'ours_vs_reference: {(t_dl + t_ver)/(ref_dl + ref_ver):.2f}x the time')
        print(f'ours_images_per_s: {n/(t_dl + t_ver):.0f}')
        print(f'collect_{n}_images_s: {t_dl + t_ver:.2f}')
        r2 = lambda x: round(x, 2)
        write_results('collect', dict(
            megabytes=round(sum(map(len, replies.values()))/1e6, 1), generate_s=r2(t_gen),
            ours_download_s=r2(t_dl), ours_verify_s=r2(t_ver), ours_total_s=r2(t_dl + t_ver), ours_saved=saved,
            ours_kept=ver['ok'], ours_duplicates=ver['duplicates'], ours_quarantined=sum(ver['quarantined'].values()),
            ours_grayscale=ver['grayscale'], ours_rerun_s=r2(t_rerun), ours_rerun_downloaded=resaved,
            reference_download_s=r2(ref_dl), reference_verify_s=r2(ref_ver), reference_total_s=r2(ref_dl + ref_ver),
            reference_kept=ref_kept, ours_vs_reference=r2((t_dl + t_ver)/(ref_dl + ref_ver)),
            headline=f'collect {n} images: {t_dl + t_ver:.2f} s, {(t_dl + t_ver)/(ref_dl + ref_ver):.2f}x the reference'),
            n=dict(images=n, per_class=per_class, workers=n_workers),
            seeds={c: f'bench-{c}' for c in CLASS_FOLDERS})
    finally: shutil.rmtree(tmp, ignore_errors=True)

