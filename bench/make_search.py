"""Make another image search "as it comes back", in scraped_dev's layout, from face photos nothing was tuned on.

Usage (from the repository root): python -m bench.make_search --out DIR [--datasets DIR] [--seed 0]
then: python -m bench.scraped --search DIR --name scraped_avengers

scraped_dev (four Toms and Johnny Depp's look-alikes, Pins crops) prompted the review's rules; this asks whether they hold
on a search for other people. The people are `avengers_faces`' five (two of them Chrises, the project's look-alikes),
one search each; the strangers in the results, and the second faces of group photos, are the people of
`five_celebrity_faces` and `lfw_top7`; `pins_dev/strangers` stay the strangers the models are judged on. Each search
holds the kinds scraped_dev's PROVENANCE.md lists, in about its shares (`KINDS`): genuine photos in a wider frame,
another of the five, a stranger, group photos with the searched person's face the larger or the smaller, a picture
without a face, and a copy of an earlier result. Frames are drawn as scraped_dev's are (blurred colour fields).
The second face of a group photo is cut to a face crop first (`face_crop`), so that "the larger face" means the
larger face, as in scraped_dev. The clean test photos come from a second source where there is one: pins_dev's photos of
the three people it also holds (Mark Ruffalo, Robert Downey Jr., Scarlett Johansson), as a user's own photos would;
the two Chrises have none, so `TEST_PER_PERSON` of their photos are kept out of the search instead.
Writes DIR/web/, DIR/test/, DIR/results.csv (label, name, kind, truth, sha256) and DIR/report.json. The photos are
copies of the datasets' faces: make DIR outside the repository (they are never committed).
"""
import csv, hashlib, io, json, random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter
from fastcore.script import call_parse
from fastai.data.transforms import get_image_files

import numpy as np
from bench.common import datasets_dir, main_views

KINDS = dict(wrong_person=0.08, stranger=0.06, group_label=0.03, group_other=0.03, no_face=0.04, duplicate=0.04)  # per search; the rest genuine
TEST_PER_PERSON = 10  # photos kept out of the search, to judge the models on, of a person no second source holds
SAME_PHOTO = 0.25  # descriptors this close: the same photo cut or coloured again (one person's photos are 0.3 to 0.6 apart)

def photos(folder:Path)->list: return sorted(get_image_files(folder, recurse=False))  # sorted: the same search from the same seed

