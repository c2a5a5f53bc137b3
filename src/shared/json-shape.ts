// Minimal structural checks for JSON documents (the --config file), reporting the JSON path
// of the first problem, e.g. `$.sqs.queues[2].name: expected a string`.

export class ShapeError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'ShapeError';
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function expectObject(value: unknown, path: string, allowedKeys?: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ShapeError(path, 'expected an object');
  const obj = value as Record<string, unknown>;
  if (allowedKeys) {
    for (const key of Object.keys(obj)) {
      if (!allowedKeys.includes(key)) throw new ShapeError(`${path}.${key}`, `unknown key (expected one of: ${allowedKeys.join(', ')})`);
    }
  }
  return obj;
}

export function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(path, 'expected an array');
  return value;
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new ShapeError(path, 'expected a string');
  return value;
}

export function expectBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new ShapeError(path, 'expected true or false');
  return value;
}

export function expectInteger(value: unknown, path: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ShapeError(path, 'expected an integer');
  if (value < min || value > max) throw new ShapeError(path, `expected an integer in [${min}, ${max}]`);
  return value;
}

/** An object whose values are all strings (attributes, tags, topic configs). */
export function expectStringMap(value: unknown, path: string): Record<string, string> {
  const obj = expectObject(value, path);
  for (const [k, v] of Object.entries(obj)) expectString(v, `${path}.${k}`);
  return obj as Record<string, string>;
}

export function optional<T>(obj: Record<string, unknown>, key: string, path: string, read: (v: unknown, p: string) => T): T | undefined {
  return obj[key] === undefined ? undefined : read(obj[key], `${path}.${key}`);
}
