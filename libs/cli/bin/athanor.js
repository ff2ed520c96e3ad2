#!/usr/bin/env node
// The `athanor` command. Compiled code lives in dist/ (built by `npm install` via the root's prepare).
try {
  require.resolve('../dist/main.js');
} catch {
  process.stderr.write('athanor is not built yet: run `npm run build` at the repository root.\n');
  process.exit(1);
}
require('../dist/main.js').main(process.argv);
