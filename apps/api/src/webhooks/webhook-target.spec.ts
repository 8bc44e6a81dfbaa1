import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertPublicTarget, deliveryProblem, isPrivateAddress, WebhookTargetError } from './webhook-target';

/** Every spelling of an inside address we know of; each must be refused. */
const insideUrls = [
  // 127.0.0.1 in the forms a URL parser (and inet_aton) accepts
  'http://127.0.0.1:8080/hook',
  'http://127.1/hook',
  'http://127.0.1/hook',
  'http://2130706433/hook',
  'http://0x7f000001/hook',
  'http://0x7f.0.0.1/hook',
  'http://0x7f.1/hook',
  'http://0177.0.0.1/hook',
  'http://017700000001/hook',
  'http://127.255.255.254/hook',
  // unspecified
  'http://0.0.0.0/hook',
  'http://0/hook',
  'http://0x0/hook',
  'http://[::]/hook',
  // IPv6 loopback and IPv4-mapped / -compatible / translated forms of inside IPv4
  'http://[::1]/hook',
  'http://[0:0:0:0:0:0:0:1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:7f00:1]/hook',
  'http://[0:0:0:0:0:ffff:7f00:1]/hook',
  'http://[::127.0.0.1]/hook',
  'http://[::7f00:1]/hook',
  'http://[::ffff:a9fe:a9fe]/hook',
  'http://[::ffff:169.254.169.254]/hook',
  'http://[::ffff:a00:1]/hook',
  'http://[::ffff:10.0.0.1]/hook',
  'http://[::ffff:0:7f00:1]/hook',
  'http://[64:ff9b::7f00:1]/hook',
  'http://[2002:7f00:1::1]/hook',
  // IPv6 unique-local, link-local, site-local, multicast, documentation, discard
  'http://[fc00::1]/hook',
  'http://[fd12:3456:789a::1]/hook',
  'http://[fe80::1]/hook',
  'http://[febf::1]/hook',
  'http://[fec0::1]/hook',
  'http://[ff02::1]/hook',
  'http://[2001:db8::1]/hook',
  'http://[100::1]/hook',
  // private, link-local (cloud metadata), CGNAT, benchmark, multicast, reserved IPv4
  'http://10.0.0.1/hook',
  'http://10.1/hook',
  'http://012.0.0.1/hook',
  'http://10.255.255.255/hook',
  'http://172.16.0.1/hook',
  'http://172.31.255.255/hook',
  'http://192.168.0.1/hook',
  'http://0xc0.0xa8.1.1/hook',
  'http://169.254.169.254/latest/meta-data',
  'http://2852039166/latest/meta-data',
  'http://0xa9fea9fe/latest/meta-data',
  'http://169.254.0.1/hook',
  'http://100.64.0.1/hook',
  'http://100.127.255.254/hook',
  'http://198.18.0.1/hook',
  'http://198.19.255.255/hook',
  'http://224.0.0.1/hook',
  'http://239.255.255.250/hook',
  'http://255.255.255.255/hook',
  'http://240.0.0.1/hook',
  'http://192.0.0.8/hook',
  'http://192.0.2.1/hook',
  'http://198.51.100.1/hook',
  'http://203.0.113.1/hook',
  'https://localhost/hook',
];

const outsideUrls = [
  'https://8.8.8.8/hook',
  'https://1.1.1.1/hook',
  'https://93.184.216.34/hook',
  'https://172.32.0.1/hook',
  'https://192.169.0.1/hook',
  'https://100.128.0.1/hook',
  'https://198.20.0.1/hook',
  'https://[2606:4700::1111]/hook',
  'https://[2001:4860:4860::8888]/hook',
  'https://[::ffff:8.8.8.8]/hook',
];

test(`${insideUrls.length} spellings of inside addresses are refused at registration`, async () => {
  assert.ok(insideUrls.length >= 40);
  const strict = { allowPrivate: false, requireResolution: false };
  for (const url of insideUrls) {
    await assert.rejects(assertPublicTarget(url, strict), WebhookTargetError, url);
  }
  for (const url of outsideUrls) await assertPublicTarget(url, strict);
});

test('only global unicast addresses are public; unparseable text is not', () => {
  for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '::7f00:1', 'fe80::1%eth0', '100.64.0.1', '198.18.0.1', 'not-an-ip', '']) {
    assert.equal(isPrivateAddress(ip), true, ip);
  }
  for (const ip of ['8.8.8.8', '2606:4700::1111', '::ffff:1.1.1.1', '[2001:4860:4860::8888]']) {
    assert.equal(isPrivateAddress(ip), false, ip);
  }
});

test('the operator’s switch allows inside targets; an unresolvable name waits for delivery', async () => {
  await assertPublicTarget('http://127.0.0.1:8080/hook', { allowPrivate: true, requireResolution: true });
  await assertPublicTarget('https://no-such-host.invalid/hook', { allowPrivate: false, requireResolution: false });
  await assert.rejects(
    assertPublicTarget('https://no-such-host.invalid/hook', { allowPrivate: false, requireResolution: true }),
    /does not resolve/,
  );
});

test('a delivery problem is one of two phrases, never socket text', () => {
  const refused = new Error('fetch failed', { cause: new WebhookTargetError('127.0.0.1 is a private address') });
  assert.equal(deliveryProblem(refused), 'refused: private address');
  assert.equal(
    deliveryProblem(Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:22'), { code: 'ECONNREFUSED' })),
    'connection failed',
  );
});
