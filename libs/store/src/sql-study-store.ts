import type { Database, Row, Sql } from './database';
import type {
  Direction,
  EventRecord,
  IntermediatePoint,
  StoredEvent,
  StudyRecord,
  TrialRecord,
  TrialState,
} from './records';
import { TERMINAL_STUDY_STATES } from './records';
import { COUNTER, eventFromRow, studyFromRow, trialFromRow } from './rows';
import { LeaseLostError, StudyNotFoundError, TrialNotFoundError } from './store-errors';
import type {
  CommittedEvents,
  CreateLeasedRequest,
  FinishRequest,
  HeartbeatRequest,
  IntermediateRequest,
  LeaseCheck,
  LeaseRequest,
  ListStudiesQuery,
  NewStudy,
  StudyStateChange,
  StudyStore,
} from './study-store';

type Append = (studyId: string, now: number, event: StoredEvent) => Promise<void>;
type Listener = (studyId: string, committed: CommittedEvents) => void;

const jsonOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

/**
 * The store's logic, written once over `Database` for SQLite and PostgreSQL. Trial counts per state
 * live as counters on the study row (updated with every transition), so nothing here scans a
 * study's trials on the hot path: suggesting and completing cost the same at 10 or 10,000 trials.
 */
export class SqlStudyStore implements StudyStore {
  private readonly listeners = new Set<Listener>();
  /** Row locks in PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers. */
  private readonly forUpdate: string;
  private readonly skipLocked: string;

  constructor(private readonly db: Database) {
    this.forUpdate = db.dialect === 'postgres' ? ' FOR UPDATE' : '';
    this.skipLocked = db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  }

  get location(): string {
    return this.db.location;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.listeners.clear();
    return this.db.close();
  }

  // ---- studies ----

