import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointsDocument,
  WebhookEventValues,
  type WebhookEvent,
} from '../graphql/generated';
import { describeError } from '../lib/errors';
import { TextField } from './Field';
import { CopyButton } from './CopyButton';
import { EmptyState, ErrorNotice } from './Notice';
import { TableRegion } from './TableRegion';

const ENDPOINTS = { additionalTypenames: ['WebhookEndpoint'] };
const DELIVERIES = { additionalTypenames: ['WebhookDelivery', 'WebhookEndpoint'] };

const EVENT_HELP: Record<WebhookEvent, string> = {
  JOB_COMPLETED: 'a generation job finished',
  JOB_FAILED: 'a job failed for good or was cancelled',
  BILLING_ALERT: 'credits reached 80 % or 100 %',
};

/** Client webhooks: endpoints (signing secret shown once) and the delivery log. */
export function Webhooks() {
  const [{ data, error }] = useQuery({ query: WebhookEndpointsDocument, context: ENDPOINTS });
  const [deliveries, refetchDeliveries] = useQuery({ query: WebhookDeliveriesDocument, variables: { first: 25 }, context: DELIVERIES });
  const [created, create] = useMutation(CreateWebhookEndpointDocument);
  const [deleted, remove] = useMutation(DeleteWebhookEndpointDocument);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['JOB_COMPLETED', 'JOB_FAILED']);
  const [secret, setSecret] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await create({ input: { url, events } });
    if (result.data) {
      setSecret(result.data.createWebhookEndpoint.secret);
      setUrl('');
    }
  };
  const endpoints = data?.webhookEndpoints ?? [];
  const log = deliveries.data?.webhookDeliveries.nodes ?? [];

  return (
    <section className="panel" aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      <form onSubmit={submit} aria-label="New webhook endpoint">
        <TextField
          label="Endpoint URL"
          type="url"
          required
          placeholder="https://example.com/brandwright"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <fieldset>
          <legend>Events</legend>
          {WebhookEventValues.map((e) => (
            <label key={e} className="check">
              <input
                type="checkbox"
                checked={events.includes(e)}
                onChange={(x) => setEvents(x.target.checked ? [...events, e] : events.filter((v) => v !== e))}
              />
              {e.toLowerCase().replace('_', ' ')}: {EVENT_HELP[e]}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={created.fetching || events.length === 0}>
          Add endpoint
        </button>
      </form>
      <ErrorNotice message={describeError(error ?? created.error ?? deleted.error ?? deliveries.error)} />
      {secret && (
        <div className="notice success" role="status">
          <p>
            <strong>Copy the signing secret now.</strong> It is shown once; use it to verify the Brandwright-Signature header.
          </p>
          <code className="secret" aria-label="Webhook signing secret">
            {secret}
          </code>{' '}
          <CopyButton text={secret} label="Copy secret" />
        </div>
      )}
      {data && endpoints.length === 0 && (
        <EmptyState title="No webhook endpoints">
          <p>Add an endpoint to hear when jobs finish instead of polling.</p>
        </EmptyState>
      )}
      {endpoints.length > 0 && (
        <ul className="plain" aria-label="Webhook endpoints">
          {endpoints.map((e) => (
            <li key={e.id}>
              <code>{e.url}</code> · {e.events.map((v) => v.toLowerCase()).join(', ')}
              {e.disabledAt && <span className="badge fail">disabled</span>}{' '}
              <button type="button" className="danger" onClick={() => confirm(`Delete the endpoint ${e.url}?`) && remove({ id: e.id })}>
                Delete <span className="visually-hidden">{e.url}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="page-head">
        <h3>Delivery log</h3>
        <button type="button" className="secondary" onClick={() => refetchDeliveries({ requestPolicy: 'network-only' })}>
          Refresh log
        </button>
      </div>
      {log.length === 0 ? (
        <p className="muted">No deliveries yet.</p>
      ) : (
        <TableRegion label="Webhook deliveries">
          <table>
            <caption className="visually-hidden">Webhook deliveries</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last answer</th>
              </tr>
            </thead>
            <tbody>
              {log.map((d) => (
                <tr key={d.id}>
                  <td>{new Date(d.createdAt).toLocaleString()}</td>
                  <td>{d.event.toLowerCase()}</td>
                  <td>
                    <span className={`badge ${d.status === 'DELIVERED' ? 'pass' : d.status === 'FAILED' ? 'fail' : 'info'}`}>
                      {d.status.toLowerCase()}
                    </span>
                  </td>
                  <td>{d.attempts}</td>
                  <td>{d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}
