// Navigation and new-window policy: the app stays on its origin; http(s) goes to the browser only
// after the operator confirms; gallery files open with the OS; everything else is dropped.
import { describe, expect, it } from 'vitest';
import {
  classifyUrl,
  createNavigationGuard,
  type NavigationActions,
} from '../../../src/main/electron/navigation.ts';

const policy = { appOrigins: ['showcase://app', 'http://localhost:5173'], fileScheme: 'showcase-file' };

function recorder(confirm: boolean) {
  const calls: string[] = [];
  const actions: NavigationActions = {
    confirmExternal: async (url) => {
      calls.push(`confirm ${url}`);
      return confirm;
    },
    openExternal: async (url) => {
      calls.push(`external ${url}`);
    },
    openGalleryFile: async (url) => {
      calls.push(`file ${url}`);
    },
    log: (line) => calls.push(`log ${line}`),
  };
  return { calls, guard: createNavigationGuard(policy, actions) };
}

function navigate(guard: ReturnType<typeof recorder>['guard'], url: string): boolean {
  let prevented = false;
  guard.onWillNavigate({ preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('classifyUrl', () => {
  it('knows the app origins, including the dev server, and nothing that merely looks like them', () => {
    expect(classifyUrl('showcase://app/index.html#/queue', policy)).toEqual({ kind: 'app' });
    expect(classifyUrl('http://localhost:5173/', policy)).toEqual({ kind: 'app' });
    expect(classifyUrl('showcase://app.evil/index.html', policy).kind).not.toBe('app');
    expect(classifyUrl('http://localhost:5174/', policy).kind).toBe('external');
    expect(classifyUrl('showcase://other/', policy).kind).toBe('blocked');
  });

  it('routes http(s) outside, gallery files to the OS, and blocks every other scheme', () => {
    expect(classifyUrl('https://cdn.example.com/g/index.html', policy)).toEqual({
      kind: 'external',
      url: 'https://cdn.example.com/g/index.html',
    });
    expect(classifyUrl('showcase-file://files/product_a.html', policy).kind).toBe('gallery-file');
    for (const url of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>1</script>',
      'smb://host/share',
      'not a url',
    ]) {
      expect(classifyUrl(url, policy).kind).toBe('blocked');
    }
  });
});

describe('navigation guard', () => {
  it('lets in-app navigation through untouched', async () => {
    const { guard, calls } = recorder(true);
    expect(navigate(guard, 'showcase://app/index.html')).toBe(false);
    await guard.idle();
    expect(calls).toEqual([]);
  });

  it('stops navigation to the web and opens it in the browser after confirmation', async () => {
    const { guard, calls } = recorder(true);
    expect(navigate(guard, 'https://example.com/a?b=1')).toBe(true);
    await guard.idle();
    expect(calls).toEqual(['confirm https://example.com/a?b=1', 'external https://example.com/a?b=1']);
  });

  it('opens nothing when the operator declines', async () => {
    const { guard, calls } = recorder(false);
    expect(navigate(guard, 'http://example.com/')).toBe(true);
    await guard.idle();
    expect(calls).toEqual(['confirm http://example.com/']);
  });

  it('never opens a new window; web links go through the confirmation, others are dropped', async () => {
    const { guard, calls } = recorder(true);
    expect(guard.onWindowOpen({ url: 'https://example.com/x' })).toEqual({ action: 'deny' });
    expect(guard.onWindowOpen({ url: 'showcase-file://files/product_a.html' })).toEqual({ action: 'deny' });
    expect(guard.onWindowOpen({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(guard.onWindowOpen({ url: 'showcase://app/index.html' })).toEqual({ action: 'deny' });
    await guard.idle();
    // The two links are handled concurrently; compare without order.
    expect(calls.filter((c) => !c.startsWith('log')).sort()).toEqual([
      'confirm https://example.com/x',
      'external https://example.com/x',
      'file showcase-file://files/product_a.html',
    ]);
    expect(calls.filter((c) => c.startsWith('log'))).toHaveLength(2);
  });

  it('blocks javascript: and file: navigation without asking', async () => {
    const { guard, calls } = recorder(true);
    expect(navigate(guard, 'javascript:alert(1)')).toBe(true);
    expect(navigate(guard, 'file:///home/user/.ssh/id_rsa')).toBe(true);
    await guard.idle();
    expect(calls.every((c) => c.startsWith('log blocked'))).toBe(true);
    expect(calls).toHaveLength(2);
  });
});
