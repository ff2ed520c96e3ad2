#!/usr/bin/env node
// Generates the TypeScript contracts (libs/contracts/src/gen, ts-proto via buf.gen.yaml) and the binary
// FileDescriptorSet (libs/contracts/descriptors.binpb, imports included) from proto/.
//
//   node tools/generate-contracts.mjs          regenerate when a .proto (or buf config) is newer than the outputs
//   node tools/generate-contracts.mjs --force  regenerate unconditionally
//   node tools/generate-contracts.mjs --check  regenerate into a temporary directory and exit 1, listing the
//                                              files, if the committed outputs differ (CI: stale contracts)
//
// Runs offline: buf and protoc-gen-ts_proto come from node_modules/.bin.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const genDir = 'libs/contracts/src/gen';
const descriptorFile = 'libs/contracts/descriptors.binpb';
const inputs = ['buf.yaml', 'buf.gen.yaml', fileURLToPath(import.meta.url)];

const args = new Set(process.argv.slice(2));
const env = { ...process.env, PATH: [join(root, 'node_modules', '.bin'), process.env.PATH].join(delimiter) };

function buf(...bufArgs) {
  const result = spawnSync('buf', bufArgs, { cwd: root, env, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`generate-contracts: buf ${bufArgs.join(' ')} failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}

/** Relative paths of all files under dir (recursively), sorted. */
function listFiles(dir, base = dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = join(dir, entry.name);
      return entry.isDirectory() ? listFiles(full, base) : [relative(base, full)];
    })
    .sort();
}

/** Writes the ts-proto sources and the descriptor set under outRoot (the repository root by default). */
function generate(outRoot) {
  if (outRoot === root) buf('generate');
  else buf('generate', '--output', outRoot);
  buf('build', '--as-file-descriptor-set', '--output', join(outRoot, descriptorFile));
  // buf leaves unchanged files untouched; the descriptor set's mtime marks "generated at" for upToDate().
  const now = new Date();
  utimesSync(join(outRoot, descriptorFile), now, now);
}

function upToDate() {
  const descriptor = join(root, descriptorFile);
  if (!existsSync(descriptor) || !existsSync(join(root, genDir, 'index.ts'))) return false;
  const generatedAt = statSync(descriptor).mtimeMs;
  const sources = [
    ...listFiles(join(root, 'proto')).map((file) => join(root, 'proto', file)),
    ...inputs.map((file) => (file.startsWith('/') ? file : join(root, file))),
  ];
  return sources.every((file) => statSync(file).mtimeMs <= generatedAt);
}

function check() {
  const tmp = mkdtempSync(join(tmpdir(), 'athanor-contracts-'));
  try {
    generate(tmp);
    const committed = listFiles(join(root, genDir));
    const fresh = listFiles(join(tmp, genDir));
    const differing = [];
    for (const file of new Set([...committed, ...fresh])) {
      const a = join(root, genDir, file);
      const b = join(tmp, genDir, file);
      if (!existsSync(a)) differing.push(`${genDir}/${file} (missing)`);
      else if (!existsSync(b)) differing.push(`${genDir}/${file} (no longer generated)`);
      else if (!readFileSync(a).equals(readFileSync(b))) differing.push(`${genDir}/${file} (differs)`);
    }
    const descriptor = join(root, descriptorFile);
    if (!existsSync(descriptor)) differing.push(`${descriptorFile} (missing)`);
    else if (!readFileSync(descriptor).equals(readFileSync(join(tmp, descriptorFile)))) {
      differing.push(`${descriptorFile} (differs)`);
    }
    if (differing.length > 0) {
      console.error(
        'Generated contracts are stale; run `npm run generate -w @athanor/contracts` and commit:',
      );
      for (const line of differing.sort()) console.error(`  ${line}`);
      process.exit(1);
    }
    console.log(`Generated contracts are up to date (${fresh.length} files + descriptor set).`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (args.has('--check')) {
  check();
} else if (!args.has('--force') && upToDate()) {
  console.log('Contracts are up to date (no .proto newer than the outputs); use --force to regenerate.');
} else {
  generate(root);
  console.log(`Generated ${listFiles(join(root, genDir)).length} files in ${genDir} and ${descriptorFile}.`);
}
