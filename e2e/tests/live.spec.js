import { test, expect } from './fixtures.js';

// Headless Chromium announces itself as HeadlessChrome, which civichub counts
// as a bot; these visitors present an ordinary desktop Chrome.
const userAgent =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

function figure(page, field) {
  return page.locator(`footer [data-live='site:online'] dd[data-field='${field}']`);
}

function parse(text) {
  return Number(text.replace(/[^0-9]/g, ''));
}

test('the online box updates without a reload when another visitor arrives', async ({ browser, baseURL }) => {
  const first = await browser.newContext({ baseURL, userAgent, locale: 'vi-VN' });
  const watcher = await first.newPage();
  await watcher.goto('/');
  const box = watcher.getByRole('region', { name: 'Người trực tuyến' });
  await expect(box).toBeVisible();
  const before = parse(await figure(watcher, 'visits_total').innerText());
  expect(before).toBeGreaterThan(0);

  const second = await browser.newContext({ baseURL, userAgent, locale: 'vi-VN' });
  const newcomer = await second.newPage();
  await newcomer.goto('/login');

  // The watcher's page was not reloaded: the figure changed over the socket.
  await expect.poll(async () => parse(await figure(watcher, 'visits_total').innerText()), { timeout: 15_000 })
    .toBeGreaterThan(before);
  // Vietnamese digit grouping, as the server renders it.
  await expect(figure(watcher, 'visits_total')).toHaveText(/^\d{1,3}(\.\d{3})*$/);
  await first.close();
  await second.close();
});

test('the guest count rises when another visitor opens a page and falls when it leaves', async ({ browser, baseURL }) => {
  const first = await browser.newContext({ baseURL, userAgent, locale: 'vi-VN' });
  const watcher = await first.newPage();
  await watcher.goto('/');
  // The watcher's own socket makes it count: wait until the box says so.
  await expect.poll(async () => parse(await figure(watcher, 'guests').innerText()), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(1);
  const before = parse(await figure(watcher, 'guests').innerText());

  const second = await browser.newContext({ baseURL, userAgent, locale: 'vi-VN' });
  const newcomer = await second.newPage();
  await newcomer.goto('/');
  await expect.poll(async () => parse(await figure(watcher, 'guests').innerText()), { timeout: 15_000 })
    .toBe(before + 1);

  await second.close();
  await expect.poll(async () => parse(await figure(watcher, 'guests').innerText()), { timeout: 15_000 })
    .toBe(before);
  await first.close();
});
