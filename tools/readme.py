"""Build README.md from nbs/index.ipynb, the nbdev way, without Quarto.

`nbdev-readme` renders the README with Quarto, a separate binary that cannot be installed without access to
GitHub. This script does the same job with nbdev's notebook reader and nbconvert's Markdown exporter: cells
marked `#| hide` are left out, code cells keep their outputs, and cells marked `#| echo: false` show their outputs
only. The notebook's code cells are run first and their outputs saved in it: they render the figures from
`bench/results/*.json` (tools/figures.py), so the README always shows the latest measurements.
`--check` exits 1 when README.md is out of date.
"""
import copy, sys
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter
from nbdev.config import get_config
from nbdev.process import NBProcessor
from nbdev.processors import hide_, hide_line, clean_magics, rm_export, populate_language

HEADER = '<!-- Generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file. -->\n\n'

def run_cells(nb_path):
    "The notebook at `nb_path`, its code cells run in its folder (outputs as the figures are now)."
    from fastcore.nbio import read_nb
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    nb = read_nb(nb_path)
    with working_directory(Path(nb_path).parent): CaptureShell().run_all(nb, exc_stop=True)
    for c in nb.cells:  # library warnings on stderr are not part of the README, and name this machine's paths
        if c.cell_type == 'code': c.outputs = [o for o in c.get('outputs', []) if o.get('name') != 'stderr']
    return nb

def _joined(o):
    "Output `o` with its text as strings, as nbconvert expects (a notebook file stores lists of lines)."
    o = dict(o)
    if isinstance(o.get('text'), list): o['text'] = ''.join(o['text'])
    if 'data' in o: o['data'] = {k: ''.join(v) if isinstance(v, list) else v for k, v in o['data'].items()}
    return o

def readme_text(nb):
    "The README, from the notebook `nb` (already run)."
    nb = NBProcessor(nb=copy.deepcopy(nb), procs=[populate_language, hide_, hide_line, clean_magics, rm_export], process=True).nb
    cells = []
    for c in nb.cells:
        if c.cell_type == 'markdown': cells.append(nbformat.v4.new_markdown_cell(c.source))
        elif c.source.strip():
            cell = nbformat.v4.new_code_cell(c.source, outputs=[nbformat.from_dict(_joined(o)) for o in c.get('outputs', [])])
            if str(c.directives_.get('echo', 'true')).lower() == 'false': cell.metadata['transient'] = {'remove_source': True}
            cells.append(cell)
    body, _ = MarkdownExporter().from_notebook_node(nbformat.v4.new_notebook(cells=cells))
    return HEADER + body.strip() + '\n'

if __name__ == '__main__':
    cfg = get_config()
    out = Path(cfg.config_path)/'README.md'
    nb_path = cfg.nbs_path/cfg.readme_nb
    nb = run_cells(nb_path)
    txt = readme_text(nb)
    if '--check' in sys.argv:
        if not out.exists() or out.read_text() != txt: print('README.md is out of date: run `make readme`'); sys.exit(1)
        print('README.md is up to date')
    else:
        from fastcore.nbio import write_nb
        from nbdev.clean import nbdev_clean
        write_nb(nb, nb_path); nbdev_clean(fname=str(nb_path))  # the figures' outputs, saved as nbdev-clean writes them
        out.write_text(txt)
