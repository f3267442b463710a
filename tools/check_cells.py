"""Check that every export cell of the notebooks is nbdev-sized: one top-level definition, at most `MAX_LINES` lines.

Usage (from anywhere): python tools/check_cells.py
A definition is a `def` or `class` at the top of the cell (a `@patch`ed method counts as one); module-level constants may
sit beside it. Directive lines (`#| export`) are not counted. Prints one line per cell that breaks a rule, naming the
notebook and the cell's first definition, and exits 1 when there is any.
"""
import ast, json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 40  # fastai's and fastcore's notebooks have no export cell over 40 lines

def export_cells(nb:Path):
    "(cell number, source) of each code cell of `nb` that nbdev exports."
    for i, c in enumerate(json.loads(nb.read_text())['cells']):
        src = ''.join(c['source'])
        if c['cell_type'] == 'code' and any(l.replace(' ', '').startswith('#|export') for l in src.splitlines()): yield i, src

def cell_problems(src:str)->list:
    "What is wrong with one export cell's source: too long, or more than one definition."
    lines = [l for l in src.splitlines() if not l.startswith('#|')]
    defs = [n.name for n in ast.parse(src).body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return ([f'{len(lines)} lines (at most {MAX_LINES})'] if len(lines) > MAX_LINES else []) + \
           ([f'{len(defs)} definitions ({", ".join(defs)}): one per cell'] if len(defs) > 1 else [])

def problems()->list:
    return [f'nbs/{nb.name} cell {i}: {p}' for nb in sorted((ROOT/'nbs').glob('*.ipynb'))
            for i, src in export_cells(nb) for p in cell_problems(src)]

if __name__ == '__main__':
    found = problems()
    print('\n'.join(found) if found else 'every export cell holds one definition of at most 40 lines')
    sys.exit(1 if found else 0)
