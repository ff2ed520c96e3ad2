// `buf breaking` of the working tree's contracts against every earlier commit that changed them,
// so a v1 field, once committed, can never be renumbered, retyped or removed (rules: buf.yaml).
import { execFileSync, spawnSync } from 'node:child_process';

const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();

let commits = [];
try {
  commits = git('log', '--format=%H', '-n', '30', 'HEAD', '--', 'proto', 'buf.yaml')
    .split('\n')
    .filter(Boolean);
} catch {
  // no commits yet, or not a git checkout: nothing to compare against
}
commits = commits.filter((c) => spawnSync('git', ['cat-file', '-e', `${c}:buf.yaml`]).status === 0);
if (commits.length === 0) {
  console.log('buf breaking: no earlier commit with contracts; nothing to compare');
  process.exit(0);
}
for (const commit of commits) {
  const r = spawnSync('buf', ['breaking', '--against', `.git#ref=${commit}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`buf breaking: the contracts break compatibility with commit ${commit.slice(0, 10)}`);
    process.exit(1);
  }
}
console.log(`buf breaking: compatible with ${commits.length} earlier version(s) of the contracts`);
