/**
 * What ids, names and label values a request may carry. Everything that becomes a Prometheus label
 * passes through here: a charset and a length limit keep labels bounded and free of request text.
 */

/** Run, trial and study ids: what trainers and the tuner generate (UUIDs, ULIDs, slugs). */
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
/** Metric names, as MetricPoint documents them. */
const NAME = /^[a-z_][a-z0-9_]{0,63}$/;
/** Layer and parameter-group names: tf.js layer names and PyTorch-style dotted paths. */
const LABEL = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}$/;

export const isValidId = (id: string): boolean => ID.test(id);
export const isValidName = (name: string): boolean => NAME.test(name);
export const isValidLabel = (label: string): boolean => LABEL.test(label);

export const ID_RULE = '1-64 characters [A-Za-z0-9_.:-], starting with a letter or digit';
export const NAME_RULE = '1-64 characters [a-z0-9_], not starting with a digit';
export const LABEL_RULE = '1-128 characters [A-Za-z0-9_.:/-], starting with a letter, digit or _';
