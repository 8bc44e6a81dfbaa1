import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  BrandDocument,
  CampaignDocument,
  CampaignResultsDocument,
  CampaignStatusValues,
  UpdateCampaignDocument,
  type CampaignFieldsFragment,
  type CampaignStatus,
  type Channel,
} from '../graphql/generated';
import { describeError, errorField } from '../lib/errors';
import { Link } from '../lib/router';
import { keepSubmitterFocus } from '../lib/focus';
import { hasRole, useSession } from '../lib/use-session';
import { TextArea, TextField } from '../components/Field';
import { ChannelPicker } from '../components/ChannelPicker';
import { ErrorNotice, Loading, SuccessNotice } from '../components/Notice';
import { CopyStudio } from '../components/CopyStudio';
import { ImageStudio } from '../components/ImageStudio';

const RESULTS_CONTEXT = { additionalTypenames: ['CopyVariant', 'Asset'] };

export function CampaignPage({ id }: { id: string }) {
  const [{ data, error }] = useQuery({ query: CampaignDocument, variables: { id } });
  // The copy and images load with the page (the studios share this query), so the page appears
  // once, whole, instead of showing "No copy yet" and then jumping when the results arrive.
  const [results] = useQuery({ query: CampaignResultsDocument, variables: { id }, context: RESULTS_CONTEXT });
  if (error) {
    return (
      <section>
        <h1>Campaign</h1>
        <ErrorNotice message={describeError(error)} />
        <Link href="/campaigns">Back to campaigns</Link>
      </section>
    );
  }
  if (!data || (!results.data && !results.error)) return <Loading what="the campaign" />;
  return <Campaign campaign={data.campaign} key={data.campaign.id} />;
}

function Campaign({ campaign }: { campaign: CampaignFieldsFragment }) {
  const session = useSession();
  const canEdit = hasRole(session, 'EDITOR');
  const [brand] = useQuery({ query: BrandDocument, variables: { id: campaign.brandId } });
  const [{ fetching, error }, updateCampaign] = useMutation(UpdateCampaignDocument);
  const [name, setName] = useState(campaign.name);
  const [brief, setBrief] = useState(campaign.brief);
  const [channels, setChannels] = useState<Channel[]>([...campaign.channels]);
  const [status, setStatus] = useState<CampaignStatus>(campaign.status);
  const [saved, setSaved] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const refocus = keepSubmitterFocus(event);
    const result = await updateCampaign({ input: { id: campaign.id, name, brief, channels, status } });
    setSaved(!!result.data);
    refocus();
  };

  return (
    <section>
      <h1>{campaign.name}</h1>
      {/* On its own line from the first render (named once the brand loads), so nothing below moves. */}
      <p className="page-sub">
        <Link href={`/brands/${campaign.brandId}`}>{brand.data ? `Brand: ${brand.data.brand.name}` : 'Brand'}</Link>
      </p>
      <details className="panel" open={!campaign.brief}>
        <summary>
          <h2>Brief and channels</h2>
        </summary>
        <form onSubmit={save} aria-label="Campaign brief">
          <fieldset disabled={!canEdit}>
            <TextField
              label="Campaign name"
              required
              value={name}
              onChange={(e) => (setName(e.target.value), setSaved(false))}
              invalid={errorField(error) === 'name'}
              errorId="campaign-error"
            />
            <TextArea
              label="Brief"
              rows={5}
              value={brief}
              onChange={(e) => (setBrief(e.target.value), setSaved(false))}
              invalid={errorField(error) === 'brief'}
              errorId="campaign-error"
            />
            <ChannelPicker value={channels} onChange={(c) => (setChannels(c), setSaved(false))} />
            <div className="field">
              <label htmlFor="campaign-status">Status</label>
              <select id="campaign-status" value={status} onChange={(e) => (setStatus(e.target.value as CampaignStatus), setSaved(false))}>
                {CampaignStatusValues.map((s) => (
                  <option key={s} value={s}>
                    {s.charAt(0) + s.slice(1).toLowerCase()}
                  </option>
                ))}
              </select>
            </div>
          </fieldset>
          <ErrorNotice message={describeError(error)} id="campaign-error" />
          {saved && <SuccessNotice>Campaign saved.</SuccessNotice>}
          {canEdit && (
            <button type="submit" disabled={fetching}>
              Save campaign
            </button>
          )}
        </form>
      </details>
      <CopyStudio campaign={{ ...campaign, name, channels }} />
      <ImageStudio campaign={campaign} />
    </section>
  );
}
