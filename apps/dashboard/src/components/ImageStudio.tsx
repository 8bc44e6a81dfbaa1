import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  AdFormatValues,
  CampaignResultsDocument,
  GenerateAdImagesDocument,
  type AdFormat,
  type AssetFieldsFragment,
  type CampaignFieldsFragment,
} from '../graphql/generated';
import { describeError } from '../lib/errors';
import { saveBlob } from '../lib/download';
import { createZip } from '../lib/zip';
import { useJobStream } from '../lib/use-job-stream';
import { hasRole, useSession } from '../lib/use-session';
import { useAnnounce } from '../lib/announcer';
import { slug } from './CopyStudio';
import { TextField } from './Field';
import { EmptyState, ErrorNotice } from './Notice';

const RESULTS_CONTEXT = { additionalTypenames: ['CopyVariant', 'Asset'] };

export const FORMAT_LABELS: Record<AdFormat, string> = {
  SQUARE: 'Square 1080×1080',
  PORTRAIT: 'Portrait 1080×1350',
  STORY: 'Story 1080×1920',
  LANDSCAPE: 'Landscape 1200×628',
  MEDIUM_RECTANGLE: 'Medium rectangle 300×250',
  LEADERBOARD: 'Leaderboard 728×90',
  WIDE_SKYSCRAPER: 'Wide skyscraper 160×600',
};

/** The steps an image job goes through, each with its share of the job's progress. */
const STEPS = [
  { label: 'Queued', until: 0 },
  { label: 'Painting the pictures', until: 0.7 },
  { label: 'Composing every format', until: 0.95 },
  { label: 'Saving files', until: 1 },
];

export function ImageStudio({ campaign }: { campaign: CampaignFieldsFragment }) {
  const session = useSession();
  const canEdit = hasRole(session, 'EDITOR');
  const [{ data, error }, refetch] = useQuery({ query: CampaignResultsDocument, variables: { id: campaign.id }, context: RESULTS_CONTEXT });
  const [generation, generate] = useMutation(GenerateAdImagesDocument);
  const [formats, setFormats] = useState<AdFormat[]>(['SQUARE', 'LANDSCAPE']);
  const [prompt, setPrompt] = useState('');
  const [headline, setHeadline] = useState('');
  const [subline, setSubline] = useState('');
  const [cta, setCta] = useState('Shop now');
  const [jobId, setJobId] = useState<string | null>(null);
  const stream = useJobStream(jobId);
  const announce = useAnnounce();
  const progressRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!stream.finished) return;
    refetch({ requestPolicy: 'network-only' });
    if (stream.status === 'SUCCEEDED') announce(`Images ready: ${formats.length} ${formats.length === 1 ? 'format' : 'formats'}.`);
    else announce(stream.status === 'FAILED' ? 'Image generation failed.' : 'Image generation was cancelled.');
  }, [stream.finished]); // runs once per finished stream, by design

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await generate({
      input: {
        brandId: campaign.brandId,
        campaignId: campaign.id,
        formats,
        prompt,
        headline,
        subline: subline || null,
        cta: cta || null,
        variants: 1,
      },
    });
    if (result.data) {
      rememberHeadline(result.data.generateAdImages.id, headline);
      setJobId(result.data.generateAdImages.id);
      announce('Generating images…');
    }
  };

  // "Generate images" is disabled while the job runs: focus moves to the job's progress, not <body>.
  useEffect(() => {
    if (jobId && stream.status && (document.activeElement === document.body || !document.activeElement)) progressRef.current?.focus();
  }, [jobId, stream.status]);

  const running = !!jobId && !stream.finished;
  const assets = data?.campaign.assets ?? [];
  return (
    <section className="panel" aria-labelledby="images-heading">
      <h2 id="images-heading">Images</h2>
      {canEdit && (
        <form onSubmit={submit} aria-label="Generate images">
          <fieldset>
            <legend>Formats</legend>
            <div className="checks">
              {AdFormatValues.map((format) => (
                <label key={format} className="check">
                  <input
                    type="checkbox"
                    checked={formats.includes(format)}
                    onChange={(e) => setFormats(e.target.checked ? [...formats, format] : formats.filter((f) => f !== format))}
                  />
                  {FORMAT_LABELS[format]}
                </label>
              ))}
            </div>
          </fieldset>
          <TextField
            label="Picture"
            required
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            hint="What the picture shows, e.g. “coffee beans on a warm wooden table”."
          />
          <TextField label="Headline on the image" required value={headline} onChange={(e) => setHeadline(e.target.value)} />
          <TextField label="Subline" value={subline} onChange={(e) => setSubline(e.target.value)} />
          <TextField label="Button text" value={cta} onChange={(e) => setCta(e.target.value)} />
          <button type="submit" disabled={generation.fetching || running || formats.length === 0}>
            {running ? 'Generating…' : 'Generate images'}
          </button>
        </form>
      )}
      <ErrorNotice message={describeError(generation.error ?? error)} />
      {jobId && stream.status && (
        <div className="image-progress" tabIndex={-1} ref={progressRef} role="group" aria-label="Image generation">
          <ImageProgress progress={stream.progress} status={stream.status} />
        </div>
      )}
      {stream.status === 'FAILED' && (
        <ErrorNotice message={`Image generation failed: ${stream.errorMessage ?? 'unknown error'}. Try again with fewer formats.`} />
      )}
      {assets.length > 0 ? (
        <Gallery assets={assets} campaignName={campaign.name} />
      ) : (
        !running && (
          <EmptyState title="No images yet">
            <p>
              Choose formats, describe the picture and its headline, then “Generate images”. Each picture is composed in every format with
              your palette, fonts and logo.
            </p>
          </EmptyState>
        )
      )}
    </section>
  );
}

