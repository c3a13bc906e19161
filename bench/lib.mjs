// Small helpers shared by the bench scripts.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';

/** Run a command; resolves {code, stdout, stderr, ms}. Rejects on spawn failure only. */
export function run(cmd, args, { cwd, env, input } = {}) {
  return new Promise((ok, fail) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, args, { cwd, env: env || process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = []; const err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    p.on('error', fail);
    p.on('close', (code) => ok({ code, stdout: Buffer.concat(out).toString(),
      stderr: Buffer.concat(err).toString(), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    if (input) p.stdin.end(input); else p.stdin.end();
  });
}

/** Like run, but throws with stderr when the exit code is not 0. */
export async function must(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  return r;
}

/** Raw stdout bytes of a command (frames from ffmpeg). */
export function runBuffer(cmd, args) {
  return new Promise((ok, fail) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = []; const err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    p.on('error', fail);
    p.on('close', (code) => code === 0 ? ok(Buffer.concat(out))
      : fail(new Error(`${cmd} exited ${code}: ${Buffer.concat(err).toString().slice(-2000)}`)));
  });
}

export function stats(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return { n: 0, median: null, min: null, max: null };
  const m = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { n: v.length, median: m, min: v[0], max: v[v.length - 1] };
}

export function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] || cpus()[0]?.model || 'unknown';
  return {
    cpuModel: model.trim(),
    cores: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    kernel: readFileSync('/proc/version', 'utf8').split(' ').slice(0, 3).join(' '),
    node: process.version,
  };
}

export const load = () => loadavg().map((x) => +x.toFixed(2));

/** Pids of all processes below `root` (default: this Node process). */
export function descendants(root = process.pid) {
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()) || []) { out.push(c); stack.push(c); }
  }
  return out;
}

/** {pid, type, rssKiB, pssKiB} of a Chromium process, or null when it is gone or not Chromium. */
export function chromiumProcess(pid, withPss = true) {
  try {
    // Chromium rewrites its argv into one space-separated string.
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    if (!/^\S*chrom/i.test(cmd)) return null;
    const type = /--type=(\S+)/.exec(cmd)?.[1] || 'browser';
    const webui = cmd.includes('--top-chrome-webui');
    const kib = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] || 0);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    let pss = null; // smaps_rollup is slow: only for the renderers that can hold a page
    if (withPss && type === 'renderer' && !webui) {
      try { pss = kib(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss'); } catch { /* old kernel */ }
    }
    return { pid, type, webui, rssKiB: kib(status, 'VmRSS'), pssKiB: pss };
  } catch { return null; }
}

export const fmt = (x, d = 0) => (x === null || x === undefined || !Number.isFinite(x)) ? '–' : x.toFixed(d);
export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
