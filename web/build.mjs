// build.mjs — builds Accord's web interface: bundles src/main.jsx (Preact)
// and src/style.css with esbuild into content-hashed files, writes
// index.html pointing at them (no inline script or style: the server's CSP
// forbids both), and a gzip variant (.gz) of every text file, which
// `accord serve` sends to clients that accept gzip.
// usage: node build.mjs [--out DIR]   (default: ../build/ui)
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIx = args.indexOf('--out');
const out = resolve(outIx >= 0 ? args[outIx + 1] : join(here, '..', 'build', 'ui'));
const assets = join(out, 'assets');

rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await build({
  entryPoints: { app: join(here, 'src', 'main.jsx'), style: join(here, 'src', 'style.css') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: assets,
  metafile: true,
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => resolve(p));
const js = outputs.find((p) => p.endsWith('.js'));
const css = outputs.find((p) => p.endsWith('.css'));
if (!js || !css) throw new Error('build: esbuild produced no script or no style sheet');

// The icon: a small SVG, hashed like the rest.
const icon = readFileSync(join(here, 'src', 'icon.svg'));
const iconName = `icon-${createHash('sha256').update(icon).digest('hex').slice(0, 10)}.svg`;
writeFileSync(join(assets, iconName), icon);

const tpl = readFileSync(join(here, 'src', 'index.html'), 'utf8');
const html = tpl
  .replace('%SCRIPT%', `assets/${basename(js)}`)
  .replace('%STYLE%', `assets/${basename(css)}`)
  .replace('%ICON%', `assets/${iconName}`);
writeFileSync(join(out, 'index.html'), html);

// gzip variants of text files.
let jsGz = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { walk(p); continue; }
    if (!/\.(html|js|css|svg|json)$/.test(name)) continue;
    const gz = gzipSync(readFileSync(p), { level: constants.Z_BEST_COMPRESSION });
    writeFileSync(`${p}.gz`, gz);
    if (name.endsWith('.js')) jsGz += gz.length;
  }
};
walk(out);
const raw = statSync(js).size;
console.log(`web: built ${out} (script ${(raw / 1024).toFixed(1)} KiB, ${(jsGz / 1024).toFixed(1)} KiB gzip)`);
