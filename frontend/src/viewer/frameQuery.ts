// The tile query of one frame of a tiled stack (pure, so tests need not load OpenSeadragon).

/** The query of frame n's tiles: the version query plus `frame=n` (frame 0 keeps the plain URLs). */
export function frameQuery(versionQuery: string, frame: number): string {
  if (frame === 0) return versionQuery;
  return versionQuery ? `${versionQuery}&frame=${frame}` : `?frame=${frame}`;
}
