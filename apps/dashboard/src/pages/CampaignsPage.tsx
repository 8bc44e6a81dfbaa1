import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  BrandsDocument,
  CampaignObjectiveValues,
  CampaignsDocument,
  CreateCampaignDocument,
  type CampaignObjective,
  type Channel,
} from '../graphql/generated';
import { BRAND_LIST, CAMPAIGN_LIST } from '../lib/typenames';
import { describeError, errorField } from '../lib/errors';
import { channelLabel } from '../lib/channels';
import { Link, navigate, useLocation } from '../lib/router';
import { hasRole, useSession } from '../lib/use-session';
import { TextArea, TextField } from '../components/Field';
import { ChannelPicker } from '../components/ChannelPicker';
import { EmptyState, ErrorNotice, Loading } from '../components/Notice';

export function CampaignsPage() {
  const session = useSession();
  const { query } = useLocation();
  const brandId = query.get('brand');
  const [brands] = useQuery({ query: BrandsDocument, variables: { first: 50 }, context: BRAND_LIST });
  const [{ data, fetching, error }] = useQuery({
    query: CampaignsDocument,
    variables: { first: 50, filter: brandId ? { brandId } : null },
    context: CAMPAIGN_LIST,
  });
  const [creating, setCreating] = useState(false);
  const canEdit = hasRole(session, 'EDITOR');
  const campaigns = data?.campaigns.nodes ?? [];
  const brandList = brands.data?.brands.nodes ?? [];
  const brandName = (id: string) => brandList.find((b) => b.id === id)?.name ?? 'Unknown brand';

  return (
    <section>
      <div className="page-head">
        <h1>Campaigns</h1>
        {canEdit && brandList.length > 0 && !creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New campaign
          </button>
        )}
      </div>
      <ErrorNotice message={describeError(error ?? brands.error)} />
      {(fetching || brands.fetching) && !data && <Loading what="campaigns" />}
      {brands.data && brandList.length === 0 && (
        <EmptyState title="Create a brand first">
          <p>
            A campaign writes in a brand’s voice. <Link href="/brands">Create your first brand</Link>, then come back here.
          </p>
        </EmptyState>
      )}
      {creating && <NewCampaignForm brands={brandList} defaultBrandId={brandId} onCancel={() => setCreating(false)} />}
      {data && campaigns.length === 0 && brandList.length > 0 && !creating && (
        <EmptyState title="No campaigns yet">
          <p>A campaign is a brief and the channels it runs on. Choose “New campaign” to write your first brief.</p>
        </EmptyState>
      )}
      {campaigns.length > 0 && (
        <ul className="cards" aria-label="Campaigns">
          {campaigns.map((c) => (
            <li key={c.id} className="card">
              <h2>
                <Link href={`/campaigns/${c.id}`}>{c.name}</Link>
              </h2>
              <p className="muted">
                {brandName(c.brandId)} · {c.objective.toLowerCase().replace('_', ' ')} · {c.status.toLowerCase()}
              </p>
              <p>{c.channels.map(channelLabel).join(', ') || 'No channels chosen'}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewCampaignForm({
  brands,
  defaultBrandId,
  onCancel,
}: {
  brands: Array<{ id: string; name: string }>;
  defaultBrandId: string | null;
  onCancel: () => void;
}) {
  const [{ fetching, error }, createCampaign] = useMutation(CreateCampaignDocument);
  const [name, setName] = useState('');
  const [brandId, setBrandId] = useState(defaultBrandId ?? brands[0]?.id ?? '');
  const [objective, setObjective] = useState<CampaignObjective>('TRAFFIC');
  const [channels, setChannels] = useState<Channel[]>(['GOOGLE_RSA_HEADLINE', 'GOOGLE_RSA_DESCRIPTION']);
  const [brief, setBrief] = useState('');
  const field = errorField(error);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await createCampaign({ input: { name, brandId, objective, channels, brief } });
    if (result.data) navigate(`/campaigns/${result.data.createCampaign.id}`);
  };

  return (
    <form className="panel" onSubmit={submit} aria-label="New campaign">
      <h2>New campaign</h2>
      <TextField
        label="Campaign name"
        autoFocus
        required
        value={name}
        onChange={(e) => setName(e.target.value)}
        invalid={field === 'name'}
        errorId="new-campaign-error"
      />
      <div className="field">
        <label htmlFor="campaign-brand">Brand</label>
        <select id="campaign-brand" value={brandId} onChange={(e) => setBrandId(e.target.value)}>
          {brands.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="campaign-objective">Objective</label>
        <select id="campaign-objective" value={objective} onChange={(e) => setObjective(e.target.value as CampaignObjective)}>
          {CampaignObjectiveValues.map((o) => (
            <option key={o} value={o}>
              {o.charAt(0) + o.slice(1).toLowerCase().replace('_', ' ')}
            </option>
          ))}
        </select>
      </div>
      <ChannelPicker value={channels} onChange={setChannels} />
      <TextArea
        label="Brief"
        rows={5}
        value={brief}
        onChange={(e) => setBrief(e.target.value)}
        invalid={field === 'brief'}
        errorId="new-campaign-error"
        hint="The offer, who it is for, and the one thing the reader should do. Facts here are what the copy may claim."
      />
      <ErrorNotice message={describeError(error)} id="new-campaign-error" />
      <div className="actions">
        <button type="submit" disabled={fetching || !brandId}>
          Create campaign
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
