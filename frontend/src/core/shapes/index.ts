// The shape model's public surface: kinds, adapter, RLE, masks, hit-testing and edits.
export * from './model';
export * from './adapter';
export * from './rle';
export * from './mask';
export * from './hit';
export * from './edit';
