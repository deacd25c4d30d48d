// Pure: the export form's values → the API's {format, options} body, with the mistakes people make named.

export const EXPORT_FORMATS: { value: string; label: string }[] = [
  { value: 'coco', label: 'COCO (JSON, boxes, polygons, masks)' },
  { value: 'yolo', label: 'YOLO (text labels)' },
  { value: 'voc', label: 'Pascal VOC (XML)' },
  { value: 'mask_png', label: 'PNG masks' },
  { value: 'nifti', label: 'NIfTI volumes and label maps' },
  { value: 'dicom_seg', label: 'DICOM SEG' },
  { value: 'nnunet', label: 'nnU-Net (dataset.json, imagesTr/labelsTr)' },
  { value: 'decathlon', label: 'Medical Decathlon (MONAI datalist)' },
  { value: 'csv', label: 'CSV (one row per annotation)' },
  { value: 'native', label: 'Native JSON (re-importable)' },
];

export interface ExportForm {
  format: string;
  onlyAccepted: boolean;
  includeImages: boolean;
  frames: 'all' | 'annotated';
  splitBy: '' | 'patient' | 'site';
  train: number;
  val: number;
  test: number;
  holdout: string;
  folds: number;
  seed: number;
  version: string;
}

export type ExportBody = { format: string; options: Record<string, unknown> };

/** The request body, or the list of problems to show instead of sending it. */
export function exportBody(form: ExportForm): { body: ExportBody } | { problems: string[] } {
  const problems: string[] = [];
  const options: Record<string, unknown> = { only_accepted: form.onlyAccepted, include_images: form.includeImages };
  // Options left at the server's defaults are not sent: a server that does not know them yet still exports.
  if (form.frames !== 'all') options.frames = form.frames;
  if (form.version) options.version = Number(form.version);
  if (form.splitBy) {
    const parts = [form.train, form.val, form.test];
    if (parts.some((p) => !Number.isFinite(p) || p < 0 || p > 1)) problems.push('Train, validation and test are fractions between 0 and 1.');
    else if (Math.abs(parts.reduce((a, b) => a + b, 0) - 1) > 1e-6) problems.push('Train, validation and test must add up to 1.');
    if (!Number.isInteger(form.folds) || form.folds < 0 || form.folds === 1 || form.folds > 20) {
      problems.push('Folds is 0 (none) or a whole number from 2 to 20.');
    }
    const holdout = form.holdout
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (holdout.length > 0 && form.splitBy !== 'site') problems.push('Hold-out sites need the split by site.');
    const split: Record<string, unknown> = { train: form.train, val: form.val, test: form.test, by: form.splitBy, seed: form.seed };
    if (holdout.length > 0) split.holdout = holdout;
    if (form.folds >= 2) split.folds = form.folds;
    options.split = split;
  }
  return problems.length > 0 ? { problems } : { body: { format: form.format, options } };
}
