"""One source for every figure: each `python -m bench.NAME` writes `bench/results/NAME.json` (`write_results` of
bench/common.py); notebooks and the README read it.

A result file holds the command line, the date, the machine (platform, CPU count, torch version and threads, load
average), the seeds, the sample size `n`, and the figures themselves. `results` reads a file back (None when it is
missing); `figures_markdown` turns one into the Markdown the README shows, or into a line saying how to measure it.
Notebooks run from `nbs/`:

    import sys; sys.path.insert(0, '../tools')
    from figures import show_figures
    show_figures('predict')
"""
import json
from pathlib import Path
from chris_classifier.demo import markdown_table

RESULTS = Path(__file__).resolve().parent.parent/'bench'/'results'  # bench/results, found from any working directory

def results(script:str, # The benchmark's name
            folder:Path=RESULTS, # Where result files are
           )->dict:
    "The results of `python -m bench.<script>`, or None when it has not been run."
    f = Path(folder)/f'{script}.json'
    return json.loads(f.read_text()) if f.exists() else None

def _table(header, rows): return markdown_table([header, *rows], fmt=str)

def _source(r):
    m = r['machine']
    return (f"*Measured {r['date']} with `{r['command']}` on {m['platform']}, {m['cpu_count']} CPUs "
            f"({m['torch_threads']} torch threads, load average {m['load_average'][0]}), torch {m['torch']}.*")

def _collect(r):
    f, n = r['figures'], r['n']
    rows = [('download (s)', f['ours_download_s'], f['reference_download_s']),
            ('verify (s)', f['ours_verify_s'], f['reference_verify_s']),
            ('**total (s)**', f"**{f['ours_total_s']}**", f"**{f['reference_total_s']}**"),
            ('images kept', f['ours_kept'], f['reference_kept']),
            ('rerun (s), images downloaded again', f"{f['ours_rerun_s']}, {f['ours_rerun_downloaded']}", 'not supported')]
    return (f"{n['images']} generated images ({n['per_class']} per class, {f['megabytes']} MB) served on 127.0.0.1, "
            f"{n['workers']} download threads:\n\n"
            + _table(['', 'collect_images + verify_folder', "fastai's download_images + verify_images"], rows)
            + f"\n\nOurs takes {f['ours_vs_reference']} times the reference's time, for hashing, de-duplication, "
              "grayscale detection and the manifest, which the reference does not do.")

def _predict(r):
    f = r['figures']
    rows = [(m['name'], f"{m['single_ms_predictor']} ms", f"{m['single_ms_learn_predict']} ms", f"**{m['single_ratio']}x**",
             f"{m['batch_img_per_s_predictor']}", f"{m['batch_img_per_s_learn_predict']}", f"**{m['batch_ratio']}x**")
            for m in f['models']]
    n = r['n']
    return (f"Single images: median time of {n['single']}; a batch: {n['batch']} images, images per second, best of {n['rounds']} runs.\n\n"
            + _table(['model', 'single image: Predictor', 'learn.predict', 'speed-up', 'batch: Predictor',
                      'learn.predict loop', 'speed-up'], rows))

def _train(r):
    f = r['figures']
    rows = [(name, f"{c['error_rate']:.3f}", f"{c['train_s']:.0f}") for name, c in f['configs'].items()]
    return (f"{r['n']['dataset']} ({r['n']['images']} images, seeded 80/20 split), packaged EfficientNet-Lite0 in each run:\n\n"
            + _table(['configuration', 'error rate', 'training (s)'], rows)
            + f"\n\nThe project's defaults train {f['time_ratio_recipe_over_defaults']} times faster than the fastbook recipe.")

CNN_LABELS = dict(fastbook='fastbook recipe', project_cnn="project's CNN", cnn_crops='CNN on face crops')  # bench/faces.py's CNN rows

