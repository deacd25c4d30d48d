// Tests for DZI descriptor parsing and the inline OpenSeadragon tile source.
// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { DZI_NAMESPACE, DziParseError, inlineTileSource, parseDzi, tilesUrlFor, versionQuery } from '../src/viewer/dzi';

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="jpeg" Overlap="1" TileSize="254"><Size Width="512" Height="384"/></Image>`;

describe('parseDzi', () => {
  it('reads format, overlap, tile size and image size', () => {
    expect(parseDzi(XML)).toEqual({
      xmlns: DZI_NAMESPACE,
      format: 'jpeg',
      overlap: 1,
      tileSize: 254,
      width: 512,
      height: 384,
    });
  });

  it('rejects non-XML and non-DZI documents', () => {
    expect(() => parseDzi('not xml at all <')).toThrow(DziParseError);
    expect(() => parseDzi('<html><body/></html>')).toThrow(DziParseError);
  });

  it('rejects missing or invalid sizes', () => {
    expect(() => parseDzi(`<Image xmlns="${DZI_NAMESPACE}" Format="png" Overlap="0" TileSize="256"/>`)).toThrow(/Size/);
    expect(() =>
      parseDzi(`<Image xmlns="${DZI_NAMESPACE}" Format="png" Overlap="0" TileSize="256"><Size Width="-5" Height="3"/></Image>`),
    ).toThrow(/Width/);
    expect(() =>
      parseDzi(`<Image xmlns="${DZI_NAMESPACE}" Format="../x" Overlap="0" TileSize="256"><Size Width="5" Height="3"/></Image>`),
    ).toThrow(/Format/);
  });
});

describe('inlineTileSource', () => {
  it('points OSD at the API tile URLs instead of <name>_files/', () => {
    const source = inlineTileSource(parseDzi(XML), tilesUrlFor(7));
    expect(source).toEqual({
      queryParams: '',
      Image: {
        xmlns: DZI_NAMESPACE,
        Url: '/api/v1/images/7/tiles/',
        Format: 'jpeg',
        Overlap: '1',
        TileSize: '254',
        Size: { Width: '512', Height: '384' },
      },
    });
    // OSD builds Url + level + "/" + col + "_" + row + "." + Format
    const { Url, Format } = source.Image;
    expect(`${Url}9/1_0.${Format}`).toBe('/api/v1/images/7/tiles/9/1_0.jpeg');
  });

  it("carries the image's derivatives version into every tile URL", () => {
    const query = versionQuery('http://example.org/api/v1/images/7/dzi?v=1764124800123');
    expect(query).toBe('?v=1764124800123');
    const source = inlineTileSource(parseDzi(XML), tilesUrlFor(7), query);
    const { Url, Format } = source.Image;
    expect(`${Url}9/1_0.${Format}${source.queryParams}`).toBe('/api/v1/images/7/tiles/9/1_0.jpeg?v=1764124800123');
  });

  it('ignores a missing or malformed version', () => {
    expect(versionQuery(null)).toBe('');
    expect(versionQuery('/api/v1/images/7/dzi')).toBe('');
    expect(versionQuery('/api/v1/images/7/dzi?v=1%26frame%3D2')).toBe('');
  });

  it('adds a trailing slash to the tiles URL', () => {
    expect(inlineTileSource(parseDzi(XML), '/tiles').Image.Url).toBe('/tiles/');
  });
});
