"""One source for every figure: fail when prose quotes a measurement that no `bench/results/*.json` holds.

Usage (from anywhere): python tools/check_figures.py [--verbose]

What is checked: the Markdown cells of `nbs/*.ipynb` (`index.ipynb` is the README's prose; the README's tables are
cell outputs). Code and its outputs are not checked: a number printed by a cell comes from that cell.

What counts as a figure, in that prose (outside `inline code` and links):
- a decimal number, `0.396`, `27.8`;
- a percentage, `96.7%`, `80 %`;
- a duration, `320 s`, `58s`, `9 ms`, `500 seconds`.

A figure passes when
- some number in some `bench/results/*.json` rounds to it at the precision it is written with (a percentage may
  also be that number times 100: `96.7%` is 0.9667), or
- an output of the same notebook prints it (the prose reads the cell above it), or
- it is obviously not a measurement: a version (`3.10`, `2.14.1`, `Python 3.10+`), a date, a size with its unit
  (`4.7M`, `0.4 GFLOPs`, `10 MB`), or a number the cell lists as a constant in an HTML comment, invisible when
  rendered: `<!-- constants: 0.498 0.502 -->` (a definition, a threshold or a chance level, not a measurement).

Prints one line per figure that fails, `notebook cell N: "figure" in "...context..."`, and exits 1 when there is any.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT/'bench'/'results'

FIGURE = re.compile(r'(?<![\w.])(\d+(?:\.\d+)?)(\s?%|\s?(?:ms|s|seconds|minutes)\b)?(?![\w.]*\d)')
VERSION = re.compile(r'(?i)\b(?:python|torch|torchvision|ipywidgets|gradio|fastai|nbdev|version|v)\b[^.\d]{0,15}$')  # a version
UNIT_AFTER = re.compile(r'^\s?(?:M|K|G|B|MB|GB|KB|GiB|MiB|px|pixels|GFLOPs|FLOPs|\+)(?![a-z])', re.I)
CONSTANTS = re.compile(r'<!--\s*constants:\s*([^>]*?)-->')
HIDDEN = re.compile(r'`[^`]*`|\]\([^)]*\)|https?://\S+|<!--.*?-->|\b\d{4}-\d{2}-\d{2}\b', re.S)

def _numbers(o):
    "Every number in the JSON value `o`, dictionary keys that are numbers included."
    if isinstance(o, bool): return
    if isinstance(o, (int, float)): yield float(o)
    elif isinstance(o, str):
        try: yield float(o)
        except ValueError: pass
    elif isinstance(o, dict):
        for k, v in o.items(): yield from _numbers(k); yield from _numbers(v)
    elif isinstance(o, list):
        for v in o: yield from _numbers(v)

def result_numbers(folder:Path=RESULTS)->set:
    "All numbers held by the results files in `folder`."
    return {x for f in sorted(Path(folder).glob('*.json')) for x in _numbers(json.loads(f.read_text()))}

def _decimals(s): return len(s.split('.')[1]) if '.' in s else 0

def held(text:str, # The figure as written, e.g. '0.396' or '96.7' (from '96.7%')
         numbers:set, # Numbers to match, e.g. `result_numbers()`
         percent:bool=False, # Written as a percentage: also match a share (0.967 for 96.7%)
        )->bool:
    "Does some number in `numbers` round to `text` at the precision `text` is written with?"
    q, d = float(text), _decimals(text)
    return any(round(x, d) == q or (percent and round(x*100, d) == q) for x in numbers)

def figures(md:str)->list:
    "(figure as written, number, is a percentage, context) for each figure the prose `md` quotes."
    shown = HIDDEN.sub(lambda m: ' '*len(m.group()), md)  # same offsets, code and links blanked
    out = []
    for m in FIGURE.finditer(shown):
        num, unit = m.group(1), (m.group(2) or '').strip()
        if not unit and '.' not in num: continue  # a bare whole number: a count, a year, a step
        if VERSION.search(shown[max(0, m.start()-30):m.start()]) or UNIT_AFTER.match(shown[m.end():]): continue
        ctx = ' '.join(md[max(0, m.start()-40):m.end()+30].split())
        out.append((m.group().strip(), num, unit == '%', ctx))
    return out

def _output_text(cell)->str:
    parts = []
    for o in cell.get('outputs', []):
        parts += o.get('text', []) if isinstance(o.get('text'), list) else [o.get('text', '')]
        for k, v in o.get('data', {}).items():
            if k.startswith('text/'): parts += v if isinstance(v, list) else [v]
    return ''.join(parts)

def check_notebook(nb_path:Path, # A notebook
                   numbers:set, # `result_numbers()`
                  )->list:
    "One line per figure in the notebook's prose that neither the results nor the notebook's outputs hold."
    cells = json.loads(Path(nb_path).read_text())['cells']
    printed = set(_numbers(re.findall(r'-?\d+(?:\.\d+)?', ' '.join(_output_text(c) for c in cells if c['cell_type'] == 'code'))))
    bad = []
    for i, c in enumerate(cells):
        if c['cell_type'] != 'markdown': continue
        md = ''.join(c['source'])
        constants = {float(x) for m in CONSTANTS.finditer(md) for x in re.findall(r'\d+(?:\.\d+)?', m.group(1))}
        for fig, num, pct, ctx in figures(md):
            if float(num) in constants or held(num, numbers, pct) or held(num, printed, pct): continue
            bad.append(f'{Path(nb_path).relative_to(ROOT)} cell {i}: "{fig}" in "...{ctx}..."')
    return bad

def problems(nbs:list=None)->list:
    numbers = result_numbers()
    return [p for nb in (nbs or sorted((ROOT/'nbs').glob('*.ipynb'))) for p in check_notebook(nb, numbers)]

if __name__ == '__main__':
    ps = problems()
    for p in ps: print(p)
    print(f'{len(ps)} figure(s) in prose that no bench/results file and no output holds' if ps
          else 'figures: every figure in the prose comes from bench/results or from an output')
    sys.exit(1 if ps else 0)
