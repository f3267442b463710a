"""Screenshots of the apps as a user sees them, taken in a real browser, for the notebooks and the README.

Usage (from anywhere): python tools/screenshots.py [--out nbs/images]   (`make outputs` runs it)

It generates a small sample (`make_sample`) and trains a quick model on it (`train_model`). Then, in headless
Chromium (Debian's `chromium`, driven by Playwright as the browser test in `07_app` does):
- the Gradio app, started the way a user does (`chris-classifier app MODEL --port P`, its own process, on 127.0.0.1):
  one sample image uploaded, Submit pressed, the answer awaited: `gradio_app.png`;
- JupyterLab (`jupyter lab`, on 127.0.0.1, no token) running a notebook that shows the notebook app (`NotebookApp`,
  `07_app`) and the cleaner opened on the review's suggestions (`suggest` and `write_suggestions`, `04c_suggest`;
  `DatasetCleaner.from_suggestions`, `05_clean`): a photo uploaded through the app's own upload button, and the
  cleaner as it opens, each suggested photo with its decision chosen and its reason: `notebook_app.png` and
  `cleaner.png`. So that there is something to suggest, two mistakes are planted in the sample before training
  (`plant_mistakes`): a Chris Rock filed under Chris Evans, and a copy of an image.
Run again whenever the app or the widgets change. Exits 1 with
one line when Chromium or Playwright is missing (`make browser`; the dev extra).
"""
import contextlib, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run']

def free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def wait_for_http(url:str, proc, timeout:float=120):
    "Wait until `url` answers; fail if `proc` ends first."
    start = time.time()
    while time.time() - start < timeout:
        if proc.poll() is not None: raise RuntimeError(f'the app exited with {proc.returncode}: {proc.stdout.read()}')
        try: urllib.request.urlopen(url, timeout=2); return
        except Exception: time.sleep(0.5)
    raise TimeoutError(f'{url} did not answer in {timeout} s')

def plant_mistakes(data:Path)->list:
    "Two mistakes a web search makes, in the sample `data`: a Chris Rock filed under Chris Evans, and a copy of an image."
    rock, evans = sorted((data/'chris_rock').iterdir()), sorted((data/'chris_evans').iterdir())
    planted = [data/'chris_evans'/'found_0001.jpg', data/'chris_pine'/'found_0002.jpg']
    shutil.move(rock[0], planted[0]); shutil.copy(evans[0], planted[1])
    return planted

def quick_model(tmp:Path)->tuple:
    "A sample dataset (with `plant_mistakes`) and a model trained on it in seconds: (model folder, one image of the sample)."
    from chris_classifier.core import dataset_image_files
    from chris_classifier.sample import make_sample
    from chris_classifier.train import train_model
    data = make_sample(tmp/'data', n_per_class=12, size=(96, 160))
    plant_mistakes(data)
    train_model(data, out=tmp/'model', arch='efficientnet_lite0', size=64, epochs=1, freeze_epochs=2, bs=8, verbose=False)
    return tmp/'model', sorted(dataset_image_files(data))[-1]

@contextlib.contextmanager
def served_page(cmd:list, ready_url:str, viewport:dict, env:dict=None):
    "Start the server `cmd` in its own process, wait until `ready_url` answers, and yield a headless Chromium page; stop both after."
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    from playwright.sync_api import sync_playwright
    try:
        wait_for_http(ready_url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try: yield browser.new_page(viewport=viewport)
            finally: browser.close()
    finally: proc.terminate(); proc.wait(30)

def gradio_screenshot(model:Path, image:Path, out:Path)->Path:
    "Start the Gradio app on `model`, upload `image` in headless Chromium, save the answered page to `out`."
    port = free_port()
    cmd = [sys.executable, '-c', 'import sys; from chris_classifier.cli import main; sys.exit(main())', 'app', str(model), '--port', str(port)]
    with served_page(cmd, f'http://127.0.0.1:{port}/', {'width': 1100, 'height': 700}, {'GRADIO_ANALYTICS_ENABLED': 'False'}) as page:
        page.goto(f'http://127.0.0.1:{port}/', wait_until='domcontentloaded')
        page.wait_for_selector('input[type=file]', state='attached', timeout=60_000)
        page.set_input_files('input[type=file]', str(image))
        page.get_by_role('button', name='Submit').click()
        page.wait_for_function("() => { const t = document.querySelector('#chris-answer textarea'); return t && t.value.length > 0 }",
                               timeout=60_000)
        page.wait_for_timeout(500)  # the label's bars animate in
        page.screenshot(path=str(out), full_page=True)
    return out

SHOTS_NB = {'cells': [{'cell_type': 'code', 'metadata': {}, 'outputs': [], 'execution_count': None, 'source': src} for src in (
    "import warnings; warnings.filterwarnings('ignore')  # library notices, not what a user sees\n"
    "from chris_classifier.app import NotebookApp\nNotebookApp({model!r})",
    "from chris_classifier.clean import DatasetCleaner\nDatasetCleaner.from_suggestions({suggestions!r}, {data!r}, max_n=4)")],
    'metadata': {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}}, 'nbformat': 4, 'nbformat_minor': 5}

