import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertPublicTarget, isPrivateAddress, WebhookTargetError } from './webhook-target';

test('loopback, private, link-local and mapped addresses are private; public ones are not', () => {
  for (const ip of [
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
  ]) {
    assert.equal(isPrivateAddress(ip), true, ip);
  }
  for (const ip of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:1.1.1.1']) {
    assert.equal(isPrivateAddress(ip), false, ip);
  }
});

test('a URL naming or resolving to a private address is refused unless allowed', async () => {
  const strict = { allowPrivate: false, requireResolution: false };
  await assert.rejects(assertPublicTarget('http://127.0.0.1:8080/hook', strict), WebhookTargetError);
  await assert.rejects(assertPublicTarget('http://[::1]/hook', strict), WebhookTargetError);
  await assert.rejects(assertPublicTarget('http://localhost/hook', strict), /private or local/);
  await assertPublicTarget('http://127.0.0.1:8080/hook', { allowPrivate: true, requireResolution: true });
  await assertPublicTarget('https://93.184.216.34/hook', strict);
  // Unresolvable: accepted at registration, refused at delivery.
  await assertPublicTarget('https://no-such-host.invalid/hook', strict);
  await assert.rejects(
    assertPublicTarget('https://no-such-host.invalid/hook', { allowPrivate: false, requireResolution: true }),
    /does not resolve/,
  );
});
