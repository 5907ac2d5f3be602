import { HttpError } from '../errors.ts';

// The one vocabulary every dialect checks client JSON with. Three ways to refuse, all a 400:
// `reject(where, expected)` ("<where> must be <expected>"), `missing(where)` ("<where> is required")
// and `badRequest(message)` for the rest; `requireBody` for the body itself. On top of them, small
// combinators: a validator looks at one value, knows where it sits (`messages[2].content`), and
// returns a normalised copy or refuses naming that place.

/** Checks one value found at `where` and returns it normalised, or throws a 400 that names `where`. */
export type Validator<T> = (value: unknown, where: string) => T;

/** Refuses a request with a 400 that says what is wrong with it. */
export function badRequest(message: string): never {
  throw new HttpError(400, message);
}

/** Refuses a value of the wrong kind: "<where> must be <expected>". */
export function reject(where: string, expected: string): never {
  return badRequest(`${where} must be ${expected}`);
}

/** Refuses a request that lacks a field: "<where> is required". */
export function missing(where: string): never {
  return badRequest(`${where} is required`);
}

/** The body of a request that must have one: a JSON object. */
export function requireBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return badRequest('missing request body');
  return isPlainObject(body) ? body : badRequest('request body must be a JSON object');
}

/** True for a JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A validator that passes values satisfying `test` and describes them as `expected` otherwise. */
export function accept<T>(test: (value: unknown) => value is T, expected: string): Validator<T> {
  return (value, where) => (test(value) ? value : reject(where, expected));
}

// Not named `then`: a module exporting `then` is a thenable, which `await import()` would try to call.
/** Runs `first`, then refines or transforms its result with `next`. */
export function refine<A, B>(first: Validator<A>, next: (value: A, where: string) => B): Validator<B> {
  return (value, where) => next(first(value, where), where);
}

// Go's decoder leaves a field unset for both a missing key and `null`, so both count as absent here.
function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** Lets the value be absent (missing or null), giving undefined. */
export function optional<T>(check: Validator<T>): Validator<T | undefined> {
  return (value, where) => (isAbsent(value) ? undefined : check(value, where));
}

/** Replaces an absent value with a fresh default (a factory, so callers may mutate what they get). */
export function withDefault<T>(check: Validator<T>, fallback: () => T): Validator<T> {
  return (value, where) => (isAbsent(value) ? fallback() : check(value, where));
}

/** Demands a value: absent (or an empty string) gives "<where> is required". */
export function required<T>(check: Validator<T>): Validator<T> {
  return (value, where) => {
    if (isAbsent(value) || value === '') missing(where);
    return check(value, where);
  };
}

/** An array whose items each pass `item`, reported as `where[i]`. */
export function arrayOf<T>(item: Validator<T>): Validator<T[]> {
  return (value, where) => {
    if (!Array.isArray(value)) return reject(where, 'an array');
    return value.map((entry, index) => item(entry, `${where}[${index}]`));
  };
}

type Shape = Record<string, Validator<unknown>>;
type Parsed<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

/** Names a field for error messages; top-level fields (where '') go by their bare key. */
export function joinPath(where: string, key: string): string {
  return where === '' ? key : `${where}.${key}`;
}

/**
 * An object whose listed fields each pass their validator. Unlisted fields are dropped (Ollama
 * ignores unknown fields) and so are fields that come out undefined, so the result never carries
 * `undefined`-valued keys.
 */
export function objectOf<S extends Shape>(shape: S, nameField = joinPath): Validator<Parsed<S>> {
  return (value, where) => {
    if (!isPlainObject(value)) return reject(where, 'an object');
    const result: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const checked = check(value[key], nameField(where, key));
      if (checked !== undefined) result[key] = checked;
    }
    return result as Parsed<S>;
  };
}

// The JSON primitives, worded for messages like "stream must be a boolean".

/** A string. */
export const aString: Validator<string> = accept((v): v is string => typeof v === 'string', 'a string');
/** A boolean. */
export const aBoolean: Validator<boolean> = accept((v): v is boolean => typeof v === 'boolean', 'a boolean');
/** A finite number. */
export const aNumber: Validator<number> = accept(
  (v): v is number => typeof v === 'number' && Number.isFinite(v),
  'a number',
);
/** A JSON object (not an array). */
export const anObject: Validator<Record<string, unknown>> = accept(isPlainObject, 'an object');

/** An embeddings request's inputs: a string or a list of strings (none when absent or empty), named `field` in the error. */
export function inputsFrom(value: unknown, field: string): string[] {
  if (value === undefined || value === '') return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return badRequest(`invalid input type: ${field} must be a string or an array of strings`);
}
