import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  BrandDocument,
  DeleteBrandDocument,
  HeadlineCaseValues,
  UpdateBrandDocument,
  type BrandFieldsFragment,
  type HeadlineCase,
  type LogoInput,
} from '../graphql/generated';
import { describeError, errorField } from '../lib/errors';
import { fetchBlob } from '../lib/client';
import { fileToBase64, LOGO_MAX_BYTES, LOGO_TYPES } from '../lib/files';
import { Link, navigate } from '../lib/router';
import { keepSubmitterFocus } from '../lib/focus';
import { sessionStore } from '../lib/session';
import { hasRole, useSession } from '../lib/use-session';
import { TermList, TextArea, TextField } from '../components/Field';
import { ErrorNotice, Loading, SuccessNotice } from '../components/Notice';
import { TryVoice } from '../components/TryVoice';

type Draft = Omit<BrandFieldsFragment, 'id' | 'updatedAt' | 'logoMimeType'>;

const FONTS = ['Inter', 'Georgia', 'Helvetica', 'Arial', 'Merriweather', 'Playfair Display', 'Roboto', 'Source Sans 3'];

export function BrandPage({ id }: { id: string }) {
  const [{ data, fetching, error }] = useQuery({ query: BrandDocument, variables: { id } });
  if (error) {
    return (
      <section>
        <h1>Brand</h1>
        <ErrorNotice message={describeError(error)} />
        <Link href="/brands">Back to brands</Link>
      </section>
    );
  }
  if (fetching || !data) return <Loading what="the brand" />;
  return <BrandEditor brand={data.brand} key={data.brand.id} />;
}