  async createStudy(s: NewStudy): Promise<{ study: StudyRecord; created: boolean }> {
    if (s.requestId) {
      const existing = await this.studyByRequest(s.requestId);
      if (existing) return { study: existing, created: false };
    }
    try {
      const study = await this.tx(async (sql, append) => {
        await sql.run(
          `INSERT INTO studies (id, name, request_id, spec, state, direction, max_trials, max_parallel,
             max_attempts, lease_ms, deadline, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            s.id,
            s.name,
            s.requestId || null,
            JSON.stringify(s.spec),
            s.direction,
            s.maxTrials,
            s.maxParallel,
            s.maxAttempts,
            s.leaseMs,
            s.deadline,
            s.now,
            s.now,
          ],
        );
        const created = await this.lockStudy(sql, s.id);
        await append(s.id, s.now, { kind: 'study', study: created });
        return created;
      });
      return { study, created: true };
    } catch (err) {
      // Two creates with one idempotency key raced: the loser returns the winner's study.
      const again = s.requestId ? await this.studyByRequest(s.requestId) : undefined;
      if (again) return { study: again, created: false };
      throw err;
    }
  }

  getStudy(id: string): Promise<StudyRecord | undefined> {
    return this.db.read(async (sql) => {
      const [row] = await sql.all('SELECT * FROM studies WHERE id = ?', [id]);
      return row ? studyFromRow(row) : undefined;
    });
  }

  listStudies(q: ListStudiesQuery): Promise<StudyRecord[]> {
    const where = q.states.length ? `WHERE state IN (${q.states.map(() => '?').join(', ')})` : '';
    return this.db.read(async (sql) =>
      (
        await sql.all(`SELECT * FROM studies ${where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, [
          ...q.states,
          q.limit,
          q.offset,
        ])
      ).map(studyFromRow),
    );
  }

  setStudyState(id: string, change: StudyStateChange): Promise<StudyRecord> {
    return this.tx(async (sql, append) => {
      const study = await this.lockStudy(sql, id);
      if (TERMINAL_STUDY_STATES.includes(study.state) || study.state === change.state) return study;
      const final = TERMINAL_STUDY_STATES.includes(change.state);
      await sql.run(
        `UPDATE studies SET state = ?, stop_reason = ?, stop_running = ?, updated_at = ?,
           finished_at = ? WHERE id = ?`,
        [change.state, change.reason, change.stopRunning ? 1 : 0, change.now, final ? change.now : null, id],
      );
      await append(id, change.now, { kind: 'study', study: await this.lockStudy(sql, id) });
      await this.settle(sql, id, change.now, append);
      return this.lockStudy(sql, id);
    });
  }

  // ---- trials: reads ----

  getTrial(id: string): Promise<TrialRecord | undefined> {
    return this.db.read(async (sql) => {
      const [row] = await sql.all('SELECT * FROM trials WHERE id = ?', [id]);
      return row ? trialFromRow(row) : undefined;
    });
  }

  listTrials(studyId: string, states: readonly TrialState[] = []): Promise<TrialRecord[]> {
    const filter = states.length ? ` AND state IN (${states.map(() => '?').join(', ')})` : '';
    return this.db.read(async (sql) =>
      (
        await sql.all(`SELECT * FROM trials WHERE study_id = ?${filter} ORDER BY number`, [
          studyId,
          ...states,
        ])
      ).map(trialFromRow),
    );
  }

  bestTrials(studyId: string, limit: number): Promise<TrialRecord[]> {
    return this.db.read(async (sql) => {
      const [study] = await sql.all<{ direction: string }>('SELECT direction FROM studies WHERE id = ?', [
        studyId,
      ]);
      if (!study) throw new StudyNotFoundError(studyId);
      const order = study.direction === 'MAXIMIZE' ? 'DESC' : 'ASC';
      const rows = await sql.all(
        `SELECT * FROM trials WHERE study_id = ? AND state = 'COMPLETED'
         ORDER BY objective_value ${order}, number LIMIT ?`,
        [studyId, limit],
      );
      return rows.map(trialFromRow);
    });
  }

  intermediateValues(trialId: string): Promise<IntermediatePoint[]> {
    return this.db.read(async (sql) =>
      (
        await sql.all(
          'SELECT step, value, reported_at FROM intermediate_values WHERE trial_id = ? ORDER BY step',
          [trialId],
        )
      ).map(pointFromRow),
    );
  }

  studyIntermediateValues(studyId: string): Promise<Map<string, IntermediatePoint[]>> {
    return this.db.read(async (sql) => {
      const rows = await sql.all(
        'SELECT trial_id, step, value, reported_at FROM intermediate_values WHERE study_id = ? ORDER BY trial_id, step',
        [studyId],
      );
      const out = new Map<string, IntermediatePoint[]>();
      for (const r of rows) {
        const id = r.trial_id as string;
        let list = out.get(id);
        if (!list) out.set(id, (list = []));
        list.push(pointFromRow(r));
      }
      return out;
    });
  }

  // ---- trials: leases ----

  leaseQueued(req: LeaseRequest): Promise<TrialRecord[]> {
    return this.tx(async (sql, append) => {
      const studyIds = req.studyId
        ? [req.studyId]
        : (
            await sql.all<{ id: string }>(
              `SELECT id FROM studies WHERE state = 'RUNNING' AND n_queued > 0 ORDER BY created_at, id`,
            )
          ).map((r) => r.id);
      const leased: TrialRecord[] = [];
      for (const studyId of studyIds) {
        const wanted = req.count - leased.length;
        if (wanted <= 0) break;
        // Trials too big for the caller stay queued for a worker with more memory.
        const limit = req.maxMemoryBytes ? [req.maxMemoryBytes] : [];
        const fits = limit.length ? ' AND (memory_bytes IS NULL OR memory_bytes <= ?)' : '';
        // SKIP LOCKED: another replica leasing from the same queue takes other rows, never these.
        const rows = await sql.all(
          `SELECT * FROM trials WHERE study_id = ? AND state = 'QUEUED'${fits} ORDER BY number LIMIT ?${this.skipLocked}`,
          [studyId, ...limit, wanted],
        );
        if (rows.length === 0) continue;
        const granted = await this.reserveSlots(sql, studyId, rows.length, true);
        const [study] = await sql.all<{ lease_ms: number }>('SELECT lease_ms FROM studies WHERE id = ?', [
          studyId,
        ]);
        for (const row of rows.slice(0, granted)) {
          const leaseId = req.leaseIds[leased.length];
          const queued = trialFromRow(row);
          const trace = queued.traceParent ?? req.traceOf?.(queued) ?? null;
          const [updated] = await sql.all(
            `UPDATE trials SET state = 'RUNNING', worker_id = ?, lease_id = ?, lease_expires_at = ?,
               attempts = attempts + 1, started_at = COALESCE(started_at, ?), stop_reason = '',
               trace_parent = ?
             WHERE id = ? RETURNING *`,
            [req.workerId, leaseId, req.now + Number(study.lease_ms), req.now, trace, row.id],
          );
          const trial = trialFromRow(updated);
          leased.push(trial);
          await append(studyId, req.now, {
            kind: 'trial',
            trial,
            previousState: 'QUEUED',
            reason:
              trial.attempts > 1 ? `re-leased to worker ${req.workerId}` : `leased to worker ${req.workerId}`,
          });
        }
      }
      return leased;
    });
  }

  createLeasedTrials(req: CreateLeasedRequest): Promise<TrialRecord[]> {
    return this.tx(async (sql, append) => {
      // The study row lock serialises trial numbering and the budget check across replicas.
      const study = await this.lockStudy(sql, req.studyId);
      if (study.state !== 'RUNNING') return [];
      if (study.deadline !== null && req.now >= study.deadline) return [];
      const total = study.counts.queued + study.counts.running + finishedOf(study);
      const room = study.maxTrials > 0 ? study.maxTrials - total : Infinity;
      const slots = Math.max(0, Math.min(req.count, study.maxParallel - study.counts.running));
      const out: TrialRecord[] = [];
      // Trials made to be queued (for another worker) take no running slot; at most `count` per
      // call, so one call's work stays bounded.
      let queued = 0;
      while (out.length < slots && out.length + queued < room) {
        const number = total + out.length + queued;
        const t = req.make(number);
        if (!t) break;
        const lease = t.queueReason === undefined;
        // Not inserted, the number is not taken: the next call makes it again.
        if (!lease && queued >= req.count) break;
        const trace = lease ? (req.traceOf?.({ id: t.id, studyId: req.studyId, number }) ?? null) : null;
        const [row] = await sql.all(
          `INSERT INTO trials (id, study_id, number, state, params, worker_id, lease_id, lease_expires_at,
             attempts, created_at, started_at, scaling, memory_bytes, trace_parent)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          [
            t.id,
            req.studyId,
            number,
            lease ? 'RUNNING' : 'QUEUED',
            JSON.stringify(t.params),
            lease ? req.workerId : '',
            lease ? req.leaseIds[out.length] : '',
            lease ? req.now + study.leaseMs : null,
            lease ? 1 : 0,
            req.now,
            lease ? req.now : null,
            jsonOrNull(t.scaling),
            t.memoryBytes ?? null,
            trace,
          ],
        );
        const trial = trialFromRow(row);
        if (lease) out.push(trial);
        else queued++;
        await append(req.studyId, req.now, {
          kind: 'trial',
          trial,
          previousState: null,
          reason: lease
            ? `created and leased to worker ${req.workerId}`
            : `created and queued: ${t.queueReason}`,
        });
      }
      if (out.length + queued > 0)
        await sql.run(
          `UPDATE studies SET n_running = n_running + ?, n_queued = n_queued + ?, next_number = next_number + ?,
             updated_at = ? WHERE id = ?`,
          [out.length, queued, out.length + queued, req.now, req.studyId],
        );
      return out;
    });
  }

  heartbeat(req: HeartbeatRequest): Promise<TrialRecord> {
    return this.tx(async (sql) => {
      const trial = await this.checkLease(sql, req);
      const leaseMs = await this.leaseMsOf(sql, trial.studyId);
      const [row] = await sql.all(
        `UPDATE trials SET lease_expires_at = ?, step = ?, checkpoint = ?, run_id = ? WHERE id = ? RETURNING *`,
        [
          req.now + leaseMs,
          req.step ?? trial.step,
          jsonOrNull(req.checkpoint ?? trial.checkpoint),
          req.runId || trial.runId,
          trial.id,
        ],
      );
      return trialFromRow(row);
    });
  }

  reportIntermediate(req: IntermediateRequest): Promise<TrialRecord> {
    return this.tx(async (sql, append) => {
      const trial = await this.checkLease(sql, req);
      const leaseMs = await this.leaseMsOf(sql, trial.studyId);
      await sql.run(
        `INSERT INTO intermediate_values (trial_id, study_id, step, value, reported_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value, reported_at = excluded.reported_at`,
        [trial.id, trial.studyId, req.step, req.value, req.now],
      );
      const [row] = await sql.all(
        `UPDATE trials SET lease_expires_at = ?, step = ?, checkpoint = ?, stop_reason = ? WHERE id = ? RETURNING *`,
        [
          req.now + leaseMs,
          Math.max(req.step, trial.step),
          jsonOrNull(req.checkpoint ?? trial.checkpoint),
          req.prune ? 'PRUNED' : trial.stopReason,
          trial.id,
        ],
      );
      const updated = trialFromRow(row);
      await append(trial.studyId, req.now, {
        kind: 'intermediate',
        trialId: trial.id,
        trialNumber: trial.number,
        point: { step: req.step, value: req.value, reportedAt: req.now },
        pruned: req.prune,
      });
      return updated;
    });
  }

  finishTrial(req: FinishRequest): Promise<TrialRecord> {
    return this.tx(async (sql, append) => {
      const trial = await this.checkLease(sql, req);
      const study = await this.lockStudy(sql, trial.studyId);
      const o = req.outcome;
      let state: TrialState = o.state;
      let objective: number | null = null;
      let reason = '';
      let why: string;
      if (o.state === 'COMPLETED') {
        objective = o.value;
        why = `completed with ${o.value}`;
      } else if (o.state === 'PRUNED') {
        const [last] = await sql.all<{ value: number }>(
          'SELECT value FROM intermediate_values WHERE trial_id = ? ORDER BY step DESC LIMIT 1',
          [trial.id],
        );
        objective = last ? Number(last.value) : null;
        why = `pruned at step ${o.step}`;
      } else if (o.state === 'INFEASIBLE') {
        reason = o.reason;
        why = `infeasible: ${o.reason}`;
      } else {
        reason = o.reason;
        const retry = o.retryable && trial.attempts < study.maxAttempts;
        state = retry ? 'QUEUED' : 'FAILED';
        why = retry
          ? `failed (attempt ${trial.attempts} of ${study.maxAttempts}), re-queued: ${o.reason}`
          : `failed: ${o.reason}`;
      }
      const final = state !== 'QUEUED';
      const [row] = await sql.all(
        `UPDATE trials SET state = ?, objective_value = ?, failure_reason = ?, lease_id = ?, lease_expires_at = NULL,
           finished_at = ?, metrics = ?, run_id = ?, checkpoint = ?, stop_reason = '' WHERE id = ? RETURNING *`,
        [
          state,
          objective,
          reason,
          final ? trial.leaseId : '',
          final ? req.now : null,
          o.state === 'COMPLETED' ? JSON.stringify(o.metrics) : jsonOrNull(trial.metrics),
          req.runId || trial.runId,
          jsonOrNull(req.checkpoint ?? trial.checkpoint),
          trial.id,
        ],
      );
      const updated = trialFromRow(row);
      await this.move(sql, trial.studyId, 'RUNNING', state, req.now);
      await append(trial.studyId, req.now, {
        kind: 'trial',
        trial: updated,
        previousState: 'RUNNING',
        reason: why,
      });
      if (o.state === 'COMPLETED' && isBetter(o.value, study)) {
        await sql.run('UPDATE studies SET best_value = ?, best_trial_id = ? WHERE id = ?', [
          o.value,
          trial.id,
          trial.studyId,
        ]);
        await append(trial.studyId, req.now, { kind: 'new_best', trial: updated });
      }
      await this.settle(sql, trial.studyId, req.now, append);
      return updated;
    });
  }

  async renewRunningLeases(now: number): Promise<number> {
    const rows = await this.tx((sql) =>
      sql.all(
        `UPDATE trials SET lease_expires_at = ? + (SELECT lease_ms FROM studies WHERE studies.id = trials.study_id)
         WHERE state = 'RUNNING' AND lease_expires_at < ? + (SELECT lease_ms FROM studies WHERE studies.id = trials.study_id)
         RETURNING id`,
        [now, now],
      ),
    );
    return rows.length;
  }

  requeueExpired(now: number): Promise<TrialRecord[]> {
    return this.tx(async (sql, append) => {
      const rows = await sql.all(
        `SELECT * FROM trials WHERE state = 'RUNNING' AND lease_expires_at < ?
         ORDER BY lease_expires_at LIMIT 200${this.skipLocked}`,
        [now],
      );
      const out: TrialRecord[] = [];
      for (const r of rows) {
        const trial = trialFromRow(r);
        const study = await this.lockStudy(sql, trial.studyId);
        const exhausted = trial.attempts >= study.maxAttempts;
        const state: TrialState = exhausted ? 'FAILED' : 'QUEUED';
        const why = exhausted
          ? `lease expired (worker ${trial.workerId}); no attempts left (${trial.attempts} of ${study.maxAttempts})`
          : `lease expired (worker ${trial.workerId}); re-queued${trial.checkpoint ? ' with its last checkpoint' : ''}`;
        const [row] = await sql.all(
          `UPDATE trials SET state = ?, lease_id = '', lease_expires_at = NULL, finished_at = ?,
             failure_reason = ?, stop_reason = '' WHERE id = ? RETURNING *`,
          [state, exhausted ? now : null, exhausted ? why : trial.failureReason, trial.id],
        );
        const updated = trialFromRow(row);
        out.push(updated);
        await this.move(sql, trial.studyId, 'RUNNING', state, now);
        await append(trial.studyId, now, {
          kind: 'trial',
          trial: updated,
          previousState: 'RUNNING',
          reason: why,
        });
        await this.settle(sql, trial.studyId, now, append);
      }
      return out;
    });
  }

  // ---- events ----

  events(studyId: string, afterSequence: number, limit = 1000): Promise<EventRecord[]> {
    return this.db.read(async (sql) =>
      (
        await sql.all('SELECT * FROM events WHERE study_id = ? AND sequence > ? ORDER BY sequence LIMIT ?', [
          studyId,
          afterSequence,
          limit,
        ])
      ).map(eventFromRow),
    );
  }

  // ---- helpers ----

  /** A transaction that can append events; listeners hear of them after the commit. */
  private async tx<T>(fn: (sql: Sql, append: Append) => Promise<T>): Promise<T> {
    let touched = new Map<string, { direction: Direction; events: EventRecord[] }>();
    const result = await this.db.transaction((sql) => {
      // A retried transaction (PostgreSQL serialisation failure) starts over.
      touched = new Map();
      return fn(sql, async (studyId, now, event) => {
        const [row] = await sql.all<{ last_sequence: number; direction: Direction }>(
          `UPDATE studies SET last_sequence = last_sequence + 1, updated_at = ? WHERE id = ?
           RETURNING last_sequence, direction`,
          [now, studyId],
        );
        const sequence = Number(row.last_sequence);
        await sql.run('INSERT INTO events (study_id, sequence, time, payload) VALUES (?, ?, ?, ?)', [
          studyId,
          sequence,
          now,
          JSON.stringify(event),
        ]);
        let committed = touched.get(studyId);
        if (!committed) touched.set(studyId, (committed = { direction: row.direction, events: [] }));
        committed.events.push({ studyId, sequence, time: now, event });
      });
    });
    for (const [id, committed] of touched)
      for (const l of this.listeners) {
        try {
          l(id, committed);
        } catch {
          // A listener's failure is its own; the commit stands and the caller gets its result.
        }
      }
    return result;
  }

  private async studyByRequest(requestId: string): Promise<StudyRecord | undefined> {
    return this.db.read(async (sql) => {
      const [row] = await sql.all('SELECT * FROM studies WHERE request_id = ?', [requestId]);
      return row ? studyFromRow(row) : undefined;
    });
  }

  private async lockStudy(sql: Sql, id: string): Promise<StudyRecord> {
    const [row] = await sql.all(`SELECT * FROM studies WHERE id = ?${this.forUpdate}`, [id]);
    if (!row) throw new StudyNotFoundError(id);
    return studyFromRow(row);
  }

  private async leaseMsOf(sql: Sql, studyId: string): Promise<number> {
    const [row] = await sql.all<{ lease_ms: number }>('SELECT lease_ms FROM studies WHERE id = ?', [studyId]);
    return Number(row.lease_ms);
  }

  /**
   * Takes up to `wanted` running slots under max_parallel with one conditional UPDATE, which
   * PostgreSQL re-checks against the newest row version, so two replicas never overshoot.
   */
  private async reserveSlots(sql: Sql, studyId: string, wanted: number, fromQueue: boolean): Promise<number> {
    for (let n = wanted; n > 0; n--) {
      const changed = await sql.run(
        `UPDATE studies SET n_running = n_running + ?, n_queued = n_queued - ?
         WHERE id = ? AND state = 'RUNNING' AND n_running + ? <= max_parallel`,
        [n, fromQueue ? n : 0, studyId, n],
      );
      if (changed > 0) return n;
    }
    return 0;
  }

  private async move(
    sql: Sql,
    studyId: string,
    from: TrialState,
    to: TrialState,
    now: number,
  ): Promise<void> {
    if (from === to) return;
    await sql.run(
      `UPDATE studies SET ${COUNTER[from]} = ${COUNTER[from]} - 1, ${COUNTER[to]} = ${COUNTER[to]} + 1,
         updated_at = ? WHERE id = ?`,
      [now, studyId],
    );
  }

  /**
   * A stopping study with nothing running is stopped; a study whose budget (max trials, or max
   * duration) is spent and has nothing running or queued is completed.
   */
  private async settle(sql: Sql, studyId: string, now: number, append: Append): Promise<void> {
    const s = await this.lockStudy(sql, studyId);
    let next: { state: 'STOPPED' | 'COMPLETED'; reason: string } | undefined;
    if (s.state === 'STOPPING' && s.counts.running === 0) next = { state: 'STOPPED', reason: s.stopReason };
    else if (
      s.state === 'RUNNING' &&
      s.maxTrials > 0 &&
      finishedOf(s) >= s.maxTrials &&
      s.counts.running + s.counts.queued === 0
    )
      next = { state: 'COMPLETED', reason: 'max_trials reached' };
    else if (s.state === 'RUNNING' && s.deadline !== null && now >= s.deadline && s.counts.running === 0)
      next = { state: 'COMPLETED', reason: 'max_duration reached' };
    if (!next) return;
    await sql.run(
      'UPDATE studies SET state = ?, stop_reason = ?, finished_at = ?, updated_at = ? WHERE id = ?',
      [next.state, next.reason, now, now, studyId],
    );
    await append(studyId, now, { kind: 'study', study: await this.lockStudy(sql, studyId) });
  }

  private async checkLease(sql: Sql, req: LeaseCheck): Promise<TrialRecord> {
    const [row] = await sql.all(`SELECT * FROM trials WHERE id = ?${this.forUpdate}`, [req.trialId]);
    if (!row) throw new TrialNotFoundError(req.trialId);
    const trial = trialFromRow(row);
    if (trial.state !== 'RUNNING') {
      throw new LeaseLostError(
        trial.id,
        trial.state === 'QUEUED'
          ? 'its lease expired and it went back to the queue'
          : `it is already ${trial.state.toLowerCase()}`,
      );
    }
    if (trial.leaseId !== req.leaseId) {
      throw new LeaseLostError(trial.id, `it is leased to worker ${trial.workerId} under another lease`);
    }
    // A lapsed lease that no reaper has taken back yet still belongs to its worker.
    return trial;
  }
}

function finishedOf(s: StudyRecord): number {
  return s.counts.pruned + s.counts.completed + s.counts.failed + s.counts.infeasible;
}

function isBetter(value: number, study: StudyRecord): boolean {
  if (study.bestValue === null) return true;
  return study.direction === 'MAXIMIZE' ? value > study.bestValue : value < study.bestValue;
}

function pointFromRow(r: Row): IntermediatePoint {
  return { step: Number(r.step), value: Number(r.value), reportedAt: Number(r.reported_at) };
}
