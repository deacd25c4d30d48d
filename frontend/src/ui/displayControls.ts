// Viewer controls beside the drawing tools: window/level, presets, invert, length, slices, cine, and the readouts.
import { formatWindow, type Window, type WindowPreset } from '../viewer/windowing';
import { h } from './dom';

export interface DisplayEvents {
  onWindowLevelToggle(): void;
  onPreset(preset: WindowPreset): void;
  onInvert(on: boolean): void;
  onLengthToggle(): void;
  onSlice(step: number): void;
  onPlay(playing: boolean): void;
}

export interface DisplayOptions {
  /** Window presets to offer (the file's own windows, then the CT presets); none hides the grey controls. */
  presets: WindowPreset[];
  frameCount: number;
}

/** Cine frame rates offered (frames per second). */
export const FRAME_RATES = [5, 10, 15, 20, 30];

function button(text: string, attrs: Record<string, string | boolean>, onClick: () => void): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, text);
  b.addEventListener('click', onClick);
  return b;
}

function readout(name: string, testId: string): HTMLOutputElement {
  // A readout updated on every pointer move must not chatter in a screen reader: live regions off.
  return h('output', { class: 'readout', 'aria-label': name, 'aria-live': 'off', 'data-testid': testId }) as HTMLOutputElement;
}

export class DisplayControls {
  readonly el: HTMLElement;
  readonly readouts: HTMLElement;
  readonly pixelValue = readout('Pixel value', 'pixel-value');
  readonly slice = readout('Slice', 'slice');
  readonly windowText = readout('Window', 'window');
  readonly windowLevelButton: HTMLButtonElement;
  readonly lengthButton: HTMLButtonElement;
  readonly invertButton: HTMLButtonElement;
  readonly presetSelect: HTMLSelectElement;
  readonly playButton: HTMLButtonElement;
  readonly rateSelect: HTMLSelectElement;
  private playing = false;

  constructor(
    private readonly options: DisplayOptions,
    private readonly events: DisplayEvents,
  ) {
    const grey = options.presets.length > 0;
    const stack = options.frameCount > 1;
    this.windowLevelButton = button(
      'Window/level',
      { class: 'tool-button', 'aria-pressed': 'false', title: 'Window/level (W): drag right for a wider window, down for a higher centre', 'data-testid': 'tool-window-level' },
      () => events.onWindowLevelToggle(),
    );
    this.presetSelect = h('select', { 'aria-label': 'Window preset', 'data-testid': 'window-preset' });
    this.presetSelect.append(h('option', { value: '' }, 'Preset…'));
    options.presets.forEach((p, i) => this.presetSelect.append(h('option', { value: String(i) }, p.name)));
    this.presetSelect.addEventListener('change', () => {
      const preset = options.presets[Number(this.presetSelect.value)];
      if (preset && this.presetSelect.value !== '') events.onPreset(preset);
      this.presetSelect.blur();
    });
    this.invertButton = button('Invert', { class: 'tool-button', 'aria-pressed': 'false', title: 'Invert the display', 'data-testid': 'invert' }, () => {
      const on = this.invertButton.getAttribute('aria-pressed') !== 'true';
      this.invertButton.setAttribute('aria-pressed', String(on));
      events.onInvert(on);
    });
    this.lengthButton = button(
      'Length',
      { class: 'tool-button', 'aria-pressed': 'false', title: 'Length (D): drag a ruler', 'data-testid': 'tool-length' },
      () => events.onLengthToggle(),
    );
    const prev = button('▲', { class: 'icon-button', 'aria-label': 'Previous slice', title: 'Previous slice (ArrowUp, PageUp)', 'data-testid': 'slice-prev' }, () => events.onSlice(-1));
    const next = button('▼', { class: 'icon-button', 'aria-label': 'Next slice', title: 'Next slice (ArrowDown, PageDown)', 'data-testid': 'slice-next' }, () => events.onSlice(1));
    this.playButton = button('▶', { class: 'icon-button', 'aria-label': 'Play', 'aria-pressed': 'false', title: 'Play the slices as a cine loop', 'data-testid': 'cine-play' }, () =>
      this.setPlaying(!this.playing),
    );
    this.rateSelect = h('select', { 'aria-label': 'Frame rate', 'data-testid': 'cine-rate', title: 'Cine frame rate' });
    for (const fps of FRAME_RATES) this.rateSelect.append(h('option', { value: String(fps) }, `${fps} fps`));
    this.rateSelect.value = '10';
    this.rateSelect.addEventListener('change', () => {
      this.rateSelect.blur();
      if (this.playing) events.onPlay(true); // restart at the new rate
    });

    this.el = h(
      'span',
      { class: 'toolbar-group display-controls' },
      grey ? this.windowLevelButton : null,
      grey ? this.presetSelect : null,
      grey ? this.invertButton : null,
      this.lengthButton,
      stack ? h('span', { class: 'separator', 'aria-hidden': 'true' }) : null,
      stack ? prev : null,
      stack ? next : null,
      stack ? this.playButton : null,
      stack ? this.rateSelect : null,
    );
    this.readouts = h(
      'div',
      { class: 'readouts', 'aria-label': 'Readouts', role: 'group' },
      stack ? h('span', { class: 'readout-item' }, h('span', { class: 'muted' }, 'Slice '), this.slice) : null,
      grey ? h('span', { class: 'readout-item' }, h('span', { class: 'muted' }, 'Window '), this.windowText) : null,
      h('span', { class: 'readout-item' }, h('span', { class: 'muted' }, 'Value '), this.pixelValue),
    );
  }

  /** Offer one more preset (e.g. the data range, known once the first frame arrived). */
  addPreset(preset: WindowPreset): void {
    this.options.presets.push(preset);
    this.presetSelect.append(h('option', { value: String(this.options.presets.length - 1) }, preset.name));
  }

  /** Frames per second chosen for cine. */
  get frameRate(): number {
    return Number(this.rateSelect.value) || 10;
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  setPlaying(on: boolean): void {
    if (on === this.playing || (on && this.options.frameCount < 2)) return;
    this.playing = on;
    this.playButton.setAttribute('aria-pressed', String(on));
    this.playButton.textContent = on ? '❚❚' : '▶';
    this.playButton.title = on ? 'Pause the cine loop' : 'Play the slices as a cine loop';
    this.events.onPlay(on);
  }

  setWindowLevelActive(on: boolean): void {
    this.windowLevelButton.setAttribute('aria-pressed', String(on));
    this.windowLevelButton.classList.toggle('active', on);
  }

  setLengthActive(on: boolean): void {
    this.lengthButton.setAttribute('aria-pressed', String(on));
    this.lengthButton.classList.toggle('active', on);
  }

  showWindow(window: Window | null): void {
    this.windowText.textContent = window ? formatWindow(window) : '';
  }

  showSlice(frame: number, count: number): void {
    this.slice.textContent = `${frame + 1} / ${count}`;
  }

  showValue(text: string): void {
    this.pixelValue.textContent = text;
  }
}
