"""Make saved notebook outputs machine-independent after executing the notebooks (`make outputs`).

Progress bars printed as text (fastprogress redraws them with carriage returns) are dropped: a reader sees the
result, not 20 frames of a bar. Tests print the temporary folders they work in and libraries print their install paths; on GitHub those say
nothing to a reader and change on every run. This rewrites, in the text outputs only (never in code or images):
a chris home under /tmp (`/tmp/chris_home*`: the `CHRIS_CLASSIFIER_HOME` of tools/run_tests.py, or one made by hand
for a lesson run) -> `~/.chris_classifier`, temporary folders -> `tmp`, the repository's absolute path -> nothing, and
a site-packages prefix -> `site-packages/`.
Usage: python tools/scrub_outputs.py [NOTEBOOK ...]   (default: nbs/*.ipynb)
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = [(re.compile(r'/tmp/chris_home\w*'), '~/.chris_classifier'),
         (re.compile(re.escape(str(ROOT)) + '/?'), ''),
         (re.compile(r'/(?:tmp|dev/shm)/tmp\w+'), 'tmp'),
         (re.compile(r'\S*/site-packages/'), 'site-packages/'),
         (re.compile(r'/(?:tmp|dev/shm)/'), 'tmp/'),
         (re.compile(r'/(?:work|root|home)/\S*?/(?=\S)'), '')]

def scrub_text(s:str)->str:
    for pat, rep in RULES: s = pat.sub(rep, s)
    return s

def scrub(x):
    if isinstance(x, str): return scrub_text(x)
    if isinstance(x, list): return [scrub(o) for o in x]
    return x

BAR = re.compile(r'█?|\s*\|[█-]+\| \d+\.\d+% \[[^\]]*\].*')

def drop_bars(text:str)->str:
    "`text` without fastprogress's console bars (redrawn with `\\r`): of each line, what a terminal shows last that is no bar."
    lines = []
    for line in text.split('\n'):
        shown = [p for p in line.split('\r') if not BAR.fullmatch(p.strip())]
        if shown or '\r' not in line: lines.append(shown[-1] if shown else line)
    return '\n'.join(lines)

def scrub_notebook(path:Path)->bool:
    "Rewrite the text outputs of the notebook at `path`; True when anything changed."
    nb = json.loads(Path(path).read_text())
    before = json.dumps(nb)
    for c in nb['cells']:
        for o in c.get('outputs', []):
            if 'text' in o: o['text'] = scrub(drop_bars(''.join(o['text'])).splitlines(keepends=True))
            for k, v in o.get('data', {}).items():
                if k.startswith('text/') or k == 'application/json': o['data'][k] = scrub(v)
            if 'traceback' in o: o['traceback'] = scrub(o['traceback'])
        c['outputs'] = [o for o in c.get('outputs', []) if o.get('text', True)]  # a stream that held only bars
    if json.dumps(nb) == before: return False
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return True

if __name__ == '__main__':
    files = [Path(f) for f in sys.argv[1:]] or sorted((ROOT/'nbs').glob('*.ipynb'))
    print(f'scrubbed {sum(scrub_notebook(f) for f in files)} of {len(files)} notebooks')
