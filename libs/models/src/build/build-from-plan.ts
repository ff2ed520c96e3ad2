import * as tf from '@tensorflow/tfjs';
import { INPUT_NODE, type ModelPlan } from '../plan';
import { createLayer } from './layer-factory';

/** Instantiates a plan as a functional tf.LayersModel (weights allocated, all zeros). */
export function modelFromPlan(plan: ModelPlan): tf.LayersModel {
  const input = tf.input({ shape: [...plan.inputShape], dtype: plan.inputDtype, name: INPUT_NODE });
  const outputs = new Map<string, tf.SymbolicTensor>([[INPUT_NODE, input]]);
  for (const node of plan.nodes) {
    const layer = createLayer(node.className, { ...node.args, name: node.name });
    const inbound = node.inputs.map((n) => outputs.get(n)!);
    const out = layer.apply(inbound.length === 1 ? inbound[0] : inbound) as tf.SymbolicTensor;
    outputs.set(node.name, out);
  }
  const last = plan.nodes[plan.nodes.length - 1];
  return tf.model({ inputs: input, outputs: outputs.get(last.name)!, name: plan.name });
}