function BrandEditor({ brand }: { brand: BrandFieldsFragment }) {
  const session = useSession();
  const canEdit = hasRole(session, 'EDITOR');
  const [{ fetching, error }, updateBrand] = useMutation(UpdateBrandDocument);
  const [, deleteBrand] = useMutation(DeleteBrandDocument);
  const [draft, setDraft] = useState<Draft>(() => toDraft(brand));
  const [logo, setLogo] = useState<LogoInput | null | undefined>(undefined); // undefined: unchanged
  const [logoProblem, setLogoProblem] = useState<string | null>(null);
  const [logoUrl, setLogoUrl] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const field = errorField(error);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setSaved(false);
  };

  useEffect(() => {
    if (!brand.logoMimeType) return setLogoUrl(null);
    let url: string | null = null;
    fetchBlob(sessionStore, `/brands/${brand.id}/logo`)
      .then((blob) => setLogoUrl((url = URL.createObjectURL(blob))))
      .catch(() => setLogoUrl(null));
    return () => {
      if (url) URL.revokeObjectURL(url);
    };
  }, [brand.id, brand.logoMimeType, brand.updatedAt]);

  const chooseLogo = async (file: File | undefined) => {
    setLogoProblem(null);
    if (!file) return;
    if (!LOGO_TYPES.includes(file.type)) return setLogoProblem('The logo must be a PNG, JPEG, WebP or SVG file.');
    if (file.size > LOGO_MAX_BYTES)
      return setLogoProblem('The logo must be 1 MB or smaller. Export a smaller version and choose it again.');
    setLogo({ base64: await fileToBase64(file), mimeType: file.type });
    setLogoUrl(URL.createObjectURL(file));
    setSaved(false);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const refocus = keepSubmitterFocus(event);
    const toneTraits = draft.toneTraits.filter((t) => t.weAre.trim() || t.weAreNot.trim());
    const result = await updateBrand({
      input: {
        id: brand.id,
        ...draft,
        toneTraits,
        styleRules: { ...draft.styleRules },
        headingFont: draft.headingFont || null,
        bodyFont: draft.bodyFont || null,
        ...(logo !== undefined ? { logo } : {}),
      },
    });
    if (result.data) {
      setSaved(true);
      setLogo(undefined);
    }
    refocus();
  };

  const remove = async () => {
    if (!confirm(`Delete ${brand.name} and all its campaigns? This cannot be undone.`)) return;
    const result = await deleteBrand({ id: brand.id });
    if (result.data) navigate('/brands');
  };

  return (
    <section>
      <div className="page-head">
        <h1>{draft.name || brand.name}</h1>
        <Link href={`/campaigns?brand=${brand.id}`}>Campaigns for this brand</Link>
      </div>
      <form onSubmit={save} aria-label="Brand voice" className="editor">
        <fieldset disabled={!canEdit}>
          <section className="panel" aria-labelledby="voice-heading">
            <h2 id="voice-heading">Voice</h2>
            <TextField
              label="Brand name"
              required
              value={draft.name}
              onChange={(e) => set('name', e.target.value)}
              invalid={field === 'name'}
              errorId="brand-error"
            />
            <TextArea
              label="Description"
              rows={3}
              value={draft.description}
              onChange={(e) => set('description', e.target.value)}
              hint="What the brand does and why it matters."
            />
            <TextArea
              label="Audience"
              rows={2}
              value={draft.audience}
              onChange={(e) => set('audience', e.target.value)}
              hint="Who reads the copy: their job, their worries, what they already know."
            />
            <fieldset className="pairs">
              <legend>We are … but we are not …</legend>
              {draft.toneTraits.map((trait, i) => (
                <div className="pair" key={i}>
                  <TextField
                    label={`We are (${i + 1})`}
                    value={trait.weAre}
                    onChange={(e) =>
                      set(
                        'toneTraits',
                        draft.toneTraits.map((t, j) => (j === i ? { ...t, weAre: e.target.value } : t)),
                      )
                    }
                    invalid={field?.startsWith(`toneTraits.${i}`)}
                    errorId="brand-error"
                  />
                  <TextField
                    label={`We are not (${i + 1})`}
                    value={trait.weAreNot}
                    onChange={(e) =>
                      set(
                        'toneTraits',
                        draft.toneTraits.map((t, j) => (j === i ? { ...t, weAreNot: e.target.value } : t)),
                      )
                    }
                  />
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Remove pair ${i + 1}`}
                    onClick={() =>
                      set(
                        'toneTraits',
                        draft.toneTraits.filter((_, j) => j !== i),
                      )
                    }
                  >
                    Remove
                  </button>
                </div>
              ))}
              <button
                type="button"
                className="secondary"
                onClick={() => set('toneTraits', [...draft.toneTraits, { weAre: '', weAreNot: '' }])}
              >
                Add a pair
              </button>
            </fieldset>
            <TermList
              label="Preferred terms"
              hint="Words to use where they fit."
              value={draft.preferredTerms}
              onChange={(v) => set('preferredTerms', v)}
            />
            <TermList
              label="Required terms"
              hint="Every variant must contain one of these."
              value={draft.requiredTerms}
              onChange={(v) => set('requiredTerms', v)}
            />
            <TermList
              label="Banned terms"
              hint="Never written, enforced while generating."
              value={draft.bannedTerms}
              onChange={(v) => set('bannedTerms', v)}
            />
          </section>

          <section className="panel" aria-labelledby="style-heading">
            <h2 id="style-heading">Style rules</h2>
            <div className="checks">
              {(['contractions', 'emoji', 'exclamationMarks', 'oxfordComma'] as const).map((rule) => (
                <label key={rule} className="check">
                  <input
                    type="checkbox"
                    checked={draft.styleRules[rule]}
                    onChange={(e) => set('styleRules', { ...draft.styleRules, [rule]: e.target.checked })}
                  />
                  {STYLE_LABELS[rule]}
                </label>
              ))}
            </div>
            <div className="field">
              <label htmlFor="headline-case">Headline case</label>
              <select
                id="headline-case"
                value={draft.styleRules.headlineCase}
                onChange={(e) => set('styleRules', { ...draft.styleRules, headlineCase: e.target.value as HeadlineCase })}
              >
                {HeadlineCaseValues.map((c) => (
                  <option key={c} value={c}>
                    {c === 'ANY' ? 'Any' : c === 'SENTENCE' ? 'Sentence case' : 'Title Case'}
                  </option>
                ))}
              </select>
            </div>
            <TextField
              label="Highest reading grade"
              type="number"
              min={1}
              max={20}
              step={0.5}
              value={draft.styleRules.targetReadingGrade ?? ''}
              onChange={(e) =>
                set('styleRules', { ...draft.styleRules, targetReadingGrade: e.target.value === '' ? null : Number(e.target.value) })
              }
              hint="Flesch–Kincaid grade; 8 reads easily for most adults. Leave empty for no limit."
            />
            <TextArea
              label="Example copy"
              rows={5}
              value={draft.exampleCopy.join('\n\n')}
              onChange={(e) =>
                set(
                  'exampleCopy',
                  e.target.value
                    .split(/\n\s*\n/)
                    .map((s) => s.trim())
                    .filter(Boolean),
                )
              }
              hint="Copy you are proud of. Separate examples with a blank line."
            />
          </section>

          <section className="panel" aria-labelledby="look-heading">
            <h2 id="look-heading">Look</h2>
            <fieldset className="palette">
              <legend>Palette</legend>
              <small className="hint">Primary colour first. Images use these colours; text on them keeps 4.5:1 contrast.</small>
              {draft.palette.map((hex, i) => (
                <div className="row" key={i}>
                  <label className="visually-hidden" htmlFor={`colour-${i}`}>
                    Colour {i + 1}
                  </label>
                  <input
                    id={`colour-${i}`}
                    type="color"
                    value={hex}
                    onChange={(e) =>
                      set(
                        'palette',
                        draft.palette.map((h, j) => (j === i ? e.target.value : h)),
                      )
                    }
                  />
                  <code>{hex}</code>
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Remove colour ${hex}`}
                    onClick={() =>
                      set(
                        'palette',
                        draft.palette.filter((_, j) => j !== i),
                      )
                    }
                  >
                    Remove
                  </button>
                </div>
              ))}
              {draft.palette.length < 8 && (
                <button type="button" className="secondary" onClick={() => set('palette', [...draft.palette, '#1f6feb'])}>
                  Add a colour
                </button>
              )}
            </fieldset>
            <datalist id="fonts">
              {FONTS.map((f) => (
                <option key={f} value={f} />
              ))}
            </datalist>
            <TextField
              label="Heading font"
              list="fonts"
              value={draft.headingFont ?? ''}
              onChange={(e) => set('headingFont', e.target.value)}
            />
            <TextField label="Body font" list="fonts" value={draft.bodyFont ?? ''} onChange={(e) => set('bodyFont', e.target.value)} />
            <div className="field">
              <label htmlFor="logo">Logo</label>
              {logoUrl && <img className="logo-preview" src={logoUrl} alt={`${brand.name} logo`} />}
              <input
                id="logo"
                type="file"
                accept={LOGO_TYPES.join(',')}
                onChange={(e) => chooseLogo(e.target.files?.[0])}
                aria-describedby="logo-hint"
              />
              <small id="logo-hint" className="hint">
                PNG, JPEG, WebP or SVG, up to 1 MB. A transparent background works best.
              </small>
              {(brand.logoMimeType || logo) && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => {
                    setLogo(null);
                    setLogoUrl(null);
                  }}
                >
                  Remove logo
                </button>
              )}
              <ErrorNotice message={logoProblem} />
            </div>
          </section>
        </fieldset>
        <ErrorNotice message={describeError(error)} id="brand-error" />
        {saved && <SuccessNotice>Brand saved.</SuccessNotice>}
        {canEdit && (
          <div className="actions sticky">
            <button type="submit" disabled={fetching}>
              {fetching ? 'Saving…' : 'Save brand'}
            </button>
            <button type="button" className="danger" onClick={remove}>
              Delete brand
            </button>
          </div>
        )}
      </form>
      <TryVoice brandId={brand.id} />
    </section>
  );
}

