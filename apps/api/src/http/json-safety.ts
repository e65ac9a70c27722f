/**
 * Checks a parsed JSON body before anything else sees it: strings must be well-formed Unicode
 * without NUL or other C0 control characters (PostgreSQL's jsonb refuses NUL and lone surrogates,
 * and they have no business in an audit record), and nesting and sizes stay bounded.
 * Returns the first offending path, or null.
 */
export interface JsonSafetyLimits {
  readonly maxDepth: number;
  readonly maxKeysPerObject: number;
  readonly maxArrayLength: number;
  readonly maxStringLength: number;
}

export const DEFAULT_JSON_LIMITS: JsonSafetyLimits = {
  maxDepth: 12,
  maxKeysPerObject: 200,
  maxArrayLength: 1_000,
  maxStringLength: 20_000,
};

// C0 controls except TAB, LF and CR; lone surrogates (well-formedness).
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface JsonSafetyViolation {
  readonly path: string;
  readonly reason: string;
  /** `text`: an unsafe string; `shape`: nesting or size beyond the limits. */
  readonly kind: 'text' | 'shape';
}

export function checkJsonSafety(value: unknown, limits: JsonSafetyLimits = DEFAULT_JSON_LIMITS): JsonSafetyViolation | null {
  const visit = (v: unknown, path: string, depth: number): JsonSafetyViolation | null => {
    if (typeof v === 'string') return checkString(v, path, limits);
    if (v === null || typeof v !== 'object') return null;
    if (depth > limits.maxDepth) return { path, reason: `nesting deeper than ${limits.maxDepth} levels`, kind: 'shape' };
    if (Array.isArray(v)) {
      if (v.length > limits.maxArrayLength) return { path, reason: `array longer than ${limits.maxArrayLength}`, kind: 'shape' };
      for (let i = 0; i < v.length; i++) {
        const bad = visit(v[i], `${path}[${i}]`, depth + 1);
        if (bad) return bad;
      }
      return null;
    }
    const keys = Object.keys(v);
    if (keys.length > limits.maxKeysPerObject) return { path, reason: `more than ${limits.maxKeysPerObject} properties`, kind: 'shape' };
    for (const key of keys) {
      const childPath = path ? `${path}.${key}` : key;
      const badKey = checkString(key, childPath, limits);
      if (badKey) return { ...badKey, path: childPath, reason: `property name: ${badKey.reason}` };
      const bad = visit((v as Record<string, unknown>)[key], childPath, depth + 1);
      if (bad) return bad;
    }
    return null;
  };
  return visit(value, '', 0);
}

function checkString(s: string, path: string, limits: JsonSafetyLimits): JsonSafetyViolation | null {
  if (s.length > limits.maxStringLength) return { path, reason: `string longer than ${limits.maxStringLength} characters`, kind: 'shape' };
  if (CONTROL.test(s)) return { path, reason: 'contains a NUL or control character', kind: 'text' };
  if (LONE_SURROGATE.test(s)) return { path, reason: 'is not well-formed Unicode (lone surrogate)', kind: 'text' };
  return null;
}
