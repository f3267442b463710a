#!/usr/bin/env bash
# Run the lesson notebooks the way a new learner does on Colab (issue 23). Not run by CI: 15 to 35 minutes on 2 shared cores.
#
# Usage: bash tools/colab_check.sh [WORK_DIR] [NOTEBOOK ...]   (WORK_DIR default: a new /tmp/colab_check_XXXX; an
#        existing WORK_DIR/venv is reused)   COLAB_CHECK_REPO=PATH: the repository to clone (default: this one)
#
# 1. A fresh venv in WORK_DIR/venv: torch and torchvision at the tested versions, then what Colab preinstalls at
#    Colab's versions (COLAB below: ipywidgets 7.7.1 above all). The repository is cloned to WORK_DIR/repo and
#    installed by running the lesson's own first cell in repo/nbs: `pip install -e "repo[faces,app]"`, the user
#    extras only, never [dev].
# 2. Fails if that install printed anything (the learner reads it under the first cell) or changed torch, torchvision
#    or ipywidgets (then a range in settings.ini forces it); the packages it did change are listed.
# 3. Copies nbs/ to WORK_DIR/content/nbs (outside the clone: no bench/ beside it, as on Colab) and executes each
#    notebook there with jupyter nbconvert (`#| eval: false` cells run too, as on Colab), in pipeline order with one
#    CHRIS_CLASSIFIER_HOME, WORK_DIR/home. The executed copies and nbconvert's logs go to WORK_DIR/out.
# 4. Fails if a notebook stops or shows an error or a traceback; if 04a does not show the benchmark's two figures or
#    09 its open-set table (both from the package data chris_classifier/results/), or either says "not measured yet";
#    if 05_clean or 07_app shows no widget. Prints a line per notebook with its time, and each stderr output's last line.
set -uo pipefail
REPO="${COLAB_CHECK_REPO:-$(cd "$(dirname "$0")/.." && pwd)}"  # the repository to clone (its checked-out branch)
WORK="${1:-$(mktemp -d /tmp/colab_check_XXXX)}"; shift || true
NBS=("$@"); [ ${#NBS[@]} -gt 0 ] || NBS=(lesson 02_data 03_train 04_review 04a_lookalikes 05_clean 07_app 09_avoiding_disaster)
TORCH="torch==2.14.1 torchvision==0.29.1"
COLAB="ipywidgets==7.7.1 ipykernel==6.17.1 ipython==7.34.0 notebook==6.5.7 matplotlib==3.10.0 pandas==2.2.2 numpy==2.0.2 nbconvert"
KEEP="torch torchvision ipywidgets"  # must not move
mkdir -p "$WORK" && cd "$WORK" || exit 1
export PYDEVD_DISABLE_FILE_VALIDATION=1 PIP_DISABLE_PIP_VERSION_CHECK=1
step() { echo "== $*"; }

if [ ! -x venv/bin/python ]; then
  step "fresh venv: $TORCH, then Colab's $COLAB"
  { python3 -m venv venv && venv/bin/pip install -q $TORCH && venv/bin/pip install -q $COLAB; } > venv.log 2>&1 \
    || { grep -v "is ignored: it is neither" venv.log; echo "FAIL: the Colab-like venv"; exit 1; }
fi
PY="$WORK/venv/bin/python"
rm -rf repo && git clone -q "$REPO" repo || exit 1
"$PY" -m pip freeze | grep -v chris_classifier | sort > freeze_before.txt
step "install from the clone as the notebooks' first cell does on Colab (pip install -e repo[faces,app]) at $(git -C repo log -1 --format=%h)"
"$PY" -m pip uninstall -q -y chris_classifier 2>/dev/null
(cd repo/nbs && "$PY" - > "$WORK/install.log" 2>&1 <<'EOF'
import json
cell = next(''.join(c['source']) for c in json.load(open('lesson.ipynb'))['cells'] if 'find_spec("chris_classifier")' in ''.join(c['source']))
exec(cell)
EOF
)
said=$(grep -v "is ignored: it is neither a file nor a directory" install.log)  # this machine's pip configuration, not Colab's
"$PY" -c "import chris_classifier" 2>/dev/null || { echo "FAIL: the first cell did not install chris_classifier: $said"; exit 1; }
fail=0
[ -z "$said" ] || { echo "FAIL: the first cell's install printed (a learner sees it):"; echo "$said" | head -20; fail=1; }
"$PY" -m pip freeze | grep -v chris_classifier | sort > freeze_after.txt
echo "pip ended with: $("$PY" -m pip freeze | grep -iE '^(torch|torchvision|ipywidgets|fastai|ipykernel|gradio|pillow)==' | tr '\n' ' ')"
changed=$(diff freeze_before.txt freeze_after.txt | grep '^<' | sed 's/^< //' | tr '\n' ' ')
[ -n "$changed" ] && echo "packages the install changed (were): $changed"
for p in $KEEP; do
  if echo " $changed" | grep -qi " $p=="; then echo "FAIL: pip changed $p: now $(grep -i "^$p==" freeze_after.txt)"; fail=1; fi
done

step "lesson notebooks, executed from a copy of nbs/ outside the clone"
rm -rf content out home && mkdir -p content out home && cp -r repo/nbs content/nbs
export CHRIS_CLASSIFIER_HOME="$WORK/home"; unset MPLBACKEND  # Colab shows plots inline
for nb in "${NBS[@]}"; do
  t0=$(date +%s)
  (cd content/nbs && "$WORK/venv/bin/jupyter" nbconvert --to notebook --execute --ExecutePreprocessor.timeout=900 \
     --output-dir "$WORK/out" "$nb.ipynb" > "$WORK/out/$nb.log" 2>&1); rc=$?
  secs=$(( $(date +%s) - t0 ))
  problems=$("$PY" - "$WORK/out/$nb.ipynb" "$nb" <<'EOF'
import json, sys, re
from pathlib import Path
f, name = Path(sys.argv[1]), sys.argv[2]
if not f.exists(): print('no executed notebook'); sys.exit()
for i, c in enumerate(json.loads(f.read_text())['cells']):
    for o in c.get('outputs', []):
        text = ''.join(o.get('text', '')) + ''.join(o.get('data', {}).get('text/plain', '')) + ''.join(o.get('data', {}).get('text/markdown', ''))
        if o.get('output_type') == 'error': print(f"cell {i}: {o['ename']}: {o['evalue'][:120]}")
        elif 'Traceback (most recent call last)' in text: print(f'cell {i}: a traceback in its output')
        elif o.get('name') == 'stderr': print(f'note: cell {i} stderr: {text.strip().splitlines()[-1][:150] if text.strip() else ""}', file=sys.stderr)
        if re.search('not measured yet', text, re.I) and name in ('04a_lookalikes', '09_avoiding_disaster'): print(f'cell {i}: "not measured yet"')
cells = json.loads(f.read_text())['cells']
outs = lambda pred: [o for c in cells if pred(''.join(c['source'])) for o in c.get('outputs', [])]
if name == '04a_lookalikes' and sum('image/png' in o.get('data', {}) for o in outs(lambda s: 'lookalikes_confusion.png' in s)) < 2:
    print("the benchmark's two figures (package data) are not shown")
if name == '09_avoiding_disaster' and not any('held-out source' in ''.join(o.get('data', {}).get('text/plain', '')) for o in outs(lambda s: 'open_set_table' in s)):
    print('the open-set table (package data) is not shown')
if name in ('05_clean', '07_app') and not any('application/vnd.jupyter.widget-view+json' in o.get('data', {}) for o in outs(lambda s: True)):
    print('no widget shown')
EOF
)
  if [ $rc -ne 0 ] || [ -n "$problems" ]; then
    echo "FAIL $nb (${secs}s, nbconvert rc $rc): ${problems:-$(tail -3 "$WORK/out/$nb.log")}"; fail=1
  else echo "pass $nb (${secs}s)"; fi
done
[ $fail -eq 0 ] && echo "colab check passed ($WORK)" || echo "colab check FAILED ($WORK: executed notebooks and logs in out/)"
exit $fail
