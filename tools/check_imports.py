"""Check that the library's import graph runs only downward: a module imports only modules of earlier notebooks.

Usage (from anywhere): python tools/check_imports.py
Each module of `chris_classifier/` is exported from one notebook (its "File to edit" line); notebooks are ordered by
file name (00_core < 00_sample < 00_testing < 00a_images < ... < 08_cli). Every import of another module of the package counts, also one inside
a function. Prints one line per import of a later (or the same-numbered later) notebook's module and exits 1 when
there is any; also flags modules over `MAX_LINES` lines of code (blank lines and nbdev's `# %%` cell markers not counted).
"""
import ast, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT/'chris_classifier'
MAX_LINES = 400  # no module over 400 lines of code: one idea per module

def notebook_of(py:Path)->str:
    "The notebook `py` is exported from ('' for files nbdev does not write)."
    m = re.search(r'File to edit: \.\./nbs/(\S+)\.ipynb', py.read_text())
    return m.group(1) if m else ''

def imported_modules(py:Path)->set:
    "Names of the package's modules that `py` imports, anywhere in the file."
    res = set()
    for node in ast.walk(ast.parse(py.read_text())):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level == 1: res |= {mod.split('.')[0]} if mod else {a.name for a in node.names}
            elif mod.startswith('chris_classifier.'): res.add(mod.split('.')[1])
            elif mod == 'chris_classifier': res |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            res |= {a.name.split('.')[1] for a in node.names if a.name.startswith('chris_classifier.')}
    return res

def problems()->list:
    nbs = {py.stem: notebook_of(py) for py in PKG.glob('*.py') if notebook_of(py)}
    out = []
    for mod, nb in sorted(nbs.items(), key=lambda kv: kv[1]):
        py = PKG/f'{mod}.py'
        for dep in sorted(imported_modules(py)):
            if dep in nbs and dep != mod and nbs[dep] > nb:
                out.append(f'{py.relative_to(ROOT)} ({nb}) imports {dep} ({nbs[dep]}), a later notebook')
        n = len([l for l in py.read_text().splitlines() if l.strip() and not l.startswith('# %%')])
        if n > MAX_LINES: out.append(f'{py.relative_to(ROOT)}: {n} lines of code (over {MAX_LINES}: one idea per module)')
    return out

if __name__ == '__main__':
    ps = problems()
    for p in ps: print(p)
    print(f'{len(ps)} problem(s) in the import graph' if ps else 'import graph: every import runs downward')
    sys.exit(1 if ps else 0)
