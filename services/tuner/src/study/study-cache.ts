import { tuner } from '@athanor/contracts';
import { NotFoundError } from '@athanor/service-kit';
import type { StudyRecord, StudyStore } from '@athanor/store';
import { compileStudy, type CompiledStudy } from './compile-study';

/**
 * Compiled studies by id. A stored spec already carries its seed and defaults, so compiling it again
 * (after a restart, or on another replica) gives the same sampler.
 */
export class StudyCache {
  private readonly compiled = new Map<string, CompiledStudy>();

  constructor(private readonly store: StudyStore) {}

  async study(id: string): Promise<{ record: StudyRecord; compiled: CompiledStudy }> {
    const record = id ? await this.store.getStudy(id) : undefined;
    if (!record) throw new NotFoundError('study', id);
    return { record, compiled: this.of(record) };
  }

  of(record: StudyRecord): CompiledStudy {
    let c = this.compiled.get(record.id);
    if (!c) {
      c = compileStudy(tuner.StudySpec.fromJSON(record.spec), () => 0);
      this.compiled.set(record.id, c);
    }
    return c;
  }
}
