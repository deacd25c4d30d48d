// A label's attribute schema read from the wire, and values checked by the server's rules before they are sent.
import type { Label } from '../api/types';

export type AttributeType = 'text' | 'number' | 'bool' | 'choice';

export interface AttributeSpec {
  readonly name: string;
  readonly type: AttributeType;
  readonly required: boolean;
  /** Only for `choice`: the allowed values. */
  readonly choices: readonly string[];
}

const TYPES: readonly string[] = ['text', 'number', 'bool', 'choice'];

/**
 * The label's attribute specs. The server validated the schema when the label was saved
 * (annotator/projects/services.py); entries that still do not fit are skipped rather than guessed at.
 */
export function attributeSpecs(label: Pick<Label, 'attributes'>): AttributeSpec[] {
  const specs: AttributeSpec[] = [];
  for (const raw of label.attributes ?? []) {
    if (typeof raw !== 'object' || raw === null) continue;
    const item = raw as Record<string, unknown>;
    if (typeof item.name !== 'string' || !item.name.trim() || typeof item.type !== 'string' || !TYPES.includes(item.type)) {
      continue;
    }
    const choices = Array.isArray(item.choices) ? item.choices.filter((c): c is string => typeof c === 'string') : [];
    specs.push({ name: item.name, type: item.type as AttributeType, required: item.required === true, choices });
  }
  return specs;
}

export function hasAttributes(label: Pick<Label, 'attributes'>): boolean {
  return attributeSpecs(label).length > 0;
}

export function hasRequiredAttributes(label: Pick<Label, 'attributes'>): boolean {
  return attributeSpecs(label).some((s) => s.required);
}

export interface AttributeCheck {
  /** The cleaned values: numbers as numbers, booleans as booleans, empty optional values left out. */
  readonly values: Record<string, unknown>;
  /** Per attribute name, what is wrong; empty when the server would accept `values`. */
  readonly errors: Record<string, string>;
}

/** Blank means "not given": null, undefined and text that is only whitespace. */
function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** A plain decimal number ("12", "-3.5", "1e3"); not "0x10", "Infinity" or "" which Number() would take. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (!DECIMAL.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function cleanOne(spec: AttributeSpec, value: unknown): { value: unknown } | { error: string } {
  switch (spec.type) {
    case 'text':
      return typeof value === 'string' ? { value } : { error: 'must be text' };
    case 'number': {
      const n = parseNumber(value);
      return n === null ? { error: 'must be a number' } : { value: n };
    }
    case 'bool':
      if (typeof value === 'boolean') return { value };
      if (value === 'true' || value === 'false') return { value: value === 'true' };
      return { error: 'must be yes or no' };
    case 'choice':
      return typeof value === 'string' && spec.choices.includes(value)
        ? { value }
        : { error: `must be one of ${spec.choices.join(', ')}` };
  }
}

/**
 * Check values against the label's schema with the rules of annotator/annotations/attributes.py: no unknown
 * names, text is a string, numbers are finite numbers (not booleans), booleans are booleans, a choice is one of
 * its choices, every required attribute is present. Stricter in one way: blank text counts as missing.
 */
export function validateAttributes(label: Pick<Label, 'attributes'>, values: Readonly<Record<string, unknown>>): AttributeCheck {
  const specs = attributeSpecs(label);
  const known = new Set(specs.map((s) => s.name));
  const clean: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const name of Object.keys(values)) {
    if (!known.has(name)) errors[name] = 'is not an attribute of this label';
  }
  for (const spec of specs) {
    const value = values[spec.name];
    if (isBlank(value)) {
      if (spec.required) errors[spec.name] = 'is required';
      continue;
    }
    const result = cleanOne(spec, value);
    if ('error' in result) errors[spec.name] = result.error;
    else clean[spec.name] = result.value;
  }
  return { values: clean, errors };
}
