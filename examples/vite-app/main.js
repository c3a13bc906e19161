// The element registers itself as <frame-picker>; FramePicker is the same API without UI.
import 'framepick/element';

const el = document.querySelector('frame-picker');
const log = document.getElementById('log');

// Where your app receives picks (multipart POST, one request per pick); ?upload= overrides.
el.uploadUrl = new URLSearchParams(location.search).get('upload') || '/api/picks';

el.addEventListener('pick', (e) => {
  const { candidates, report } = e.detail;
  log.textContent = `${candidates.length} picks, ${report.framesDecoded} frames decoded ` +
    `(${report.wasm} wasm, ${report.threads} threads)`;
  window.lastPick = e.detail; // for tests
});
el.addEventListener('upload', (e) => { log.textContent = `uploaded ${e.detail.length} picks`; });
el.addEventListener('error', (e) => { log.textContent = `error ${e.detail.code}: ${e.detail.message}`; });
