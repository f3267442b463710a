"""How long the learner's path is: cells and words from its start to the first training run and its confusion matrix.

Usage (from anywhere): python tools/learners_path.py [--check]

`LEARNERS_PATH` is the order in which a learner reads the lesson notebooks (index.ipynb shows it, from here).
Walking it from the first cell, this counts every cell (Markdown and code, hidden ones too) and every word of their
source (whitespace-separated, code included, outputs not) up to and including the first cell that draws a
confusion matrix (`plot_confusion_matrix`) after a cell that trains (`fine_tune`, `fit_one_cycle`, `fit`,
`train_model`, `lesson_model`). `--check` exits 1 when that is more than `MAX_CELLS` cells or `MAX_WORDS` words
(CI runs it), or when no such cell is found.
"""
import json, re, sys
from pathlib import Path

NBS = Path(__file__).resolve().parent.parent/'nbs'
LEARNERS_PATH = ['lesson', '01d_collect', '01e_faces', '02_data', '03_train', '04_review', '04a_lookalikes', '04c_suggest', '05_clean',
                 '03a_predict', '07_app', '09_avoiding_disaster']  # fastbook's order: train, review, clean, then predict and deploy
MAX_CELLS, MAX_WORDS = 120, 4000
TRAINS = re.compile(r'\.(fine_tune|fit_one_cycle|fit)\(|\b(train_model|lesson_model)\(')
CONFUSION = re.compile(r'\bplot_confusion_matrix\(')

def first_training(path:list=LEARNERS_PATH, # Notebook names, in reading order
                   nbs:Path=NBS, # Where they are
                  )->dict:
    "Where the path first trains and then shows a confusion matrix, and how many cells and words it takes to get there."
    cells = words = 0
    trained = None
    for name in path:
        for i, c in enumerate(json.loads((Path(nbs)/f'{name}.ipynb').read_text())['cells']):
            src = ''.join(c['source'])
            cells, words = cells + 1, words + len(src.split())
            if c['cell_type'] != 'code': continue
            if trained is None and TRAINS.search(src): trained = (name, i)
            if trained and CONFUSION.search(src):
                return dict(trains=trained, confusion_matrix=(name, i), cells=cells, words=words)
    return dict(trains=trained, confusion_matrix=None, cells=cells, words=words)

if __name__ == '__main__':
    r = first_training()
    print('the learner\'s path: ' + ' -> '.join(LEARNERS_PATH))
    if r['confusion_matrix'] is None: print('no training followed by a confusion matrix on the path'); sys.exit(1)
    (tn, ti), (cn, ci) = r['trains'], r['confusion_matrix']
    print(f"first training run: {tn} cell {ti}; its confusion matrix: {cn} cell {ci}; "
          f"{r['cells']} cells and {r['words']} words from the start (target: at most {MAX_CELLS} and {MAX_WORDS})")
    if '--check' in sys.argv and (r['cells'] > MAX_CELLS or r['words'] > MAX_WORDS): sys.exit(1)