def widget_screenshots(model:Path, data:Path, image:Path, out:Path, tmp:Path)->list:
    "Run the notebook app and the cleaner (on the review's suggestions) in JupyterLab as a user does; save `notebook_app.png` and `cleaner.png`."
    import json
    from chris_classifier.suggest import suggest, write_suggestions
    suggestions = write_suggestions(tmp/'review', suggest(model, data), model, data)
    nb = json.loads(json.dumps(SHOTS_NB))
    for c in nb['cells']: c['source'] = c['source'].format(model=str(model), data=str(data), suggestions=str(suggestions))
    (tmp/'shots.ipynb').write_text(json.dumps(nb))
    port = free_port()
    cmd = [str(Path(sys.executable).parent/'jupyter'), 'lab', '--no-browser', f'--port={port}', '--ip=127.0.0.1',
           '--ServerApp.token=', '--ServerApp.password=', f'--ServerApp.root_dir={tmp}', '--LabApp.expose_app_in_browser=True', '--allow-root']
    with served_page(cmd, f'http://127.0.0.1:{port}/api', {'width': 1100, 'height': 900}, {'PYTHONPATH': str(ROOT)}) as page:
        page.goto(f'http://127.0.0.1:{port}/lab/tree/shots.ipynb', wait_until='domcontentloaded')
        page.wait_for_selector('.jp-Notebook .jp-Cell', timeout=120_000)
        page.wait_for_timeout(8000)  # the kernel starts
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        app, cleaner = page.locator('.jp-Notebook .jp-CodeCell').nth(0), page.locator('.jp-Notebook .jp-CodeCell').nth(1)
        button = app.locator('.widget-upload').first
        button.wait_for(timeout=180_000)
        with page.expect_file_chooser() as chooser: button.click()  # the upload a user makes
        chooser.value.set_files(str(image))
        app.locator('.widget-html b').wait_for(timeout=120_000)
        app.locator('.jp-Cell-outputArea').first.screenshot(path=str(out/'notebook_app.png')); shots = [out/'notebook_app.png']
        cleaner.locator('.widget-html small').first.wait_for(timeout=180_000)  # the suggestions' reasons are shown
        page.set_viewport_size({'width': 1700, 'height': 900})  # room for four photos with their reasons side by side
        news = page.get_by_role('button', name='No', exact=True)  # JupyterLab's 'notified about news?' box
        if news.count(): news.first.click()
        page.wait_for_timeout(500)
        cleaner.locator('.jp-Cell-outputArea').first.screenshot(path=str(out/'cleaner.png')); shots.append(out/'cleaner.png')
    return shots

if __name__ == '__main__':
    out = Path(sys.argv[sys.argv.index('--out')+1]) if '--out' in sys.argv else ROOT/'nbs'/'images'
    if not CHROMIUM: sys.exit('screenshots: no chromium on this machine (Debian: apt-get install chromium, or `make browser`)')
    try: import playwright.sync_api  # noqa: F401
    except ImportError: sys.exit('screenshots: playwright is not installed (pip install playwright, or the dev extra)')
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        os.environ['CHRIS_CLASSIFIER_HOME'] = d
        model, image = quick_model(Path(d))
        shots = [gradio_screenshot(model, image, out/'gradio_app.png')] + widget_screenshots(model, Path(d)/'data', image, out, Path(d))
        print('saved', *shots)
