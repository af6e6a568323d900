// Which URLs an Azure endpoint can fetch (canFetch), from the URL alone (url-reach.ts).
import { describe, expect, it } from 'vitest';
import { hostReach, urlReach } from '../../electron/lib/url-reach';
import { azureCanFetch } from '../../electron/providers/azure-from-url';

describe('urlReach', () => {
  it.each([
    ['https://bucket.s3.eu-west-1.amazonaws.com/k?X-Amz-Signature=1', 'public'],
    ['https://storage.googleapis.com/b/k', 'public'],
    ['http://8.8.8.8/x', 'public'],
    ['http://[2001:4860:4860::8888]/x', 'public'],
    ['http://127.0.0.1:9000/b/k', 'private'],
    ['http://localhost:9000/b/k', 'private'],
    ['http://minio:9000/b/k', 'private'],
    ['http://nas.local/b/k', 'private'],
    ['http://files.internal/b/k', 'private'],
    ['http://box.home.arpa/b/k', 'private'],
    ['http://app.localhost/b/k', 'private'],
    ['http://10.1.2.3/x', 'private'],
    ['http://172.16.0.1/x', 'private'],
    ['http://172.31.255.255/x', 'private'],
    ['http://172.32.0.1/x', 'public'],
    ['http://192.168.1.10/x', 'private'],
    ['http://169.254.169.254/latest', 'private'],
    ['http://100.64.0.1/x', 'private'],
    ['http://0.0.0.0/x', 'private'],
    ['http://[::1]/x', 'private'],
    ['http://[fd00::1]/x', 'private'],
    ['http://[fe80::1]/x', 'private'],
    ['http://[::ffff:10.0.0.1]/x', 'private'],
    ['http://[::ffff:8.8.8.8]/x', 'public'],
    ['not a url', 'private'],
  ])('%s is %s', (url, reach) => {
    expect(urlReach(url)).toBe(reach);
  });

  it('a trailing dot changes nothing', () => {
    expect(urlReach('http://localhost./x')).toBe('private');
    expect(hostReach('example.com')).toBe('public');
  });
});

describe('Azure canFetch', () => {
  const cloud = 'https://account.blob.core.windows.net';
  const azurite = 'http://127.0.0.1:10000/devstoreaccount1';
  const stack = 'https://blob.local.azurestack.external';

  it('a public endpoint fetches public URLs only', () => {
    expect(azureCanFetch(cloud, 'https://bucket.s3.amazonaws.com/k?X-Amz-Signature=abc')).toBe(true);
    expect(azureCanFetch(cloud, 'http://127.0.0.1:9000/b/k')).toBe(false);
    expect(azureCanFetch(cloud, 'http://192.168.1.5:9000/b/k')).toBe(false);
    expect(azureCanFetch(cloud, 'http://minio:9000/b/k')).toBe(false);
    expect(azureCanFetch(cloud, 'http://nas.local:9000/b/k')).toBe(false);
  });

  it('an endpoint on a private address (Azurite, the stand-in) fetches anything', () => {
    expect(azureCanFetch(azurite, 'http://127.0.0.1:9000/b/k')).toBe(true);
    expect(azureCanFetch(azurite, 'https://bucket.s3.amazonaws.com/k')).toBe(true);
  });

  it('an Azure Stack endpoint under a public name is judged as public', () => {
    expect(azureCanFetch(stack, 'http://10.0.0.5/b/k')).toBe(false);
  });

  it('never a URL Azure refuses outright: over 2 KiB, not http(s), unparsable', () => {
    expect(azureCanFetch(azurite, `https://bucket.s3.amazonaws.com/k?X-Amz-Security-Token=${'a'.repeat(2100)}`)).toBe(false);
    expect(azureCanFetch(azurite, 'file:///etc/passwd')).toBe(false);
    expect(azureCanFetch(azurite, 'ftp://host/x')).toBe(false);
    expect(azureCanFetch(azurite, 'nope')).toBe(false);
  });
});
