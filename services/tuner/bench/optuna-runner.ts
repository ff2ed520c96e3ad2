import { spawnSync } from 'node:child_process';

const PYTHON = '/usr/bin/python3';

/** Optuna's version when `/usr/bin/python3 -c 'import optuna'` works, else undefined. */
export function optunaVersion(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import optuna; print(optuna.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Runs a Python program that prints one JSON document; returns it parsed. */
export function runPython<T>(program: string, timeoutMs = 900_000): T {
  const r = spawnSync(PYTHON, ['-c', program], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

/**
 * Optuna TPE (defaults, seeded) on the same functions, noise, budgets and seeds 1..nSeeds: median
 * best per function. `multivariate` adds Optuna's multivariate TPE under keys suffixed " [mv]".
 */
export const optunaQuality = (nSeeds: number, multivariate: boolean): string => `
import json, math, random, statistics, sys
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
A=[[10,3,17,3.5,1.7,8],[0.05,10,17,0.1,8,14],[3,3.5,1.7,10,17,8],[17,8,0.05,10,0.1,14]]
P=[[x*1e-4 for x in r] for r in [[1312,1696,5569,124,8283,5886],[2329,4135,8307,3736,1004,9991],[2348,1451,3522,2883,3047,6650],[4047,8828,8732,5743,1091,381]]]
AL=[1,1.2,3,3.2]
def branin(x):
    b=5.1/(4*math.pi**2); c=5/math.pi
    return (x[1]-b*x[0]**2+c*x[0]-6)**2+10*(1-1/(8*math.pi))*math.cos(x[0])+10
def hartmann(x):
    return -sum(a*math.exp(-sum(A[i][j]*(x[j]-P[i][j])**2 for j in range(6))) for i,a in enumerate(AL))
def rosen(x):
    return sum(100*(x[i+1]-x[i]**2)**2+(1-x[i])**2 for i in range(len(x)-1))
FUNS=[("Branin",[(-5,10,False),(0,15,False)],branin,1.0),("Hartmann-6",[(0,1,False)]*6,hartmann,0.1),("Rosenbrock-5 (log box)",[(1e-2,10,True)]*5,rosen,1.0)]
out={}
for mv in ((False, True) if ${multivariate ? 'True' : 'False'} else (False,)):
  for name,box,f,noise in FUNS:
    for noisy in (False,True):
        bests=[]
        for seed in range(1,${nSeeds + 1}):
            rng=random.Random(1000+seed)
            study=optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed,multivariate=mv))
            truth={}
            def obj(t):
                x=[t.suggest_float("x%d"%(i+1),lo,hi,log=lg) for i,(lo,hi,lg) in enumerate(box)]
                y=f(x); truth[t.number]=y
                return y+(rng.gauss(0,noise) if noisy else 0)
            study.optimize(obj,n_trials=100)
            bests.append(truth[study.best_trial.number])
        out["%s%s%s"%(name," + noise" if noisy else ""," [mv]" if mv else "")]=statistics.median(bests)
print(json.dumps(out))
`;

/** Optuna's own timings: in-memory TPE per trial early and at 1,000 trials; SQLite storage per trial. */
export const OPTUNA_TIMING = `
import json, time, statistics, tempfile, os
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
def f(t):
    return sum((t.suggest_float("x%d"%i,-5,5)-1)**2 for i in range(5))
times=[]
study=optuna.create_study(sampler=optuna.samplers.TPESampler(seed=1))
for i in range(1000):
    t0=time.perf_counter(); study.optimize(f,n_trials=1); times.append(time.perf_counter()-t0)
tpe_first=statistics.median(times[10:110])*1000; tpe_last=statistics.median(times[900:])*1000
d=tempfile.mkdtemp()
st=optuna.create_study(storage="sqlite:///"+os.path.join(d,"o.db"),sampler=optuna.samplers.RandomSampler(seed=1))
ts=[]
for i in range(2000):
    t0=time.perf_counter(); st.optimize(f,n_trials=1); ts.append(time.perf_counter()-t0)
ts_sorted=sorted(ts)
print(json.dumps({"tpe_ms_start":tpe_first,"tpe_ms_at_1000":tpe_last,"sqlite_ms_start":statistics.median(ts[:200])*1000,"sqlite_ms_at_2000":statistics.median(ts[1800:])*1000,"sqlite_p99_ms":ts_sorted[int(0.99*len(ts))]*1000}))
`;
