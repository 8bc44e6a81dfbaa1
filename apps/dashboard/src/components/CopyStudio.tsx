import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  ApproveVariantDocument,
  CampaignResultsDocument,
  GenerateCopyDocument,
  RejectVariantDocument,
  type CampaignFieldsFragment,
  type Channel,
  type VariantFieldsFragment,
} from '../graphql/generated';
import { channelCharacters, channelLabel, channelLimit } from '../lib/channels';
import { describeError } from '../lib/errors';
import { describeJobFailure } from '../lib/job-errors';
import { googleAdsEditorCsv } from '../lib/google-ads-csv';
import { saveBlob } from '../lib/download';
import { useJobStream } from '../lib/use-job-stream';
import { hasRole, useSession } from '../lib/use-session';
import { useAnnounce } from '../lib/announcer';
import { CopyButton } from './CopyButton';
import { CharacterCounter, VoiceReportBadges } from './VoiceReportBadges';
import { splitBySpans, voiceSpans } from '../lib/voice-spans';
import { PromptCutsNote } from './PromptCutsNote';
import { EmptyState, ErrorNotice } from './Notice';

const RESULTS_CONTEXT = { additionalTypenames: ['CopyVariant', 'Asset'] };

/** Copy per channel: generate (text streams in live), review against the voice, approve, export. */
export function CopyStudio({ campaign }: { campaign: CampaignFieldsFragment }) {
  const [{ data, error }, refetch] = useQuery({ query: CampaignResultsDocument, variables: { id: campaign.id }, context: RESULTS_CONTEXT });
  const variants = data?.campaign.variants ?? [];
  const approved = variants.filter((v) => v.status === 'APPROVED');

  const exportCsv = () => {
    const csv = googleAdsEditorCsv(
      approved.map((v) => ({ channel: v.channel, text: v.text })),
      { campaign: campaign.name, adGroup: campaign.name, finalUrl: '' },
    );
    saveBlob(new Blob([csv], { type: 'text/csv;charset=utf-8' }), `${slug(campaign.name)}-google-ads-editor.csv`);
  };

  return (
    <section className="panel" aria-labelledby="copy-heading">
      <div className="page-head">
        <h2 id="copy-heading">Copy</h2>
        <button type="button" className="secondary" onClick={exportCsv} disabled={approved.length === 0}>
          Export approved copy (Google Ads Editor CSV)
        </button>
      </div>
      <ErrorNotice message={describeError(error)} />
      {campaign.channels.length === 0 && (
        <EmptyState title="No channels chosen">
          <p>Open “Brief and channels” above, tick the channels this campaign runs on, and save.</p>
        </EmptyState>
      )}
      {campaign.channels.map((channel) => (
        <ChannelCopy
          key={channel}
          campaign={campaign}
          channel={channel}
          variants={variants.filter((v) => v.channel === channel)}
          loaded={!!data}
          onFinished={() => refetch({ requestPolicy: 'network-only' })}
        />
      ))}
    </section>
  );
}

