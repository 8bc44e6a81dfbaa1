import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ChannelValues, GenerateCopyDocument, JobDocument, type Channel } from '../graphql/generated';
import { channelCharacters, channelLabel, channelLimit } from '../lib/channels';
import { describeError } from '../lib/errors';
import { describeJobFailure } from '../lib/job-errors';
import { useJobStream } from '../lib/use-job-stream';
import { hasRole, useSession } from '../lib/use-session';
import { useAnnounce } from '../lib/announcer';
import { TextField } from './Field';
import { PromptCutsNote } from './PromptCutsNote';
import { ErrorNotice } from './Notice';
import { CharacterCounter, VoiceReportBadges } from './VoiceReportBadges';

/** “Try this voice”: one short variant from the saved voice, with its voice report. */
export function TryVoice({ brandId }: { brandId: string }) {
  const session = useSession();
  const [{ fetching, error }, generate] = useMutation(GenerateCopyDocument);
  const [channel, setChannel] = useState<Channel>('META_HEADLINE');
  const [brief, setBrief] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const stream = useJobStream(jobId);
  const [job, refetchJob] = useQuery({
    query: JobDocument,
    variables: { id: jobId ?? '' },
    pause: !jobId || !stream.finished,
    requestPolicy: 'network-only',
  });

  const announce = useAnnounce();
  const resultRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (stream.finished) refetchJob({ requestPolicy: 'network-only' });
  }, [stream.finished]); // runs once per finished stream, by design

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await generate({ input: { brandId, channel, brief, variants: 1 } });
    if (result.data) {
      setJobId(result.data.generateCopy.id);
      announce('Writing a trial variant…');
    }
  };
  const variant = stream.finished ? job.data?.job.variants[0] : undefined;
  // The stream says how the job ended; the job itself, once refetched, when the last update was missed.
  const ended = job.data?.job ?? null;
  const failure = stream.finished
    ? describeJobFailure(
        stream.status ?? ended?.status,
        stream.errorCode ?? ended?.errorCode,
        stream.errorMessage ?? ended?.errorMessage,
        ended?.variants.length,
      )
    : null;
  const limit = channelLimit(channel);

  // Said once, when the trial ends; focus goes to the result when "Try it" (disabled meanwhile) lost it.
  useEffect(() => {
    if (!variant && !failure) return;
    announce(variant ? 'Trial variant written.' : failure!);
    if (variant && (document.activeElement === document.body || !document.activeElement)) resultRef.current?.focus();
  }, [variant?.id, failure]);

  if (!hasRole(session, 'EDITOR')) return null;
  return (
    <section className="panel" aria-labelledby="try-heading">
      <h2 id="try-heading">Try this voice</h2>
      <p className="muted">Save the brand first: a trial writes with the saved voice. It uses a few credits.</p>
      <form onSubmit={submit} className="inline-form" aria-label="Try this voice">
        <div className="field">
          <label htmlFor="try-channel">Channel</label>
          <select id="try-channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
            {ChannelValues.map((c) => (
              <option key={c} value={c}>
                {channelLabel(c)}
              </option>
            ))}
          </select>
        </div>
        <TextField label="What to write about" required value={brief} onChange={(e) => setBrief(e.target.value)} />
        <button type="submit" disabled={fetching || (!!jobId && !stream.finished)}>
          Try it
        </button>
      </form>
      <ErrorNotice message={describeError(error ?? job.error)} />
      <ErrorNotice message={failure} />
      {jobId && !variant && !failure && (
        <div className="variant streaming" role="group" aria-label="Voice trial" aria-busy="true">
          <p className="variant-text">{stream.streams[0] ?? ''}</p>
          <CharacterCounter count={channelCharacters(stream.streams[0] ?? '')} limit={limit} />
        </div>
      )}
      {variant && (
        <div className="variant" role="group" aria-label="Voice trial result" tabIndex={-1} ref={resultRef}>
          <p className="variant-text">{variant.text}</p>
          <CharacterCounter count={channelCharacters(variant.text)} limit={limit} />
          <VoiceReportBadges report={variant.voiceReport} />
          <PromptCutsNote report={variant.voiceReport} />
        </div>
      )}
    </section>
  );
}
