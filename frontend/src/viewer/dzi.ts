// Parses a DZI XML descriptor and builds the inline OpenSeadragon tile source for our tile URLs.

export const DZI_NAMESPACE = 'http://schemas.microsoft.com/deepzoom/2008';

export interface DziInfo {
  xmlns: string;
  format: string;
  overlap: number;
  tileSize: number;
  width: number;
  height: number;
}

/**
 * Inline DZI tile source; OSD builds tile URLs as Url + level + "/" + col + "_" + row + "." + Format + queryParams
 * (OSD merges the object's top-level keys into the tile source's options).
 */
export interface InlineDziSource {
  queryParams: string;
  Image: {
    xmlns: string;
    Url: string;
    Format: string;
    Overlap: string;
    TileSize: string;
    Size: { Width: string; Height: string };
  };
}

export class DziParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DziParseError';
  }
}

function intAttr(el: Element, name: string, min: number): number {
  const raw = el.getAttribute(name);
  const value = raw === null ? NaN : Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new DziParseError(`DZI descriptor has an invalid ${name}: ${raw ?? 'missing'}`);
  }
  return value;
}

export function parseDzi(xml: string): DziInfo {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const root = doc.documentElement;
  if (!root || doc.getElementsByTagName('parsererror').length > 0 || root.localName !== 'Image') {
    throw new DziParseError('The image descriptor is not valid DZI XML.');
  }
  const size = Array.from(root.children).find((c) => c.localName === 'Size');
  if (!size) throw new DziParseError('DZI descriptor has no <Size> element.');
  const format = (root.getAttribute('Format') ?? '').trim().toLowerCase();
  if (!/^[a-z0-9]+$/.test(format)) throw new DziParseError('DZI descriptor has an invalid Format.');
  return {
    xmlns: root.namespaceURI || DZI_NAMESPACE,
    format,
    overlap: intAttr(root, 'Overlap', 0),
    tileSize: intAttr(root, 'TileSize', 1),
    width: intAttr(size, 'Width', 1),
    height: intAttr(size, 'Height', 1),
  };
}

/** Tiles live at /api/v1/images/{id}/tiles/{level}/{col}_{row}.{format}. */
export function tilesUrlFor(imageId: number): string {
  return `/api/v1/images/${imageId}/tiles/`;
}

/**
 * The version query ("?v=...") of an image's dzi_url, which its tile URLs carry too: after re-processing the
 * URLs change, so the browser fetches the new tiles instead of serving cached ones. Empty when there is none.
 */
export function versionQuery(dziUrl: string | null | undefined): string {
  if (!dziUrl) return '';
  const version = new URL(dziUrl, 'http://host.invalid').searchParams.get('v');
  return version && /^\d+$/.test(version) ? `?v=${version}` : '';
}

export function inlineTileSource(info: DziInfo, tilesUrl: string, query = ''): InlineDziSource {
  return {
    queryParams: query,
    Image: {
      xmlns: info.xmlns,
      Url: tilesUrl.endsWith('/') ? tilesUrl : `${tilesUrl}/`,
      Format: info.format,
      Overlap: String(info.overlap),
      TileSize: String(info.tileSize),
      Size: { Width: String(info.width), Height: String(info.height) },
    },
  };
}
