// The attributes form: a modal dialog with one field per attribute of a label, resolving valid values or null.
import type { Label } from '../api/types';
import { attributeSpecs, validateAttributes, type AttributeSpec } from '../core/attributes';
import { h } from './dom';
import { openModal } from './modal';

export { validateAttributes } from '../core/attributes';

type Field = HTMLInputElement | HTMLSelectElement;

interface Row {
  readonly spec: AttributeSpec;
  readonly field: Field;
  readonly error: HTMLElement;
}

let counter = 0;

function buildField(spec: AttributeSpec, initial: unknown, id: string): Field {
  const common = { id, name: spec.name, 'aria-required': spec.required ? 'true' : null };
  switch (spec.type) {
    case 'bool': {
      const box = h('input', { ...common, type: 'checkbox' });
      box.checked = initial === true;
      return box;
    }
    case 'number': {
      const input = h('input', { ...common, type: 'number', step: 'any', inputmode: 'decimal' });
      if (typeof initial === 'number' && Number.isFinite(initial)) input.value = String(initial);
      return input;
    }
    case 'choice': {
      // An empty first option: a required choice is picked on purpose, never by default.
      const select = h('select', common, h('option', { value: '' }, spec.required ? 'Choose…' : '—'));
      for (const c of spec.choices) select.appendChild(h('option', { value: c }, c));
      select.value = typeof initial === 'string' && spec.choices.includes(initial) ? initial : '';
      return select;
    }
    case 'text': {
      const input = h('input', { ...common, type: 'text', autocomplete: 'off' });
      if (typeof initial === 'string') input.value = initial;
      return input;
    }
  }
}

function buildRow(spec: AttributeSpec, initial: unknown): { row: Row; el: HTMLElement } {
  counter += 1;
  const id = `attr-${counter}`;
  const field = buildField(spec, initial, id);
  const error = h('p', { id: `${id}-error`, class: 'field-error', hidden: true });
  field.setAttribute('aria-describedby', error.id);
  // A field the user changes is no longer marked wrong until the next Save checks it again.
  const clear = () => {
    field.removeAttribute('aria-invalid');
    error.hidden = true;
    error.textContent = '';
  };
  field.addEventListener('input', clear);
  field.addEventListener('change', clear);
  // The asterisk stays outside the <label> so the field's accessible name is exactly the attribute's name.
  const mark = spec.required ? h('span', { class: 'required-mark', 'aria-hidden': 'true', title: 'required' }, ' *') : null;
  const label = h('label', { for: id }, spec.name);
  const el =
    spec.type === 'bool'
      ? h('div', { class: 'form-row form-row-check' }, field, label, mark, error)
      : h('div', { class: 'form-row' }, label, mark, field, error);
  return { row: { spec, field, error }, el };
}

/** What a field holds, before validation; a number field the browser could not parse says so. */
function rawValue(row: Row): unknown {
  const { field } = row;
  if (field instanceof HTMLInputElement && field.type === 'checkbox') return field.checked;
  if (field instanceof HTMLInputElement && field.type === 'number' && field.validity?.badInput) return 'not a number';
  return field.value;
}

function showErrors(rows: readonly Row[], errors: Record<string, string>): void {
  for (const { spec, field, error } of rows) {
    const message = errors[spec.name];
    error.hidden = !message;
    error.textContent = message ? `${spec.name} ${message}.` : '';
    if (message) field.setAttribute('aria-invalid', 'true');
    else field.removeAttribute('aria-invalid');
  }
}

/**
 * Ask for a label's attributes. Resolves the cleaned values on "Save" (only when the server would accept them:
 * see validateAttributes), or null on "Cancel" or Escape. Enter in a field saves; errors stay in the form.
 * Values in `initial` for names the label no longer has are left out of the result.
 */
export function openAttributesForm(
  host: HTMLElement,
  label: Label,
  initial: Record<string, unknown>,
  opts: { title?: string } = {},
): Promise<Record<string, unknown> | null> {
  const specs = attributeSpecs(label);
  const built = specs.map((spec) => buildRow(spec, initial[spec.name]));
  const rows = built.map((b) => b.row);
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const summary = h('p', { class: 'form-summary', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'attributes-form', novalidate: true },
    ...built.map((b) => b.el),
    specs.length === 0 ? h('p', { class: 'muted' }, 'This label has no attributes.') : null,
    summary,
    h('div', { class: 'form-actions' }, save, cancel),
  );
  return new Promise((resolve) => {
    const modal = openModal(host, opts.title ?? `Attributes — ${label.name}`, () => finish(null), form);
    function finish(result: Record<string, unknown> | null): void {
      modal.close();
      resolve(result);
    }
    cancel.addEventListener('click', () => finish(null));
    const tidy = () => {
      if (!form.querySelector('[aria-invalid=true]')) summary.hidden = true;
    };
    form.addEventListener('input', tidy);
    form.addEventListener('change', tidy);
    // Enter in any field saves (browsers submit only from text-like inputs by themselves).
    form.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || e.isComposing || !rows.some((r) => r.field === e.target)) return;
      e.preventDefault();
      form.requestSubmit(save);
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const raw = Object.fromEntries(rows.map((r) => [r.spec.name, rawValue(r)]));
      const { values, errors } = validateAttributes(label, raw);
      showErrors(rows, errors);
      const wrong = rows.filter((r) => errors[r.spec.name]);
      if (wrong.length === 0) {
        finish(values);
        return;
      }
      summary.hidden = false;
      summary.textContent = wrong.length === 1 ? 'One field needs a fix.' : `${wrong.length} fields need a fix.`;
      wrong[0]!.field.focus();
    });
  });
}