const STYLE_LABELS = {
  contractions: 'Contractions (we’re, you’ll)',
  emoji: 'Emoji',
  exclamationMarks: 'Exclamation marks',
  oxfordComma: 'Oxford comma',
} as const;

// Picks fields one by one: urql adds __typename to every object it fetches, and an input type
// would refuse it.
function toDraft(brand: BrandFieldsFragment): Draft {
  const r = brand.styleRules;
  return {
    name: brand.name,
    description: brand.description,
    audience: brand.audience,
    toneTraits: brand.toneTraits.length
      ? brand.toneTraits.map((t) => ({ weAre: t.weAre, weAreNot: t.weAreNot }))
      : [{ weAre: '', weAreNot: '' }],
    preferredTerms: [...brand.preferredTerms],
    requiredTerms: [...brand.requiredTerms],
    bannedTerms: [...brand.bannedTerms],
    styleRules: {
      contractions: r.contractions,
      emoji: r.emoji,
      exclamationMarks: r.exclamationMarks,
      headlineCase: r.headlineCase,
      oxfordComma: r.oxfordComma,
      targetReadingGrade: r.targetReadingGrade,
    },
    exampleCopy: [...brand.exampleCopy],
    palette: [...brand.palette],
    headingFont: brand.headingFont,
    bodyFont: brand.bodyFont,
  };
}