def _faces(r):
    f = r['figures']
    def cell(d, k): return f"{d[k]['error']:.3f} / {d[k]['train_s']:.0f} s" if k in d else 'not run'
    rows = [(f"{name} ({d['people']} people, {d['photos']} photos)", cell(d, 'fastbook'), cell(d, 'project_cnn'),
             cell(d, 'dlib_lr'), f"**{cell(d, 'face')}**", f"{d['detection_rate']:.1%}",
             f"{d['open_set']['strangers_accepted']:.2f} / {d['open_set']['known_rejected']:.2f}")
            for name, d in f['datasets'].items()]
    return ("Seeded 80/20 split of each face dataset, error rate / training seconds (the face methods' seconds include "
            "describing every photo from an empty cache):\n\n"
            + _table(['dataset', 'fastbook recipe (EfficientNet-Lite0)', "project's CNN defaults",
                      'dlib descriptors + logistic regression (reference)', 'face learner (`--arch face`)',
                      'faces detected', 'open set: strangers named / known faces refused'], rows)
            + ''.join(f"\n\n{name}: the {' and '.join(CNN_LABELS.get(k, k) for k in rows)} figures are kept from the run of {', '.join(sorted(set(rows.values())))} "
                      "(`--keep-cnn`: they use no face model)." for name, rows in r.get('kept_from_last_run', {}).items()))

def _open_set(r):
    f, k = r['figures']['summary'], len(r['seeds']['seeds'])
    rows = [(f"{h}{' (worst)' if h == f['worst_split'] else ''}", f"{v['n_known']} / {v['n_strangers']}",
             f"**{v['default']['known_correct']:.3f}** ({v['default']['min_known_correct']:.3f})",
             f"**{v['default']['strangers_rejected']:.3f}** ({v['default']['min_strangers_rejected']:.3f})",
             f"{v['nearest face']['known_correct']:.3f} / {v['class centroid']['known_correct']:.3f}", 'met' if v['target_met'] else 'not met')
            for h, v in f['splits'].items()]
    m = f['mean']
    rows.append(('mean over splits', '', f"{m['default']['known_correct']:.3f}", f"{m['default']['strangers_rejected']:.3f}",
                 f"{m['nearest face']['known_correct']:.3f} / {m['class centroid']['known_correct']:.3f}", ''))
    return (f"Each real source held out in turn ({k} seeds): its photos are the queries, the known people are learnt from another "
            "source where they are in one (pins_dev's three from avengers_faces and back), otherwise from half of their own "
            "photos, with half the source's people held out of the vocabulary as strangers. The project default is `train` on "
            "the photos, answered as the `Predictor` answers (mean over seeds, worst seed in brackets). The reference is dlib's "
            "nearest face / class centroid of the same training photos at the best single threshold *in hindsight*, chosen "
            "on the queries themselves for at least 98% of strangers rejected:\n\n"
            + _table(['held-out source', 'n known / strangers', 'known named correctly', 'strangers rejected',
                      'reference, best in hindsight: nearest face / centroid', 'target'], rows)
            + f"\n\nTarget (at least 0.96 known and 0.98 strangers on every split and seed, and known named, in the mean over "
              "seeds, at least as often as by the better reference): "
              f"{'met' if f['target_met'] else 'not met'}; worst split: {f['worst_split']}."
            + _nested(f) + _large_galleries(f))

def _large_galleries(f):
    "The splits whose galleries are larger, never used to choose anything."
    if 'large_galleries' not in f: return ''
    def worst(v, k): return f" ({v['default']['min_' + k]:.3f})" if len(v['seeds']) > 1 else ''
    rows = [(h, f"{v['n_train']}", f"{v['n_known']} / {v['n_strangers']}", f"{len(v['seeds'])}",
             f"**{v['default']['known_correct']:.3f}**{worst(v, 'known_correct')}",
             f"**{v['default']['strangers_rejected']:.3f}**{worst(v, 'strangers_rejected')}",
             f"{v['nearest face']['known_correct']:.3f} / {v['class centroid']['known_correct']:.3f}", 'met' if v['target_met'] else 'not met')
            for h, v in f['large_galleries'].items()]
    return ("\n\nLarger galleries, never used to choose anything: lfw_top7 with all of its photos (drawn as its split is), and "
            "scraped_dev's search results, perfectly cleaned, as the training photos, with its test photos and pins_dev's "
            "strangers as the queries (worst seed in brackets where there is more than one; the same target):\n\n"
            + _table(['split', 'training photos', 'n known / strangers', 'seeds', 'known named correctly', 'strangers rejected',
                      'reference, best in hindsight: nearest face / centroid', 'target'], rows))

