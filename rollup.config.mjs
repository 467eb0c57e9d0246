// Three builds: the panel chunk (ESM, content-hashed, immutable), the loader (IIFE, one stable URL,
// knows the panel's hashed name) and the npm package (ESM modules with .d.ts, dependencies external).
import { readFileSync, rmSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const { version, dependencies } = JSON.parse(readFileSync('package.json', 'utf8'));
const ts = (compilerOptions = {}) =>
  typescript({ tsconfig: 'tsconfig.json', include: ['src/**/*'], compilerOptions: { noEmit: false, ...compilerOptions } });
const minify = (preamble) =>
  terser({ ecma: 2020, module: true, toplevel: true, compress: { passes: 3, unsafe: true, unsafe_arrows: true, unsafe_methods: true, pure_getters: true }, format: { comments: false, preamble }, mangle: !process.env.KEFU_KEEP_NAMES });

rmSync('dist', { recursive: true, force: true }); // Old hashed chunks must not linger.

let panelFile;
/** Records the panel entry's hashed file name for the loader build that follows. */
const recordPanel = {
  name: 'record-panel',
  generateBundle(_options, bundle) {
    panelFile = Object.values(bundle).find((chunk) => chunk.type === 'chunk' && chunk.isEntry).fileName;
  },
};
/** Writes the panel's name and the version into the loader, and the version into the npm entry. */
const stampLoader = {
  name: 'stamp-loader',
  transform(code, id) {
    if (!/src[\\/](loader|index)\.ts$/.test(id)) return null;
    return code.replace("'__KEFU_PANEL__'", JSON.stringify(`./${panelFile}`)).replace("'__KEFU_VERSION__'", JSON.stringify(version));
  },
};

/**
 * Squeezes the whitespace out of the stylesheets' template literals (src/ui/*styles.ts / *Styles.ts).
 * Spaces next to ':' stay: `header :focus-visible` and `header:focus-visible` differ.
 */
const compactCss = {
  name: 'compact-css',
  transform(code, id) {
    if (!/src[\\/]ui[\\/]\w*[sS]tyles\.ts$/.test(id)) return null;
    return code.replace(/`[^`]*`/g, (css) => css.replace(/\s+/g, ' ').replace(/\s*([{};,>])\s*/g, '$1').replace(/:\s+/g, ':').replace(/;}/g, '}'));
  },
};

export default [
  {
    input: 'src/panel.tsx',
    // Lets the views' chunks import shared code from the entry itself, not from a facade.
    preserveEntrySignatures: 'allow-extension',
    output: {
      dir: 'dist', format: 'es', entryFileNames: 'panel-[hash:6].js', // 36 bits tell builds apart; the loader carries the name
      // Catalogs are named apart (a shopper downloads one language), and so are the views the first
      // open does not need: the size budgets count what a shopper receives (package.json size-limit).
      chunkFileNames: (chunk) => (/[\\/]i18n[\\/]/.test(chunk.facadeModuleId ?? '') ? 'locale-[name]-[hash].js' : 'view-[hash].js'),
    },
    plugins: [compactCss, nodeResolve({ browser: true }), ts(), minify(), recordPanel],
  },
  {
    input: 'src/loader.ts',
    output: { file: 'dist/kefu.js', format: 'iife' },
    // Chromium's explicit compile hint: compiling every function with the script, rather than each
    // when first called (parsed twice), takes about a fifth off the loader's evaluation.
    plugins: [stampLoader, ts(), minify('//# allFunctionsCalledOnLoad')],
  },
  {
    input: 'src/index.ts',
    output: { dir: 'dist/esm', format: 'es', preserveModules: true, preserveModulesRoot: 'src' },
    external: (id) => Object.keys(dependencies).some((dep) => id === dep || id.startsWith(`${dep}/`)),
    plugins: [stampLoader, ts({ declaration: true, declarationDir: 'dist/esm', outDir: 'dist/esm' })],
  },
];
