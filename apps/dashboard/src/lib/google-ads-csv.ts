/**
 * Approved copy as a CSV that Google Ads Editor imports (Account › Import › From file): one
 * responsive search ad per row, in Editor's column names. Editor takes up to 15 headlines, 4
 * descriptions and 2 path fields; copy of other channels goes in rows of their own with the
 * channel named, so nothing approved is lost on export.
 */
export interface ApprovedCopy {
  channel: string;
  text: string;
}

export interface AdsEditorOptions {
  campaign: string;
  adGroup: string;
  finalUrl: string;
}

const HEADLINES = 15;
const DESCRIPTIONS = 4;
const PATHS = 2;

export const ADS_EDITOR_COLUMNS = [
  'Campaign',
  'Ad group',
  'Ad type',
  ...Array.from({ length: HEADLINES }, (_, i) => `Headline ${i + 1}`),
  ...Array.from({ length: DESCRIPTIONS }, (_, i) => `Description ${i + 1}`),
  ...Array.from({ length: PATHS }, (_, i) => `Path ${i + 1}`),
  'Final URL',
  'Labels',
];

/** RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets do not run it. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function googleAdsEditorCsv(copy: ApprovedCopy[], options: AdsEditorOptions): string {
  const take = (channel: string, n: number) =>
    copy
      .filter((c) => c.channel === channel)
      .map((c) => c.text)
      .slice(0, n);
  const rows: string[][] = [];
  const headlines = take('GOOGLE_RSA_HEADLINE', HEADLINES);
  const descriptions = take('GOOGLE_RSA_DESCRIPTION', DESCRIPTIONS);
  const paths = take('GOOGLE_RSA_PATH', PATHS);
  const row = (cells: Record<string, string>) => ADS_EDITOR_COLUMNS.map((column) => cells[column] ?? '');
  if (headlines.length || descriptions.length || paths.length) {
    const cells: Record<string, string> = {
      Campaign: options.campaign,
      'Ad group': options.adGroup,
      'Ad type': 'Responsive search ad',
      'Final URL': options.finalUrl,
    };
    headlines.forEach((text, i) => (cells[`Headline ${i + 1}`] = text));
    descriptions.forEach((text, i) => (cells[`Description ${i + 1}`] = text));
    paths.forEach((text, i) => (cells[`Path ${i + 1}`] = text));
    rows.push(row(cells));
  }
  // Other channels: one row each, labelled, headline column holding the text.
  for (const item of copy) {
    if (item.channel.startsWith('GOOGLE_RSA_')) continue;
    rows.push(row({ Campaign: options.campaign, 'Ad group': options.adGroup, 'Headline 1': item.text, Labels: item.channel }));
  }
  return [ADS_EDITOR_COLUMNS, ...rows].map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
