// Compiled by `npx -p typescript@5 tsc -p tests/types` only: checks framepick's .d.ts
// against the way an app uses it (README and docs/api.md examples).
import { FramePicker, FramepickError, UploadError } from 'framepick';
import type { Candidate, CandidateCrop, FramepickErrorCode, PickResult, Report, UploadOptions, UploadResult } from 'framepick';
import { FramePickerElement } from 'framepick/element';

async function main(file: File, bar: HTMLProgressElement): Promise<void> {
  const picker = await FramePicker.create({ threads: navigator.hardwareConcurrency, stallTimeoutMs: 60_000, relaxedSimd: true });
  const flavour: 'threads' | 'single' = picker.info.flavour;
  const build: 'threads' | 'single' | 'baseline' = picker.info.build;
  const controller = new AbortController();
  try {
    const { candidates, report }: PickResult = await picker.pick(file, {
      top: 8,
      niche: 'talking-head',
      signal: controller.signal,
      onProgress: ({ stage, fraction }) => { bar.value = fraction; bar.title = stage; },
    });
    const best: Candidate = candidates[0];
    const jpeg: Blob = best.blob;
    const t: number = best.time + best.scores.quality + best.quality.sharpness;
    const faceArea: number = best.faces.reduce((a, f) => a + f.width * f.height * f.score, 0);
    const emotion: string | undefined = best.faces[0]?.emotion?.label;
    const region = best.editableRegion ? best.editableRegion.x + best.editableRegion.width : 0;
    const why: string[] = best.why ?? [];
    const story: CandidateCrop | undefined = best.crops.find((c) => c.ratio === '9:16');
    const cover: Blob | undefined = story?.blob;
    const keeps: boolean = (story?.fits ?? false) && !(story?.cutsFaces ?? true) && !(story?.upscale ?? true);
    console.log(story?.x, story?.width, story?.reason, story?.score, cover, keeps);
    await picker.pick(file, { crops: ['16:9', '1:1', '4:5', '9:16', '1.91:1'], maxWidth: 1280 });
    const r: Report = report;
    const ms: number | undefined = r.timings.totalMs;
    const onGpu: boolean = r.gpu?.used ?? false;
    const sound: string | undefined = r.audio?.reason ?? r.audio?.codec;
    await picker.pick(file, { gpu: false, audio: false });
    const probe = await picker.inspectFrames(file, [1], { metrics: true, gpu: 'auto' });
    const agree: number = (probe.frames[0].gpu?.brightness ?? 0) - (probe.frames[0].cpu?.brightness ?? 0);
    console.log(onGpu, sound, agree);
    const options: UploadOptions = { url: '/api/picks', headers: { Authorization: 'Bearer x' }, concurrency: 2 };
    const results: UploadResult[] = await picker.upload(candidates.slice(0, 2), options);
    await picker.upload([best], { presignedUrls: ['https://bucket/x'], method: 'PUT' });
    console.log(flavour, build, jpeg, t, faceArea, emotion, region, why, ms, results[0].status);
  } catch (e) {
    if (e instanceof FramepickError) {
      const code: FramepickErrorCode = e.code;
      if (code === 'UNSUPPORTED_CONTAINER' || code === 'WORKER_UNRESPONSIVE') console.log(e.message);
    } else if (e instanceof UploadError) {
      console.log(e.code === 'UPLOAD_FAILED', e.status, e.results);
    }
  } finally {
    picker.dispose();
  }

  const el = document.querySelector('frame-picker');
  if (el) {
    el.top = 6;
    el.uploadUrl = '/api/picks';
    el.addEventListener('pick', (e) => console.log(e.detail.candidates.length, e.detail.report.wasm));
    el.addEventListener('progress', (e) => console.log(e.detail.stage, e.detail.fraction));
    el.addEventListener('upload', (e) => console.log(e.detail.map((x) => x.index)));
    el.addEventListener('error', (e) => console.log(e.detail.code, e.detail.message));
    const made: FramePickerElement = document.createElement('frame-picker');
    made.showCandidates(el.candidates);
  }
}

// @ts-expect-error: a code that does not exist
const bad: FramepickErrorCode = 'NOPE';
// @ts-expect-error: upload needs url or presignedUrls
void (null as unknown as FramePicker).upload([], {});
export { main, bad };
