// Label colours: the label's own "#rrggbb", else the colour-blind-safe Okabe–Ito palette in label order.

/** Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency. */
export const OKABE_ITO = [
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#009E73', // bluish green
  '#F0E442', // yellow
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#CC79A7', // reddish purple
  '#000000', // black
] as const;

const HEX = /^#[0-9a-fA-F]{6}$/;

/** The colour to draw a label in; `index` is the label's position in the project's label list. */
export function labelColor(label: { color?: string | null }, index: number): string {
  if (label.color && HEX.test(label.color)) return label.color;
  return OKABE_ITO[((index % OKABE_ITO.length) + OKABE_ITO.length) % OKABE_ITO.length]!;
}

/** "#rrggbb" → [r, g, b] (0–255). */
export function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