function ImageProgress({ progress, status }: { progress: number; status: string }) {
  const done = status === 'SUCCEEDED';
  const current = done ? null : (STEPS.find((step) => progress < step.until) ?? STEPS[STEPS.length - 1]);
  return (
    <>
      <p className="job-status">
        {done
          ? 'Images ready.'
          : status === 'FAILED'
            ? 'Image generation stopped.'
            : status === 'QUEUED'
              ? 'Queued: waiting for a worker…'
              : `${current?.label ?? 'Working'}… ${Math.round(progress * 100)}%`}
      </p>
      <ol className="steps" aria-label="Image generation progress">
        {STEPS.map((step, i) => {
          const from = i === 0 ? 0 : STEPS[i - 1].until;
          const share =
            i === 0 ? (status === 'QUEUED' ? 0 : 1) : done ? 1 : Math.min(1, Math.max(0, (progress - from) / (step.until - from)));
          return (
            <li key={step.label}>
              <label>
                {step.label}
                <progress max={1} value={share} aria-label={step.label} />
              </label>
            </li>
          );
        })}
      </ol>
    </>
  );
}

/** The headline drawn into a job's images, kept on this device: assets do not carry it, alt text needs it. */
const HEADLINES_KEY = 'brandwright.image-headlines';

function rememberHeadline(jobId: string, headline: string): void {
  try {
    const all = JSON.parse(localStorage.getItem(HEADLINES_KEY) ?? '{}') as Record<string, string>;
    localStorage.setItem(HEADLINES_KEY, JSON.stringify({ ...all, [jobId]: headline }));
  } catch {
    /* storage full or off: alt text falls back to the format */
  }
}

function headlineOf(jobId: string): string | null {
  try {
    return (JSON.parse(localStorage.getItem(HEADLINES_KEY) ?? '{}') as Record<string, string>)[jobId] ?? null;
  } catch {
    return null;
  }
}

interface Creative {
  key: string;
  format: AdFormat;
  variant: number;
  png?: AssetFieldsFragment;
  webp?: AssetFieldsFragment;
  thumbnail?: AssetFieldsFragment;
}