def _nested(f):
    "How the open-set threshold was chosen, what each source gets when it is left out of the choice, and the rules compared: a table."
    if 'nested' not in f: return ''
    n = f['nested']; dev = n['splits']['pins_dev']['chosen_on']
    names = {'project': "**the default**: the project's score",
             'head-named': "the same score with the head's name, its probabilities scaled by that class's familiarity",
             'centroid distance': 'the distance to the centroid of the named class alone',
             'class-calibrated': ("per-class calibration, the score placed between the class's own typical score and its "
                                  "typical impostor score in the model's gallery")}
    rules, held = {'project': n, **f.get('nested_other_rules', {})}, [h for h in n['splits'] if h in f['splits']]
    large = list(f.get('large_galleries', {}))
    def cell(v): return f"{v['known_correct']:.3f} ({v['min_known_correct']:.3f}) / {v['min_strangers_rejected']:.3f}"
    def big(v, h): g = v.get('large_galleries', {}).get(h); return f"{g['known_correct']:.3f} / {g['strangers_rejected']:.3f}" if g else ''
    rows = [(f"{names.get(r, r)} (t {v['shipped']})", *[cell(v['splits'][h]) for h in held], *[big(v, h) for h in large])
            for r, v in rules.items()]
    return (f"\n\nThe default's open-set threshold `t` was chosen on {', '.join(dev)} only. Chosen again without each of them "
            "in turn (and on all three for avengers_faces and pins_dev), each held-out source gets, under the default and under "
            "the other rules the bench compares, chosen the same way: known named (worst seed in brackets) / strangers rejected "
            "(worst seed); the larger galleries (below) at the `t` chosen on all three: known / rejected.\n\n"
            + _table(['rule (t chosen on all three)', *held, *large], rows))

def _span(xs): return f'{min(xs):.3f}' if min(xs) == max(xs) else f'{min(xs):.3f} to {max(xs):.3f}'

def _face_batches(r):
    f, n = r['figures'], r['n']
    ms = f['ms_per_photo']
    rows = [('one by one (`predict` in a loop)', f"{ms['one_by_one']} ms", '1.0x'),
            (f"a batch (`predict_many`, {f['cores']} worker processes)", f"**{ms['batch']} ms**", f"**{f['batch_speedup']}x**"),
            ('reference: a plain dlib detect + describe loop', f"{ms['dlib_loop']} ms", f"{round(ms['one_by_one']/ms['dlib_loop'], 2)}x")]
    return (f"A face model answering {n['photos']} photos of pins_dev, best of {n['rounds']} interleaved rounds, time per photo:\n\n"
            + _table(['how', 'per photo', 'speed-up over one by one'], rows)
            + f"\n\nTarget: a batch at least 1.5x faster than one by one: {'met' if f['target_met'] else 'not met'} "
              f"(first round, worker start-up included: {f['first_round_batch_speedup']}x).")

def _detectors(r):
    f, n = r['figures'], r['n']
    sets = list(f['datasets'])
    names = dict(hog='dlib HOG, no upsampling', hog_up='dlib HOG, upsampled once', haar='OpenCV Haar cascade', cnn='dlib MMOD CNN')
    def cell(d): return f"{d['found']:.1%}" + (f" ({d['several']:.0%} several)" if d['several'] >= 0.02 else '')
    rows = [[names[k]] + [cell(f['datasets'][s]['alone'][k]) for s in sets]
            + [f"{f['datasets'][sets[0]]['alone'][k]['ms']:.0f}"] for k in names]
    steps = '; '.join(f"{s}: {v['cascade_rate']:.1%} of {v['photos']} photos ("
                      + ', '.join(f'{c} `{k}`' for k, c in sorted(v['cascade'].items(), key=lambda kv: -kv[1])) + ')'
                      for s, v in f['datasets'].items())
    return (f"Each detector alone on one photo in {n['every']} (the CNN on the first {n['cnn_photos']} of each), share of photos "
            "where it finds a face:\n\n" + _table(['detector'] + sets + [f'ms/photo ({sets[0]})'], rows)
            + f"\n\nThe cascade (`find_faces`), on every photo: {steps}.")

