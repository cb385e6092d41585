import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { type AddressRelay, startAddressRelay } from './support/address-relay';
import { launchChromium, shouldRunBrowserTests } from './support/browser';
import { addressesOnDistinctInstances } from './support/client-address';
import { useNginxCluster } from './support/nginx-cluster';
import { useResources } from './support/resources';

/** Git-ignored; CI keeps what a run leaves here. */
const ARTIFACTS = join('test-artifacts', 'browser');
const PAGE_TIMEOUT_MS = 10_000;

const describeInBrowser = shouldRunBrowserTests() ? describe : describe.skip;

describeInBrowser('the demo page in a real browser, through nginx', () => {
  const resources = useResources();
  const fixture = useNginxCluster(resources, 3);
  let browser: Browser;

  beforeAll(async () => {
    browser = resources.forSuite(await launchChromium(), (b) => b.close());
  }, 30_000);

  /** Two ways into nginx that land on two different instances. */
  async function entriesOnDistinctInstances(): Promise<
    { url: string; clientAddress: string; instance: string }[]
  > {
    const addresses = await addressesOnDistinctInstances(
      fixture.cluster.url,
      2,
    );
    const nginxPort = Number(new URL(fixture.cluster.url).port);
    const entries = [];
    for (const [instance, clientAddress] of addresses) {
      const relay = resources.forTest(
        await startAddressRelay(nginxPort, clientAddress),
        (r: AddressRelay) => r.close(),
      );
      entries.push({ url: relay.url, clientAddress, instance });
    }
    return entries;
  }

  /** Opens the demo page at `url` and connects as `userId`; resolves with the instance shown. */
  async function openAs(
    url: string,
    userId: string,
  ): Promise<{ page: Page; instance: string; errors: string[] }> {
    const page = await browser.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.fill('#userId', userId);
    await page.click('#connect');
    await page.waitForSelector('#state[data-state="connected"]');
    await page.waitForFunction(
      () =>
        !['-', 'unknown'].includes(
          document.getElementById('instance')?.textContent ?? '-',
        ),
    );
    const instance = (await page.textContent('#instance')) ?? '';
    return { page, instance, errors };
  }

  function waitForLog(page: Page, text: string): Promise<unknown> {
    return page.waitForFunction(
      (wanted) =>
        document.getElementById('log')?.textContent?.includes(wanted) ?? false,
      text,
    );
  }

  it('lets two users on two instances talk in one room of the chat', async () => {
    const [entryA, entryB] = await entriesOnDistinctInstances();
    const ada = await openAs(entryA.url, 'browser-ada');
    resources.forTest(ada.page, (p) => p.close());
    const bob = await openAs(entryB.url, 'browser-bob');
    resources.forTest(bob.page, (p) => p.close());
    expect(ada.instance).not.toBe(bob.instance);

    for (const { page } of [ada, bob]) {
      await page.fill('#roomId', 'browser-lobby');
      await page.click('#roomJoin button');
      await page.waitForSelector('#roomState:has-text("in browser-lobby")');
    }
    await bob.page.waitForSelector(
      '#roomMembers:has-text("browser-ada, browser-bob")',
    );
    await ada.page.waitForSelector(
      '#roomMembers:has-text("browser-ada, browser-bob")',
    );
    await ada.page.fill('#roomText', 'hello across instances');
    await ada.page.press('#roomText', 'Enter');
    for (const { page } of [ada, bob]) {
      await page.waitForFunction(
        () =>
          document
            .getElementById('roomLog')
            ?.textContent?.includes('browser-ada: hello across instances') ??
          false,
      );
    }
    await mkdir(ARTIFACTS, { recursive: true });
    await bob.page.screenshot({ path: join(ARTIFACTS, 'chat-bob.png') });
    expect([...ada.errors, ...bob.errors]).toEqual([]);
  });

  it('syncs two pages of one user on different instances, shows a push in both, and survives the loss of an instance', async () => {
    // A browser cannot choose its source address: each page goes through a
    // relay that reaches nginx from an address hashed to its own instance.
    const [entryA, entryB] = await entriesOnDistinctInstances();
    const [addressA, addressB] = [entryA.clientAddress, entryB.clientAddress];

    const a = await openAs(entryA.url, 'browser-42');
    resources.forTest(a.page, (p) => p.close());
    const b = await openAs(entryB.url, 'browser-42');
    resources.forTest(b.page, (p) => p.close());

    expect([a.instance, b.instance]).toEqual([
      entryA.instance,
      entryB.instance,
    ]);
    expect(a.instance).not.toBe(b.instance);

    await a.page.fill('#message', 'hello from page A');
    await a.page.press('#message', 'Enter');
    await waitForLog(b.page, 'hello from page A');

    await b.page.fill('#message', 'hello from page B');
    await b.page.press('#message', 'Enter');
    await waitForLog(a.page, 'hello from page B');

    expect(await b.page.inputValue('#pushUserId')).toBe('browser-42');
    await b.page.fill('#pushText', 'a push from page B');
    await b.page.click('#push button');
    await waitForLog(a.page, 'a push from page B');
    await waitForLog(b.page, 'a push from page B');

    await mkdir(ARTIFACTS, { recursive: true });
    await a.page.screenshot({ path: join(ARTIFACTS, 'page-a.png') });
    await b.page.screenshot({ path: join(ARTIFACTS, 'page-b.png') });

    // Page A's instance dies: the page says so, and comes back on a survivor.
    const doomed = fixture.cluster.instances.find((i) => i.id === a.instance);
    doomed?.process.kill('SIGKILL');
    await a.page.waitForSelector('#state[data-state="reconnecting"]');
    await a.page.waitForSelector('#state[data-state="connected"]');
    await a.page.waitForFunction(
      (dead) =>
        !['-', 'unknown', dead].includes(
          document.getElementById('instance')?.textContent ?? '-',
        ),
      a.instance,
    );
    const afterFailover = (await a.page.textContent('#instance')) ?? '';
    await b.page.fill('#message', 'after the failover');
    await b.page.press('#message', 'Enter');
    await waitForLog(a.page, 'after the failover');
    await a.page.screenshot({
      path: join(ARTIFACTS, 'page-a-after-failover.png'),
    });

    const reached = {
      pageA: {
        clientAddress: addressA,
        instance: a.instance,
        afterItsInstanceWasKilled: afterFailover,
      },
      pageB: { clientAddress: addressB, instance: b.instance },
    };
    await writeFile(
      join(ARTIFACTS, 'instances.json'),
      `${JSON.stringify(reached, null, 2)}\n`,
    );
    console.info(
      `Browser pages reached: page A (${addressA}) -> ${a.instance}, ` +
        `then ${afterFailover} once ${a.instance} was killed; ` +
        `page B (${addressB}) -> ${b.instance}. Screenshots in ${ARTIFACTS}`,
    );
    expect([...a.errors, ...b.errors]).toEqual([]);
  });
});
