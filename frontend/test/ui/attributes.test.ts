// Attribute validation by the server's rules (cases shared with the pytest parity test) and the attributes form.
// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { Label } from '../../src/api/types';
import { attributeSpecs, hasRequiredAttributes } from '../../src/core/attributes';
import { openAttributesForm, validateAttributes } from '../../src/ui/attributesForm';
import casesText from '../fixtures/attributeCases.json?raw';

interface Case {
  name: string;
  input: Record<string, unknown>;
  browser: { ok: boolean; values?: Record<string, unknown>; errors?: string[] };
  server_accepts_input: boolean;
}
const shared = JSON.parse(casesText) as { schema: unknown[]; cases: Case[] };

const lesion: Label = { id: 3, name: 'Lesion', color: '#ff0000', kind: 'bbox', hotkey: null, attributes: shared.schema };

describe('validateAttributes (shared cases with tests/annotator/test_attributes_parity.py)', () => {
  it.each(shared.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { values, errors } = validateAttributes(lesion, c.input);
    if (c.browser.ok) {
      expect(errors).toEqual({});
      expect(values).toEqual(c.browser.values);
    } else {
      expect(Object.keys(errors).sort()).toEqual([...(c.browser.errors ?? [])].sort());
    }
    // What the server refuses as it is gets through only after the browser changed it into something else.
    if (!c.server_accepts_input && Object.keys(errors).length === 0) expect(values).not.toEqual(c.input);
  });

  it('names the problem in words a person reads', () => {
    const { errors } = validateAttributes(lesion, { grade: 'G9', size: 'big', reader: '' });
    expect(errors).toEqual({ grade: 'must be one of G1, G2, G3', size: 'must be a number', reader: 'is required' });
  });

  it('reads the schema from the wire and skips entries that do not fit', () => {
    const specs = attributeSpecs({ attributes: [...shared.schema, { name: '', type: 'text' }, 'x', { name: 'q', type: 'date' }] });
    expect(specs.map((s) => `${s.name}:${s.type}:${s.required}`)).toEqual([
      'grade:choice:true',
      'size:number:false',
      'note:text:false',
      'malignant:bool:false',
      'reader:text:true',
    ]);
    expect(hasRequiredAttributes(lesion)).toBe(true);
    expect(hasRequiredAttributes({ attributes: [{ name: 'n', type: 'text', required: false }] })).toBe(false);
  });
});

function dialog(): HTMLElement {
  const el = document.querySelector<HTMLElement>('[role=dialog]');
  if (!el) throw new Error('no dialog open');
  return el;
}

/** The field whose <label> text is `name` (the accessible name a screen reader and Playwright use). */
function field(name: string): HTMLInputElement & HTMLSelectElement {
  const label = [...dialog().querySelectorAll('label')].find((l) => l.textContent === name);
  if (!label) throw new Error(`no field named ${name}`);
  return document.getElementById(label.htmlFor) as HTMLInputElement & HTMLSelectElement;
}

function button(name: string): HTMLButtonElement {
  const b = [...dialog().querySelectorAll('button')].find((x) => x.textContent === name);
  if (!b) throw new Error(`no button ${name}`);
  return b;
}

function key(target: Element, k: string, shift = false): KeyboardEvent {
  const e = new KeyboardEvent('keydown', { key: k, shiftKey: shift, bubbles: true, cancelable: true });
  target.dispatchEvent(e);
  return e;
}

