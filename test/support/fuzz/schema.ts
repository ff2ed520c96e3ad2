import { readFileSync } from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { descriptorSetPath } from '@athanor/contracts';

// The contracts' own descriptor set tells the fuzzer every request's fields, so hostile messages
// follow the schema (and a field added to a proto is fuzzed without touching this test).

export interface FieldDescriptor {
  readonly name: string;
  readonly number: number;
  readonly label: string;
  readonly type: string;
  readonly typeName: string;
}

export interface MessageDescriptor {
  readonly name: string;
  readonly field: FieldDescriptor[];
  readonly nestedType?: MessageDescriptor[];
  readonly enumType?: EnumDescriptor[];
  readonly options?: { mapEntry?: boolean } | null;
}

export interface EnumDescriptor {
  readonly name: string;
  readonly value: { name: string; number: number }[];
}

export interface RpcMethod {
  /** e.g. "tuner/CreateStudy" */
  readonly label: string;
  /** e.g. "/athanor.tuner.v1.TunerService/CreateStudy" */
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  /** Fully qualified request type, e.g. "athanor.tuner.v1.CreateStudyRequest". */
  readonly requestType: string;
}

export class Schema {
  private readonly messages = new Map<string, MessageDescriptor>();
  private readonly enums = new Map<string, EnumDescriptor>();
  private readonly resolved = new Map<string, string>();
  private readonly services = new Map<string, Record<string, { requestType: { type: MessageDescriptor } }>>();

  constructor() {
    const definitions = loadFileDescriptorSetFromBuffer(readFileSync(descriptorSetPath), {});
    for (const [name, def] of Object.entries(definitions)) {
      const d = def as { format?: string; type?: unknown };
      if (d.format === 'Protocol Buffer 3 DescriptorProto')
        this.addMessage(name, d.type as MessageDescriptor);
      else if (d.format === 'Protocol Buffer 3 EnumDescriptorProto')
        this.enums.set(name, d.type as EnumDescriptor);
      else this.services.set(name, def as Record<string, { requestType: { type: MessageDescriptor } }>);
    }
  }

  private addMessage(name: string, type: MessageDescriptor): void {
    this.messages.set(name, type);
    for (const nested of type.nestedType ?? []) this.addMessage(`${name}.${nested.name}`, nested);
    for (const e of type.enumType ?? []) this.enums.set(`${name}.${e.name}`, e);
  }

  message(fullName: string): MessageDescriptor {
    const m = this.messages.get(fullName);
    if (!m) throw new Error(`no message ${fullName} in the descriptor set`);
    return m;
  }

  enumOf(fullName: string): EnumDescriptor {
    const e = this.enums.get(fullName);
    if (!e) throw new Error(`no enum ${fullName} in the descriptor set`);
    return e;
  }

  /**
   * Resolves a field's type name as protoc does: innermost scope first. Memoised: the fuzzer asks
   * for every field of every request, and answering it anew took most of the test's CPU, starving
   * the in-process services it fuzzes.
   */
  resolve(scope: string, typeName: string): string {
    if (typeName.startsWith('.')) return typeName.slice(1);
    const key = `${scope}|${typeName}`;
    const known = this.resolved.get(key);
    if (known !== undefined) return known;
    const parts = scope.split('.');
    for (let i = parts.length; i >= 0; i--) {
      const candidate = [...parts.slice(0, i), typeName].join('.');
      if (this.messages.has(candidate) || this.enums.has(candidate)) {
        this.resolved.set(key, candidate);
        return candidate;
      }
    }
    throw new Error(`cannot resolve ${typeName} from ${scope}`);
  }

  /** Every method of a generated ts-proto service definition, with its request type. */
  methodsOf(service: string, definition: grpc.ServiceDefinition): RpcMethod[] {
    const described = this.services.get(service);
    if (!described) throw new Error(`no service ${service} in the descriptor set`);
    return Object.values(definition).map((m) => {
      const method = m.path.slice(m.path.lastIndexOf('/') + 1);
      const request = described[method]?.requestType.type;
      if (!request) throw new Error(`no method ${m.path} in the descriptor set`);
      const pkg = service.slice(0, service.lastIndexOf('.'));
      return {
        label: `${service.split('.')[1]}/${method}`,
        path: m.path,
        requestStream: m.requestStream,
        responseStream: m.responseStream,
        requestType: this.resolve(pkg, request.name),
      };
    });
  }
}
