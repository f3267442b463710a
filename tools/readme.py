"""Build README.md from nbs/index.ipynb, the nbdev way, without Quarto.

`nbdev-readme` renders the README with Quarto, a separate binary that cannot be installed without access to
GitHub. This script does the same job with nbdev's notebook reader and nbconvert's Markdown exporter: cells
marked `#| hide` are left out, code cells keep their outputs. `--check` exits 1 when README.md is out of date.
"""
import sys
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter
from nbdev.config import get_config
from nbdev.process import NBProcessor
from nbdev.processors import hide_, hide_line, clean_magics, rm_export, populate_language

HEADER = '<!-- Generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file. -->\n\n'

def readme_text(nb_path=None):
    cfg = get_config()
    nb = NBProcessor(nb_path or cfg.nbs_path/cfg.readme_nb, procs=[populate_language, hide_, hide_line, clean_magics, rm_export],
                     process=True).nb
    cells = []
    for c in nb.cells:
        if c.cell_type == 'markdown': cells.append(nbformat.v4.new_markdown_cell(c.source))
        elif c.source.strip(): cells.append(nbformat.v4.new_code_cell(c.source, outputs=[nbformat.from_dict(o) for o in c.get('outputs', [])]))
    body, _ = MarkdownExporter().from_notebook_node(nbformat.v4.new_notebook(cells=cells))
    return HEADER + body.strip() + '\n'

if __name__ == '__main__':
    out = Path(get_config().config_path)/'README.md'
    txt = readme_text()
    if '--check' in sys.argv:
        if not out.exists() or out.read_text() != txt: print('README.md is out of date: run `make readme`'); sys.exit(1)
        print('README.md is up to date')
    else: out.write_text(txt)