describe('openAttributesForm', () => {
  afterEach(() => document.body.replaceChildren());

  it('is a modal dialog named after the label with one field of the right kind per attribute', () => {
    void openAttributesForm(document.body, lesion, {});
    const d = dialog();
    expect(d.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById(d.getAttribute('aria-labelledby')!)!.textContent).toBe('Attributes — Lesion');
    expect(field('grade').tagName).toBe('SELECT');
    expect([...field('grade').options].map((o) => o.value)).toEqual(['', 'G1', 'G2', 'G3']);
    expect(field('size').type).toBe('number');
    expect(field('note').type).toBe('text');
    expect(field('malignant').type).toBe('checkbox');
    expect(field('grade').getAttribute('aria-required')).toBe('true');
    expect(field('reader').getAttribute('aria-required')).toBe('true');
    expect(field('note').hasAttribute('aria-required')).toBe(false);
    expect(document.activeElement).toBe(field('grade'));
  });

  it('takes a custom title', () => {
    void openAttributesForm(document.body, lesion, {}, { title: 'Tag attributes' });
    expect(dialog().querySelector('h2')!.textContent).toBe('Tag attributes');
  });

  it('shows errors per field instead of closing, then resolves the cleaned values', async () => {
    const done = openAttributesForm(document.body, lesion, { note: 'old', colour: 'dropped' });
    expect(field('note').value).toBe('old');
    button('Save').click();
    expect(dialog().isConnected).toBe(true);
    expect(field('grade').getAttribute('aria-invalid')).toBe('true');
    expect(field('reader').getAttribute('aria-invalid')).toBe('true');
    expect(field('size').hasAttribute('aria-invalid')).toBe(false);
    const message = document.getElementById(field('grade').getAttribute('aria-describedby')!)!;
    expect(message.hidden).toBe(false);
    expect(message.textContent).toBe('grade is required.');
    expect(document.activeElement).toBe(field('grade'));

    field('grade').value = 'G2';
    field('grade').dispatchEvent(new Event('change', { bubbles: true }));
    expect(field('grade').hasAttribute('aria-invalid')).toBe(false);
    expect(message.hidden).toBe(true);
    expect(dialog().querySelector<HTMLElement>('.form-summary')!.hidden).toBe(false); // reader is still wrong
    field('size').value = '4.5';
    field('reader').value = 'Dr A';
    field('malignant').checked = true;
    button('Save').click();
    await expect(done).resolves.toEqual({ grade: 'G2', size: 4.5, note: 'old', malignant: true, reader: 'Dr A' });
    expect(document.querySelector('[role=dialog]')).toBeNull();
  });

  it('fills fields from the initial values', () => {
    void openAttributesForm(document.body, lesion, { grade: 'G3', size: 7, malignant: true, reader: 'B' });
    expect(field('grade').value).toBe('G3');
    expect(field('size').value).toBe('7');
    expect(field('malignant').checked).toBe(true);
    expect(field('reader').value).toBe('B');
  });

  it('Cancel and Escape resolve null and give focus back', async () => {
    const opener = document.body.appendChild(document.createElement('button'));
    opener.focus();
    const cancelled = openAttributesForm(document.body, lesion, {});
    button('Cancel').click();
    await expect(cancelled).resolves.toBeNull();
    expect(document.activeElement).toBe(opener);

    const escaped = openAttributesForm(document.body, lesion, {});
    const e = key(field('note'), 'Escape');
    await expect(escaped).resolves.toBeNull();
    expect(e.defaultPrevented).toBe(true);
    expect(document.querySelector('[role=dialog]')).toBeNull();
  });

  it('Enter in a field saves', async () => {
    const done = openAttributesForm(document.body, lesion, { reader: 'C' });
    field('grade').value = 'G1';
    key(field('grade'), 'Enter');
    await expect(done).resolves.toEqual({ grade: 'G1', malignant: false, reader: 'C' });
  });

  it('traps focus: Tab from the last control goes to the first, Shift+Tab from the first to the last', () => {
    void openAttributesForm(document.body, lesion, {});
    const cancel = button('Cancel');
    cancel.focus();
    expect(key(cancel, 'Tab').defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(field('grade'));
    key(field('grade'), 'Tab', true);
    expect(document.activeElement).toBe(cancel);
  });

  it('keeps its keys from the page shortcuts', () => {
    let heard = 0;
    document.addEventListener('keydown', () => (heard += 1));
    void openAttributesForm(document.body, lesion, {});
    key(field('note'), 'b');
    expect(heard).toBe(0);
  });

  it('never parses names as HTML', () => {
    const label: Label = { ...lesion, name: '<img src=x onerror=alert(1)>', attributes: [{ name: '<b>x</b>', type: 'text', required: false }] };
    void openAttributesForm(document.body, label, {});
    expect(dialog().querySelector('img, b')).toBeNull();
    expect(field('<b>x</b>').type).toBe('text');
  });
});
