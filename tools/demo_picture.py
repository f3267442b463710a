"""The README's picture of the demo's review: its confusion matrix beside its top losses, as `chris-classifier demo` draws them.

Usage (from anywhere): python tools/demo_picture.py [--out nbs/images/demo_review.png]   (`make outputs` runs it)

Runs the demo (`chris-classifier demo`, generated sample, offline) in a temporary folder with a throw-away
`CHRIS_CLASSIFIER_HOME`, then puts `review/confusion_matrix.png` and `review/top_losses.png` side by side, at one
height, at most 1000 pixels wide. Run again whenever the sample, the training defaults or the review's figures change.
"""
import os, subprocess, sys, tempfile
from pathlib import Path
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent

def side_by_side(files:list, width:int=1000)->Image.Image:
    "The images `files` at one height, left to right, scaled down to at most `width` pixels wide."
    ims = [Image.open(f).convert('RGB') for f in files]
    h = max(im.height for im in ims)
    ims = [im.resize((round(im.width*h/im.height), h)) for im in ims]
    res = Image.new('RGB', (sum(im.width for im in ims), h), 'white')
    for x, im in zip([0] + [sum(i.width for i in ims[:k+1]) for k in range(len(ims))], ims): res.paste(im, (x, 0))
    res.thumbnail((width, width))
    return res

if __name__ == '__main__':
    out = Path(sys.argv[sys.argv.index('--out') + 1]) if '--out' in sys.argv else ROOT/'nbs'/'images'/'demo_review.png'
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, CHRIS_CLASSIFIER_HOME=str(Path(d)/'home'))
        cli = 'import sys; from chris_classifier.cli import main; sys.exit(main())'  # the `chris-classifier` command, in this Python
        subprocess.run([sys.executable, '-c', cli, 'demo', '--out', 'demo'], cwd=d, env=env, check=True)
        review = Path(d)/'demo'/'review'
        side_by_side([review/'confusion_matrix.png', review/'top_losses.png']).save(out, optimize=True)
    print(f'written: {out}')