function Gallery({ assets, campaignName }: { assets: AssetFieldsFragment[]; campaignName: string }) {
  const [zipProblem, setZipProblem] = useState<string | null>(null);
  const [zipping, setZipping] = useState(false);
  const creatives = new Map<string, Creative>();
  for (const asset of assets) {
    const key = `${asset.jobId}:${asset.variant}:${asset.format}`;
    const creative = creatives.get(key) ?? { key, format: asset.format, variant: asset.variant };
    if (asset.fileKind === 'PNG') creative.png = asset;
    else if (asset.fileKind === 'WEBP') creative.webp = asset;
    else creative.thumbnail = asset;
    creatives.set(key, creative);
  }
  const list = [...creatives.values()];
  const altText = (c: Creative) => {
    const headline = headlineOf(c.key.split(':')[0]);
    return `${FORMAT_LABELS[c.format]} creative ${c.variant + 1}${headline ? `, headline “${headline}”` : ''}`;
  };
  const fileName = (c: Creative, ext: string, i: number) =>
    `${slug(campaignName)}-${c.format.toLowerCase()}-${c.variant + 1}-${i + 1}.${ext}`;

  const downloadAll = async () => {
    setZipping(true);
    setZipProblem(null);
    try {
      const entries = await Promise.all(
        list.flatMap((c, i) =>
          [c.png, c.webp]
            .filter((a): a is AssetFieldsFragment => !!a)
            .map(async (a) => {
              const response = await fetch(a.url);
              if (!response.ok) throw new Error(`HTTP ${response.status}`);
              return { name: fileName(c, a.fileKind === 'PNG' ? 'png' : 'webp', i), data: new Uint8Array(await response.arrayBuffer()) };
            }),
        ),
      );
      saveBlob(new Blob([createZip(entries) as BlobPart], { type: 'application/zip' }), `${slug(campaignName)}-creatives.zip`);
    } catch {
      setZipProblem('Some files could not be downloaded: their links may have expired. Reload the page and try again.');
    } finally {
      setZipping(false);
    }
  };

  return (
    <>
      <div className="actions">
        <button type="button" className="secondary" onClick={downloadAll} disabled={zipping}>
          {zipping ? 'Preparing zip…' : `Download all (${list.length}) as zip`}
        </button>
      </div>
      <ErrorNotice message={zipProblem} />
      <ul className="gallery" aria-label="Creatives">
        {list.map((c, i) => {
          const preview = c.thumbnail ?? c.png ?? c.webp;
          const check = c.png?.brandCheckPassed ?? preview?.brandCheckPassed;
          const contrast = c.png?.minTextContrast ?? preview?.minTextContrast;
          return (
            <li key={c.key}>
              <figure>
                {preview && <img src={preview.url} alt={altText(c)} loading="lazy" width={preview.width} height={preview.height} />}
                <figcaption>
                  <strong>{FORMAT_LABELS[c.format]}</strong>
                  <div>
                    <span className={`badge ${check === false ? 'fail' : check ? 'pass' : 'info'}`}>
                      Brand check {check === false ? 'failed' : check ? 'passed' : 'not run'}
                    </span>
                    {contrast != null && (
                      <span className={`badge ${contrast >= 4.5 ? 'pass' : 'fail'}`}>Contrast {contrast.toFixed(1)}:1</span>
                    )}
                  </div>
                  <div className="actions">
                    {c.png && (
                      <a className="button secondary" href={c.png.url} download={fileName(c, 'png', i)}>
                        PNG<span className="visually-hidden"> of {FORMAT_LABELS[c.format]}</span>
                      </a>
                    )}
                    {c.webp && (
                      <a className="button secondary" href={c.webp.url} download={fileName(c, 'webp', i)}>
                        WebP<span className="visually-hidden"> of {FORMAT_LABELS[c.format]}</span>
                      </a>
                    )}
                  </div>
                </figcaption>
              </figure>
            </li>
          );
        })}
      </ul>
    </>
  );
}
