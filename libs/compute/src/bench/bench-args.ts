import { type BackendName, isBackendName } from '../backend/backend-name';
import { referenceModel } from './reference-models';

export interface BenchArgs {
  readonly models: readonly string[];
  readonly backends: readonly BackendName[] | undefined;
  /** Timed steps; undefined: 40 (torch_bench.py's default), 3 on the plain cpu backend. */
  readonly steps: number | undefined;
  readonly json: boolean;
  readonly torch: boolean;
}

export const USAGE = `usage: npm run bench:train -- [--model NAME]... [--backend NAME]... [--steps N] [--json] [--torch]
  --model NAME     reference-cnn, reference-mlp, reference-lstm or reference-transformer (default: all)
  --backend NAME   tfjs-node-gpu, tfjs-node, wasm or cpu (default: every one that initialises)
  --steps N        timed steps after 5 warm-up steps (default 40; 3 on cpu, which is ~100x slower)
  --json           print only the JSON lines
  --torch          also run ../shared/reference/torch_bench.py and print our speed over PyTorch's`;

/** Parses the command line; repeated or comma-separated --model/--backend accumulate. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const models: string[] = [];
  const backends: BackendName[] = [];
  let steps: number | undefined;
  let json = false;
  let torch = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--model':
        for (const name of value().split(',')) models.push(referenceModel(name).name);
        break;
      case '--backend':
        for (const name of value().split(',')) {
          if (!isBackendName(name)) throw new Error(`unknown backend '${name}'\n${USAGE}`);
          backends.push(name);
        }
        break;
      case '--steps': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new Error(`--steps needs a positive integer\n${USAGE}`);
        steps = n;
        break;
      }
      case '--json':
        json = true;
        break;
      case '--torch':
        torch = true;
        break;
      default:
        throw new Error(`unknown argument '${arg}'\n${USAGE}`);
    }
  }
  return { models, backends: backends.length > 0 ? backends : undefined, steps, json, torch };
}
