// Builds the preview page's bundle into ../static/ (preview.js + preview.css), minified and deterministic.
// Run with `npm ci && npm run build` in this folder; tests/acceptance/test_preview.py checks the committed bytes.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: [join(here, 'src', 'preview.js')],
  outfile: join(process.argv[2] || join(here, '..', 'static'), 'preview.js'),
  absWorkingDir: here,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  platform: 'browser',
  charset: 'utf8',
  legalComments: 'eof',
  sourcemap: false,
  // fonts and images referenced from the Modeler's CSS are inlined: the page loads nothing remote
  loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.eot': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