def _views(r):
    f, n = r['figures'], r['n']
    try: from chris_classifier.faces import DESCRIBE_VIEWS  # the views the library uses now
    except ImportError: DESCRIBE_VIEWS = ()
    rows = [(f"**{name} (the default)**" if tuple(d['views']) == tuple(DESCRIBE_VIEWS) else name, f"{d['known_correct']:.4f}",
             f"{d['strangers_rejected']:.4f}", f"{d['worst_split']}: {d['worst_split_rejected']:.3f}")
            for name, d in f['view_sets'].items()]
    return (f"Development splits only ({n['splits']} splits of avengers_faces, five_celebrity_faces and lfw_top7: each person "
            f"left out of their dataset, each dataset against the other two; {n['seeds']} seeds; per seed "
            f"{n['known_valid_photos_per_seed']} known validation photos and {n['stranger_photos_per_seed']} stranger photos), "
            "the default open set, means over splits:\n\n"
            + _table(['descriptor views', 'known people named correctly', 'strangers answered "none of these"', 'worst split (rejected)'], rows))

def _gallery(r):
    f, n = r['figures'], r['n']
    rows = [(f"**{g} (the default)**" if g.endswith('validation faces') else g, f"{d['known_correct']:.4f}", f"{d['strangers_rejected']:.4f}")
            for g, d in f['galleries'].items()]
    return (f"Development splits only ({n['splits']} splits, as for the views; {n['seeds']} seeds; per seed "
            f"{n['known_test_photos_per_seed']} known test photos held out of training and validation, "
            f"{n['stranger_photos_per_seed']} stranger photos), the default open set, means over splits:\n\n"
            + _table(['gallery after validation', 'known people named correctly', 'strangers answered "none of these"'], rows))

TARGETS = dict(bad_left_share='at most 10% of the bad results left', good_out_share='at most 3% of the good ones taken out',
               known_correct='known named >= 0.97', strangers_rejected='strangers rejected >= 0.98',
               better_than_lesson_way="fewer bad results left than (b), no more good ones taken out",
               confirmed_better_than_lesson_way="the same, with a person deciding the suggested photos, against (b) with as many photos looked at")  # bench/scraped.py's `targets_met`
GROUP_FACES = dict(group_label='their face the larger', group_other='their face the smaller')  # bench/scraped.py's kinds

def _scraped(r):
    f = r['figures']
    rows = [(s, _state(d['raw']), f"**{_state(d['cleaned'])}**", _state(d.get('lesson_way')), _state(d.get('cleanlab')), _state(d.get('cnn_suggestions')),
             '; '.join(f"{GROUP_FACES.get(k, k)}: {v['right']} right, {v['wrong']} wrong" for k, v in d['group_faces'].items()))
            for s, d in f['per_seed'].items()]
    what = (f"scraped_dev: {r['n']['search_results']} search results for four men" if '--search' not in r['command'] else
            f"another search, made by bench/make_search.py from avengers_faces (nothing was tuned on it): {r['n']['search_results']} "
            f"results for {', '.join(r['search']['people'])}")
    met = f.get('targets_met', {})
    targets = ('; '.join(f"{TARGETS[k]}: {'met' if v else 'not met'}" for k, v in met.items() if k in TARGETS))
    return (f"{what}, served over loopback and collected, trained on, reviewed and "
            "cleaned with `clean --decisions suggestions.csv` through the command line. Each cell: bad results left in "
            "the class folders / good ones taken out, then known test photos named correctly / strangers rejected by "
            "the face model trained on that folder:\n\n"
            + _table(['seed', '(a) raw search results', 'after the suggestions', "(b) the lesson's way: recipe CNN's top losses, 10% fixed by hand",
                      "(c) cleanlab's find_label_issues", "the suggestions made with the recipe CNN instead (folders only: no model trained on them)",
                      'group photos kept under their person: the face learnt from'], rows)
            + f"\n\n{f['headline']}." + (f" Targets, on every seed: {targets}." if targets else '') + _looked(f['per_seed']))

