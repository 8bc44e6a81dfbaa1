import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { ok } from './graphql';

/** Raw graphql-transport-ws helpers for protocol-level tests of subscriptions. */
export interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}

/** A raw graphql-transport-ws socket that records every message and how it closed. */
export async function connect(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers });
  const messages: Message[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as Message);
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  const next = async (type: string, id?: string): Promise<Message> => {
    for (;;) {
      const found = messages.find((m) => m.type === type && (id === undefined || m.id === id));
      if (found) return found;
      await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), closed]);
      if (socket.readyState === WebSocket.CLOSED && !messages.some((m) => m.type === type)) {
        throw new Error(`closed (${(await closed).code}) before a ${type} message; got ${JSON.stringify(messages)}`);
      }
    }
  };
  const send = (message: Message) => socket.send(JSON.stringify(message));
  return { socket, messages, closed, next, send };
}

export const UPDATES = `subscription($j: ID!) { generationUpdated(jobId: $j) { jobId status } }`;

export async function queuedJob(url: string, token: string): Promise<string> {
  const brand = await ok(url, `mutation { createBrand(input: { name: "Sub Co ${randomUUID().slice(0, 6)}" }) { id } }`, {}, token);
  const job = await ok(
    url,
    `mutation($b: ID!) { generateCopy(input: { brandId: $b, channel: META_HEADLINE, brief: "Spring", variants: 1 }) { id } }`,
    { b: brand.createBrand.id },
    token,
  );
  return job.generateCopy.id as string;
}

/** Subscribes on an acknowledged connection and waits for the first update (the snapshot). */
export async function subscribed(url: string, authorization: string, jobId: string) {
  const ws = await connect(url);
  ws.send({ type: 'connection_init', payload: { authorization } });
  await ws.next('connection_ack');
  ws.send({ id: '1', type: 'subscribe', payload: { query: UPDATES, variables: { j: jobId } } });
  const first = await ws.next('next', '1');
  assert.equal((first.payload as { data: { generationUpdated: { jobId: string } } }).data.generationUpdated.jobId, jobId);
  return ws;
}

export function errorCode(message: Message): unknown {
  return (message.payload as Array<{ extensions?: { code?: string; reason?: string } }>)[0]?.extensions?.code;
}
