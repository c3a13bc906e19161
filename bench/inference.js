// Runs bench/inference-worker.js with the options in the URL; the result lands in
// window.benchResult (a promise) for the Node driver and in the page for a human.
const q = new URLSearchParams(location.search);
const options = {
  flavour: q.get('flavour') || 'single',
  threads: Number(q.get('threads')) || navigator.hardwareConcurrency || 2,
  frames: Number(q.get('frames')) || 24,
};
window.benchResult = new Promise((ok) => {
  const w = new Worker(new URL('./inference-worker.js', import.meta.url), { type: 'module' });
  w.onmessage = ({ data }) => ok(data);
  w.onerror = (e) => ok({ error: e.message || 'worker error' });
  w.postMessage(options);
});
window.benchResult.then((r) => { document.getElementById('out').textContent = JSON.stringify(r, null, 2); });