def _looked(per_seed:dict)->str:
    "The cleaning as the cleaner does it: a person who knows the truth decides the suggested photos; (b) with as many looked at."
    rows = [(s, d['confirmed']['looked_at'], f"**{_state(d['confirmed'])}**", _state(d.get('lesson_way_same_look')), _state(d.get('lesson_way')))
            for s, d in per_seed.items() if isinstance(d.get('confirmed'), dict)]
    if not rows: return ''
    return ("\n\nThe suggestions are there to be confirmed: the cleaner opens on the suggested photos. The same person as in (b), "
            "who decides every photo they look at correctly, looking at the suggested photos only, against the same person "
            "looking at as many of the recipe CNN's top losses (cells as above):\n\n"
            + _table(['seed', 'photos looked at', 'the suggested photos, decided by the person', "(b) as many of the recipe CNN's top losses",
                      "(b) 10% of the dataset's top losses"], rows))

def _state(d):
    "A cell of the scraped tables: bad left / good out, then known named / strangers rejected where a model was trained."
    if not isinstance(d, dict): return 'not run'
    return f"{d['bad_left']}/{d['n_bad']} / {d['good_out']}/{d['n_good']}" + (f" / {d['known_correct']:.3f} / {d['strangers_rejected']:.3f}" if 'known_correct' in d else '')

def _tests(r):
    f = r['figures']
    suites = [k for k in f if k != 'headline']
    rows = [(f'`{k}`', f"**{f[k]['seconds']} s**", f"{f[k]['target_s']} s", 'met' if f[k]['target_met'] else 'not met', f[k]['passed'])
            for k in suites]
    slowest = sorted(f['make test']['notebooks'].items(), key=lambda kv: -kv[1])[:4]
    return (f"A clean clone of commit {r['commit']}, {r['n']['n_workers']} notebooks tested at a time:\n\n"
            + _table(['command', 'time', 'target', '', 'notebooks passed'], rows)
            + '\n\nThe slowest notebooks under `make test`: ' + ', '.join(f'{k} ({v} s)' for k, v in slowest) + '.')

def _workers(r):
    f, n = r['figures'], r['n']
    ref = str(f['reference_workers'])
    rows = [(f"{w}{' (reference)' if w == ref else ''}", ', '.join(f"{o['train_s']:.0f}" for o in rs), f"{f['mean_train_s'][w]:.0f}",
             f"**{f['time_ratio_over_reference'][w]}x**", ', '.join(f"{o['error_rate']:.3f}" for o in rs))
            for w, rs in f['runs'].items()]
    return (f"The default CNN training on {n['dataset']} ({n['images']} images), {n['runs_per_setting']} seeds for each number of "
            "DataLoader workers, run alternately:\n\n"
            + _table(['workers', 'training (s), per seed', 'mean (s)', 'time against the reference', 'error rate, per seed'], rows))

RENDER = dict(tests=_tests, scraped=_scraped, scraped_avengers=_scraped, detectors=_detectors, collect=_collect, predict=_predict, train=_train, faces=_faces, open_set=_open_set, face_batches=_face_batches, views=_views, gallery=_gallery, workers=_workers)

def figures_markdown(script:str, # The benchmark's name
                     folder:Path=RESULTS, # Where result files are
                    )->str:
    "Markdown for the results of `python -m bench.<script>`, or a line saying it has not been measured yet."
    r = results(script, folder)
    if r is None: return f'*Not measured yet: run `python -m bench.{script}` from the repository root, then `make readme`.*'
    return RENDER[script](r) + '\n\n' + _source(r)

def show_figures(script:str, # The benchmark's name
                 folder:Path=RESULTS, # Where result files are
                ):
    "Display `figures_markdown(script)` in a notebook."
    from IPython.display import Markdown, display
    display(Markdown(figures_markdown(script, folder)))
