"""Check the lesson notebooks' saved outputs: what a learner sees on GitHub or Colab before running anything.

Usage (from anywhere): python tools/check_outputs.py [NOTEBOOK ...]   (default: nbs/0*.ipynb)

For each notebook: it has outputs at all; it shows at least one image (a plot or a photo), except the notebooks in
`TEXT_ONLY`; no output is an error; and no output gives away the machine it was run on: a path under /tmp/, /work/,
/root/, /home/, /Users/, the repository's own absolute path, or a `.venv` folder. Prints one line per problem and
exits 1 when there is any, else prints how many notebooks passed.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT_ONLY = {'00_core', '00d_dataset', '02b_model_format', '08_cli', '07a_demo', '04b_decisions', '01_search', '01b_download', '01d_collect', '09_avoiding_disaster'}  # they print: the classes and paths, a busy dataset's message, model.json's errors, the command line, searching, downloading, the closing lesson
NO_OUTPUT = {'00a_images', '00_testing', '00c_files'}  # the project's own machinery (image reading, test fixtures, file helpers): tests only
IMAGE_TYPES = ('image/png', 'image/jpeg', 'image/svg+xml', 'image/gif')
MACHINE_PATHS = [r'/tmp/', r'\btmp/tmp[._]', r'/work/', r'/root/', r'/home/', r'/Users/', r'\.venv\b', re.escape(str(ROOT))]
MACHINE_RE = re.compile('|'.join(MACHINE_PATHS))

def output_texts(out:dict)->list:
    "The text an output shows: stream text, text-like data (not images: base64 can hold anything), tracebacks."
    if out.get('output_type') == 'stream': return [''.join(out.get('text', ''))]
    if out.get('output_type') == 'error': return out.get('traceback', [])
    return [v if isinstance(v, str) else ''.join(v) if isinstance(v, list) else json.dumps(v)
            for k, v in out.get('data', {}).items() if not k.startswith('image/') or k == 'image/svg+xml']

def notebook_problems(nb_path:Path # A notebook file
                     )->list:
    "One line per problem with the outputs of the notebook at `nb_path`."
    nb, name = json.loads(Path(nb_path).read_text()), Path(nb_path).stem
    cells = [(i, c) for i, c in enumerate(nb['cells']) if c['cell_type'] == 'code']
    where = lambda i: f"{Path(nb_path).name} cell {i}"
    if not any(c.get('outputs') for _, c in cells): return [] if name in NO_OUTPUT else [f'{Path(nb_path).name}: no outputs (execute it and save it)']
    problems = []
    if name not in TEXT_ONLY and not any(k in IMAGE_TYPES for _, c in cells for o in c.get('outputs', []) for k in o.get('data', {})):
        problems.append(f'{Path(nb_path).name}: no image output (a lesson step shows what it did; or add it to TEXT_ONLY)')
    for i, c in cells:
        for o in c.get('outputs', []):
            if o.get('output_type') == 'error': problems.append(f"{where(i)}: an error: {o.get('ename')}: {o.get('evalue', '')[:100]}")
            for t in output_texts(o):
                m = MACHINE_RE.search(t)
                if m:
                    line = next(l for l in t.splitlines() if MACHINE_RE.search(l))
                    problems.append(f'{where(i)}: output holds a machine path ({m.group(0)!r}): {line.strip()[:120]}')
                    break
    return problems

def main(args=None):
    nbs = [Path(a) for a in (args if args is not None else sys.argv[1:])] or sorted((ROOT/'nbs').glob('0*.ipynb'))
    problems = [p for nb in nbs for p in notebook_problems(nb)]
    for p in problems: print(p)
    if not problems: print(f'{len(nbs)} notebooks: outputs present, images shown, no machine paths')
    return 1 if problems else 0

if __name__ == '__main__': sys.exit(main())
