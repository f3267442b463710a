"""Face detectors: which finds how many faces, how fast, on real photos; and what the project's cascade finds.

Usage (from the repository root): python -m bench.detectors [--datasets DIR] [--every 3] [--cnn-photos 20]

On every `--every`-th photo (sorted) of lfw_top7 (whole-head photos), avengers_faces (tight face crops) and
five_celebrity_faces (web photos), each detector of `FACE_DETECTORS` runs alone on the photo as `find_faces` sees
it (at most `MAX_DETECT_SIDE` pixels a side): the share of photos where it finds a face, where it finds several,
and its milliseconds a photo. The slow MMOD CNN runs on the first `--cnn-photos` of each sample only. Then the
project's cascade (`find_faces` with `DEFAULT_CASCADE`) on all the photos of each dataset: its detection rate and
which step found each face. Figures go to bench/results/detectors.json; 01e_faces quotes them.
"""
import time
from collections import Counter
from pathlib import Path

import numpy as np
from fastcore.script import call_parse
from bench.common import find_dataset, say, write_results

SETS = ('lfw_top7', 'avengers_faces', 'five_celebrity_faces')
ALONE = ('hog', 'hog_up', 'haar', 'cnn')

def searched(f):
    "The array `find_faces` searches for the photo `f` (`detection_array`: at most `MAX_DETECT_SIDE` a side)."
    from chris_classifier.faces import face_array, detection_array
    return detection_array(face_array(f))[0]

@call_parse
def main(datasets:Path=None, # The folder holding the datasets (default: ../shared/datasets)
         every:int=3, # Each detector alone runs on every `every`-th photo
         cnn_photos:int=20, # The slow MMOD CNN runs on the first `cnn_photos` of each sample only
        ):
    "Face detectors: which finds how many faces, how fast, on real photos; and what the project's cascade finds."
    from chris_classifier.core import dataset_image_files
    from chris_classifier.faces import FACE_DETECTORS, find_faces
    start, res, n = time.time(), {}, {}
    for name in SETS:
        files = sorted(dataset_image_files(find_dataset(datasets, name)))
        sample = files[::every]
        arrays = [searched(f) for f in sample]
        alone = {}
        for det in ALONE:
            arrs = arrays[:cnn_photos] if det == 'cnn' else arrays
            t = time.perf_counter(); found = [len(FACE_DETECTORS[det](x)) for x in arrs]; secs = time.perf_counter() - t
            alone[det] = dict(found=round(float(np.mean([k > 0 for k in found])), 4), several=round(float(np.mean([k > 1 for k in found])), 4),
                              ms=round(1000*secs/len(arrs), 1), n=len(arrs))
            say(f'{name} {det}', alone[det])
        steps = Counter()
        for f in files:
            faces = find_faces(f)
            steps[faces[0].detector if faces else 'none'] += 1
        res[name] = dict(alone=alone, cascade=dict(steps), cascade_rate=round(1 - steps.get('none', 0)/len(files), 4), photos=len(files))
        n[name] = dict(sample=len(sample), photos=len(files))
        say(f'{name} cascade', res[name]['cascade'])
    figures = dict(datasets=res, seconds=round(time.time() - start))
    figures['headline'] = '; '.join(f"{k}: cascade finds {v['cascade_rate']:.1%}" for k, v in res.items())
    write_results('detectors', figures, n=dict(n, every=every, cnn_photos=cnn_photos))
