"""Screenshots of the apps as a user sees them, taken in a real browser, for the notebooks and the README.

Usage (from anywhere): python tools/screenshots.py [--out nbs/images]   (`make outputs` runs it)

It generates a small sample (`make_sample`) and trains a quick model on it (`train_model`). Then, in headless
Chromium (Debian's `chromium`, driven by Playwright as the browser test in `07_app` does):
- the Gradio app, started the way a user does (`chris-classifier app MODEL --port P`, its own process, on 127.0.0.1):
  one sample image uploaded, Submit pressed, the answer awaited: `gradio_app.png`;
Run again whenever the app changes. (The notebook app and the cleaner, ipywidgets in JupyterLab, are not
screenshotted yet.) Exits 1 with
one line when Chromium or Playwright is missing (`make browser`; the dev extra).
"""
import os, shutil, socket, subprocess, sys, tempfile, time, urllib.request
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

def quick_model(tmp:Path)->tuple:
    "A sample dataset and a model trained on it in seconds: (model folder, one image of the sample)."
    from chris_classifier.core import make_sample, dataset_image_files
    from chris_classifier.train import train_model
    data = make_sample(tmp/'data', n_per_class=12, size=(96, 160))
    train_model(data, out=tmp/'model', arch='efficientnet_lite0', size=64, epochs=1, freeze_epochs=2, bs=8, verbose=False)
    return tmp/'model', sorted(dataset_image_files(data))[-1]

def gradio_screenshot(model:Path, image:Path, out:Path)->Path:
    "Start the Gradio app on `model`, upload `image` in headless Chromium, save the answered page to `out`."
    from playwright.sync_api import sync_playwright
    port = free_port()
    proc = subprocess.Popen([sys.executable, '-c', 'import sys; from chris_classifier.cli import main; sys.exit(main())',
                             'app', str(model), '--port', str(port)], env={**os.environ, 'GRADIO_ANALYTICS_ENABLED': 'False'},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_http(f'http://127.0.0.1:{port}/', proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                page = browser.new_page(viewport={'width': 1100, 'height': 700})
                page.goto(f'http://127.0.0.1:{port}/', wait_until='domcontentloaded')
                page.wait_for_selector('input[type=file]', state='attached', timeout=60_000)
                page.set_input_files('input[type=file]', str(image))
                page.get_by_role('button', name='Submit').click()
                page.wait_for_function("() => { const t = document.querySelector('#chris-answer textarea'); return t && t.value.length > 0 }",
                                       timeout=60_000)
                page.wait_for_timeout(500)  # the label's bars animate in
                page.screenshot(path=str(out), full_page=True)
            finally: browser.close()
    finally: proc.terminate(); proc.wait(30)
    return out

if __name__ == '__main__':
    out = Path(sys.argv[sys.argv.index('--out')+1]) if '--out' in sys.argv else ROOT/'nbs'/'images'
    if not CHROMIUM: sys.exit('screenshots: no chromium on this machine (Debian: apt-get install chromium, or `make browser`)')
    try: import playwright.sync_api  # noqa: F401
    except ImportError: sys.exit('screenshots: playwright is not installed (pip install playwright, or the dev extra)')
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        os.environ['CHRIS_CLASSIFIER_HOME'] = d
        model, image = quick_model(Path(d))
        print('saved', gradio_screenshot(model, image, out/'gradio_app.png'))