function ChannelCopy({
  campaign,
  channel,
  variants,
  loaded,
  onFinished,
}: {
  campaign: CampaignFieldsFragment;
  channel: Channel;
  variants: VariantFieldsFragment[];
  loaded: boolean;
  onFinished: () => void;
}) {
  const session = useSession();
  const canEdit = hasRole(session, 'EDITOR');
  const [{ fetching, error }, generate] = useMutation(GenerateCopyDocument);
  const [jobId, setJobId] = useState<string | null>(null);
  const [isDemo, setIsDemo] = useState(false);
  const stream = useJobStream(jobId);
  const limit = channelLimit(channel);
  const headingId = `channel-${channel}`;
  const announce = useAnnounce();
  const statusRef = useRef<HTMLParagraphElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  // The variants there were when "Generate" was pressed; focus goes to the first new one.
  const focusNewAfter = useRef<Set<string> | null>(null);

  useEffect(() => {
    if (!stream.finished) return;
    onFinished();
    const label = channelLabel(channel);
    const written = stream.streams.filter(Boolean).length;
    if (stream.status === 'SUCCEEDED') announce(`${written} ${written === 1 ? 'variant' : 'variants'} written for ${label}.`);
    else announce(describeJobFailure(stream.status, stream.errorCode, stream.errorMessage) ?? `Writing ${label} ended.`);
    if (stream.status !== 'SUCCEEDED') focusNewAfter.current = null;
  }, [stream.finished]); // runs once per finished stream, by design

  useEffect(() => {
    const before = focusNewAfter.current;
    const first = before && variants.find((v) => !before.has(v.id));
    if (!first) return;
    focusNewAfter.current = null;
    // Only when focus has nowhere better to be: on the job's status, or lost to <body>.
    const active = document.activeElement;
    if (active && active !== document.body && active !== statusRef.current) return;
    listRef.current?.querySelector<HTMLElement>(`[data-variant-id="${first.id}"]`)?.focus();
  }, [variants]);

  const start = async () => {
    const result = await generate({
      input: { brandId: campaign.brandId, campaignId: campaign.id, channel, brief: campaign.brief || campaign.name, variants: 3 },
    });
    if (result.data) {
      focusNewAfter.current = new Set(variants.map((v) => v.id));
      setJobId(result.data.generateCopy.id);
      setIsDemo(result.data.generateCopy.isDemo);
      announce(`Writing ${channelLabel(channel)}…`);
    }
  };

  const running = !!jobId && !stream.finished;
  // The button is disabled while the job runs, so focus moves to the job's status instead of <body>.
  useEffect(() => {
    if (running && (document.activeElement === document.body || document.activeElement === null)) statusRef.current?.focus();
  });

  return (
    <section className="channel" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {channelLabel(channel)} <span className="muted">· up to {limit} characters</span>
      </h3>
      {canEdit && (
        <button type="button" onClick={start} disabled={fetching || running}>
          {running ? 'Writing…' : variants.length ? 'Write more variants' : 'Generate copy'}
          <span className="visually-hidden"> for {channelLabel(channel)}</span>
        </button>
      )}
      <ErrorNotice message={describeError(error)} />
      <ErrorNotice message={describeJobFailure(stream.status, stream.errorCode, stream.errorMessage)} />
      {running && (
        // Not a live region: the text grows word by word; the page's announcer says start and end once.
        <div role="group" aria-label={`Writing ${channelLabel(channel)}`} aria-busy="true">
          <p className="job-status" tabIndex={-1} ref={statusRef}>
            Writing {channelLabel(channel)}… {Math.round(stream.progress * 100)}%
          </p>
          <progress max={1} value={stream.progress} aria-label="Progress" />
          <ul className="variants" aria-label="Streaming variants">
            {stream.streams.map((text, i) => (
              <li key={i} className="variant streaming" data-testid="streaming-variant">
                <p className="variant-text">{text}</p>
                <CharacterCounter count={channelCharacters(text)} limit={limit} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {isDemo && jobId && <p className="muted">Written by the built-in demo model (random weights): install a real model for real copy.</p>}
      {variants.length > 0 ? (
        <ul className="variants" aria-label={`${channelLabel(channel)} variants`} ref={listRef}>
          {variants.map((v) => (
            <VariantCard key={v.id} variant={v} limit={limit} canEdit={canEdit} />
          ))}
        </ul>
      ) : !loaded ? (
        <p className="muted">Loading copy…</p>
      ) : (
        !running && <p className="muted">No copy yet. Choose “Generate copy” to write three variants from the brief.</p>
      )}
    </section>
  );
}

export function VariantCard({ variant, limit, canEdit }: { variant: VariantFieldsFragment; limit: number | null; canEdit: boolean }) {
  const [approveState, approve] = useMutation(ApproveVariantDocument);
  const [rejectState, reject] = useMutation(RejectVariantDocument);
  const announce = useAnnounce();
  const card = useRef<HTMLLIElement>(null);
  // Approve and Reject disable themselves once done, so focus moves to the card they changed.
  const decide = async (action: (vars: { id: string }) => Promise<{ data?: unknown }>, done: string) => {
    const result = await action({ id: variant.id });
    if (!result.data) return;
    card.current?.focus();
    announce(done);
  };
  // A variant that breaks a hard rule of the voice is approved only with a reason.
  const [askReason, setAskReason] = useState(false);
  const [reason, setReason] = useState('');
  const approveWithReason = async () => {
    const result = await approve({ id: variant.id, reason: reason.trim() });
    if (!result.data) return;
    setAskReason(false);
    card.current?.focus();
    announce('Variant approved with a reason.');
  };
  return (
    <li
      className="variant"
      data-status={variant.status}
      data-variant-id={variant.id}
      aria-label={`${variant.status.charAt(0) + variant.status.slice(1).toLowerCase()} variant: ${variant.text}`}
      tabIndex={-1}
      ref={card}
    >
      <p className="variant-text">
        {splitBySpans(variant.text, voiceSpans(variant.text, variant.voiceReport)).map((piece, i) =>
          piece.label ? (
            <mark key={i} className="voice-break" title={piece.label}>
              {piece.text}
              <span className="visually-hidden"> ({piece.label})</span>
            </mark>
          ) : (
            piece.text
          ),
        )}
      </p>
      <div className="row">
        <CharacterCounter count={channelCharacters(variant.text)} limit={limit ?? variant.voiceReport.maxChars} />
        <span className="badge info">{variant.status.toLowerCase()}</span>
        {!variant.passesHardRules && <span className="badge fail">Fails the brand’s rules</span>}
      </div>
      <VoiceReportBadges report={variant.voiceReport} />
      {variant.approvalReason && <p className="muted">Approved anyway: {variant.approvalReason}</p>}
      <PromptCutsNote report={variant.voiceReport} />
      <div className="actions">
        {canEdit && (
          <>
            <button
              type="button"
              onClick={() => (variant.passesHardRules ? decide(approve, 'Variant approved.') : setAskReason(true))}
              disabled={approveState.fetching || variant.status === 'APPROVED'}
              aria-expanded={variant.passesHardRules ? undefined : askReason}
            >
              Approve
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => decide(reject, 'Variant rejected.')}
              disabled={rejectState.fetching || variant.status === 'REJECTED'}
            >
              Reject
            </button>
          </>
        )}
        <CopyButton text={variant.text} label="Copy text" />
      </div>
      {askReason && variant.status !== 'APPROVED' && (
        <form
          className="approve-reason"
          onSubmit={(e) => {
            e.preventDefault();
            void approveWithReason();
          }}
        >
          <label>
            This copy breaks the brand’s rules. Why approve it anyway?
            <textarea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} required autoFocus />
          </label>
          <button type="submit" disabled={!reason.trim() || approveState.fetching}>
            Approve with this reason
          </button>
        </form>
      )}
      <ErrorNotice message={describeError(approveState.error ?? rejectState.error)} />
    </li>
  );
}

export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'campaign'
  );
}
