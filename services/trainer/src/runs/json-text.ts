/**
 * JSON text of a proto3 JSON value (ts-proto's `toJSON`). NaN and ±Infinity (a diverged loss) are
 * written as proto3 JSON writes them, "NaN", "Infinity" and "-Infinity", where JSON.stringify would
 * write null; ts-proto's `fromJSON` reads them back through Number().
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
  );
}