def background(rng:random.Random, w:int, h:int)->Image.Image:
    "A blurred field of coloured discs, as scraped_dev's frames."
    col = lambda: tuple(rng.randrange(40, 240) for _ in range(3))
    img = Image.new('RGB', (w, h), col())
    d = ImageDraw.Draw(img)
    for _ in range(rng.randrange(3, 7)):
        r, x, y = rng.randrange(min(w, h)//6, min(w, h)//2), rng.randrange(w), rng.randrange(h)
        d.ellipse((x - r, y - r, x + r, y + r), fill=col())
    return img.filter(ImageFilter.GaussianBlur(rng.uniform(15, 35)))

def face_crop(f:Path, margin:float=0.1)->Image.Image:
    """The photo `f` cut to its main face and `margin` of the face around it: a face crop like avengers_faces' (the
    strangers' photos are wider), so that the face sizes of a group photo follow the sizes it is drawn at."""
    from chris_classifier.faces import find_faces, face_array
    img = Image.open(f).convert('RGB')
    faces = find_faces(face_array(img))
    if not faces: return img
    l, t, r, b = faces[0].box
    m = margin*max(r - l, b - t)
    return img.crop((max(0, round(l - m)), max(0, round(t - m)), min(img.width, round(r + m)), min(img.height, round(b + m))))

def framed(rng:random.Random, faces:list, sides:list)->Image.Image:
    "The face photos `faces` (paths or images), resized to `sides` (their longer side, px), side by side in a drawn frame."
    ims = [f if isinstance(f, Image.Image) else Image.open(f).convert('RGB') for f in faces]
    ims = [im.resize((max(1, round(im.width*s/max(im.size))), max(1, round(im.height*s/max(im.size))))) for im, s in zip(ims, sides)]
    gap = rng.randrange(10, 40)
    w = sum(im.width for im in ims) + gap*(len(ims) + 1) + rng.randrange(0, 200)
    h = max(im.height for im in ims) + rng.randrange(60, 320)
    img, x = background(rng, w, h), gap + rng.randrange(0, w - sum(im.width for im in ims) - gap*(len(ims) + 1) + 1)
    for im in ims:
        img.paste(im, (x, rng.randrange(0, h - im.height + 1))); x += im.width + gap
    return img

def poster(rng:random.Random)->Image.Image:
    "A picture without a face: a frame with blocks and a word."
    img = background(rng, rng.randrange(300, 500), rng.randrange(300, 500))
    d = ImageDraw.Draw(img)
    for _ in range(rng.randrange(1, 4)):
        x, y = rng.randrange(img.width - 60), rng.randrange(img.height - 60)
        d.rectangle((x, y, x + rng.randrange(30, 120), y + rng.randrange(20, 90)), fill=tuple(rng.randrange(256) for _ in range(3)))
    d.text((rng.randrange(10, img.width//2), rng.randrange(10, img.height - 20)), rng.choice(['PREMIERE', 'INTERVIEW', 'NEWS', 'TRAILER']), fill='white')
    return img

def jpeg(img:Image.Image, quality:int=90)->bytes:
    buf = io.BytesIO(); img.save(buf, 'JPEG', quality=quality); return buf.getvalue()

def search(rng:random.Random, label:str, own:list, others:dict, strangers:list, n_genuine:int)->list:
    "[(kind, truth, bytes)] of one search for `label`: its own photos, the other people's, and strangers' (consumed)."
    n = round(n_genuine/(1 - sum(KINDS.values())))
    count = {k: max(1, round(v*n)) for k, v in KINDS.items()}
    side = lambda: rng.randrange(120, 260)
    res = [('genuine', label, jpeg(framed(rng, [own.pop()], [side()]))) for _ in range(n_genuine)]
    for _ in range(count['wrong_person']):
        p = rng.choice(sorted(k for k, v in others.items() if v))
        res.append(('wrong_person', p, jpeg(framed(rng, [others[p].pop()], [side()]))))
    res += [('stranger', '', jpeg(framed(rng, [strangers.pop()], [side()]))) for _ in range(count['stranger'])]
    for kind in ('group_label', 'group_other'):
        for _ in range(count[kind]):
            big = rng.randrange(180, 260); small = round(big*rng.uniform(0.55, 0.75))
            pair, sides = [own.pop(), face_crop(strangers.pop())], [big, small] if kind == 'group_label' else [small, big]
            if rng.random() < 0.5: pair, sides = pair[::-1], sides[::-1]
            res.append((kind, label, jpeg(framed(rng, pair, sides))))
    res += [('no_face', '', jpeg(poster(rng))) for _ in range(count['no_face'])]
    for _ in range(count['duplicate']):  # a byte copy, or a smaller recompressed copy, of an earlier genuine result
        _, truth, b = rng.choice([r for r in res if r[0] == 'genuine'])
        if rng.random() < 0.5:
            im = Image.open(io.BytesIO(b)); b = jpeg(im.resize((im.width*3//5, im.height*3//5)), quality=75)
        res.append(('duplicate', truth, b))
    rng.shuffle(res)
    return res

@call_parse
def main(out:Path=None, # Where to write the search (outside the repository: it holds copies of the datasets' photos)
         datasets:Path=None, # Folder holding the real face datasets (default: ../shared/datasets)
         seed:int=0, # Seed of every draw
        ):
    "Write a search in scraped_dev's layout: web/, test/, results.csv, report.json."
    if out is None: raise SystemExit('pass --out DIR: where to write the search (outside the repository)')
    rng, datasets, out = random.Random(seed), Path(datasets or datasets_dir()), Path(out)
    people = {p.name: photos(p) for p in sorted((datasets/'avengers_faces').iterdir()) if p.is_dir()}
    strangers = [f for d in ('five_celebrity_faces', 'lfw_top7') for p in sorted((datasets/d).iterdir()) if p.is_dir() for f in photos(p)]
    for v in (*people.values(), strangers): rng.shuffle(v)
    (out/'web').mkdir(parents=True, exist_ok=False)
    second = datasets/'pins_dev'/'known'
    test = {p: photos(second/p) if (second/p).is_dir() else [v.pop() for _ in range(TEST_PER_PERSON)] for p, v in people.items()}
    for p, v in people.items():  # a photo that is a test photo cut or coloured again (both datasets hold some) stays out of the search
        tv = np.stack([d for d in map(main_views, test[p]) if d is not None]).mean(1)
        people[p] = [f for f in v if (d := main_views(f)) is None or np.linalg.norm(tv - d.mean(0), axis=1).min() > SAME_PHOTO]
    for p, fs in test.items():
        (out/'test'/p).mkdir(parents=True)
        for i, f in enumerate(fs): (out/'test'/p/f'{p}_{i:03d}.jpg').write_bytes(jpeg(Image.open(f).convert('RGB')))
    groups = round(sum(KINDS[k] for k in ('group_label', 'group_other'))*40)
    lent = {p: [v.pop() for _ in range(4)] for p, v in people.items()}  # each person's photos for the other searches (about 3 asked of each search)
    n_genuine = min(len(v) for v in people.values()) - groups
    rows, report = [], {}
    for p in people:
        found = search(rng, p, people[p], {q: lent[q] for q in people if q != p}, strangers, n_genuine)
        report[p] = {k: sum(r[0] == k for r in found) for k in ('genuine', *KINDS)}
        for i, (kind, truth, b) in enumerate(found):
            name = f'{p}_{i:03d}.jpg'
            (out/'web'/name).write_bytes(b)
            rows.append(dict(label=p, name=name, kind=kind, truth=truth, sha256=hashlib.sha256(b).hexdigest()))
    with open(out/'results.csv', 'w', newline='') as f:
        w = csv.DictWriter(f, ['label', 'name', 'kind', 'truth', 'sha256']); w.writeheader(); w.writerows(rows)
    (out/'report.json').write_text(json.dumps(dict(seed=seed, made_from=dict(people='avengers_faces', strangers=['five_celebrity_faces', 'lfw_top7']),
                                                   test={p: dict(photos=len(v), source='pins_dev' if (second/p).is_dir() else 'avengers_faces, held out')
                                                         for p, v in test.items()}, kinds=report), indent=1))
    print(f"{len(rows)} search results for {len(people)} people in {out}/web; " + ', '.join(f'{len(v)} test photos of {p}' for p, v in test.items()))
