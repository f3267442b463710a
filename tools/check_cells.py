"""Check that every export cell of the notebooks is nbdev-sized: one top-level definition, at most `MAX_LINES` lines,
with prose right before it (a markdown cell saying what it is for) and its example or test right after it (the next
cell is not another export cell).

Usage (from anywhere): python tools/check_cells.py
A definition is a `def` or `class` at the top of the cell (a `@patch`ed method counts as one); module-level constants may
sit beside it. Directive lines (`#| export`) are not counted. Prints one line per cell that breaks a rule, naming the
notebook and the cell's first definition, and exits 1 when there is any.
"""
import ast, json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 40  # fastai's and fastcore's notebooks have no export cell over 40 lines

def is_export(c:dict)->bool:
    "Whether notebook cell `c` is a code cell that nbdev exports."
    return c['cell_type'] == 'code' and any(l.replace(' ', '').startswith('#|export') for l in ''.join(c['source']).splitlines())

def export_cells(nb:Path):
    "(cell number, source, previous cell, next cell) of each code cell of `nb` that nbdev exports."
    cells = json.loads(nb.read_text())['cells']
    for i, c in enumerate(cells):
        if is_export(c): yield i, ''.join(c['source']), cells[i-1] if i else None, cells[i+1] if i + 1 < len(cells) else None

def cell_problems(src:str, prev:dict=None, nxt:dict=None)->list:
    "What is wrong with one export cell's source: too long, more than one definition, a definition without prose before or a test after."
    lines = [l for l in src.splitlines() if not l.startswith('#|')]
    defs = [n.name for n in ast.parse(src).body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return ([f'{len(lines)} lines (at most {MAX_LINES})'] if len(lines) > MAX_LINES else []) + \
           ([f'{len(defs)} definitions ({", ".join(defs)}): one per cell'] if len(defs) > 1 else []) + \
           ([f'{defs[0]}: no prose right before it (a markdown cell saying what it is for)'] if defs and (prev or {}).get('cell_type') != 'markdown' else []) + \
           ([f'{defs[0]}: followed directly by another export cell (its example or test comes first)'] if defs and nxt is not None and is_export(nxt) else [])

def problems()->list:
    return [f'nbs/{nb.name} cell {i}: {p}' for nb in sorted((ROOT/'nbs').glob('*.ipynb'))
            for i, src, prev, nxt in export_cells(nb) for p in cell_problems(src, prev, nxt)]

if __name__ == '__main__':
    found = problems()
    print('\n'.join(found) if found else 'every export cell holds one definition of at most 40 lines, with prose before it and its test after it')
    sys.exit(1 if found else 0)
