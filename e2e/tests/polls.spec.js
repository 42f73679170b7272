// Polls as people use them: an admin creates one through the pages, a guest
// votes without JavaScript, a vote in one browser moves the bars in another
// without a reload, the widget works inside a portal's frame (and nowhere
// else), and axe finds no serious violation on the poll pages.
import { request } from '@playwright/test';
import { test, expect, admin, login, seriousViolations } from './fixtures.js';
import { servePortal } from './portal.js';

let seq = 0;

// unique makes a question no other test uses (the tests share one server).
function unique(text) {
  seq += 1;
  return `${text} (${Date.now().toString(36)}-${seq})`;
}

const portalOptions = [
  { vi: 'Đạt yêu cầu', en: 'Satisfactory' },
  { vi: 'Chưa đạt yêu cầu', en: 'Not satisfactory' },
  { vi: 'Cần thêm chủ đề', en: 'Needs more topics' },
];

// asAdmin returns an API client logged in as the demo admin, to set up polls
// quickly; the pages that do the same are tested on their own below. One
// login serves every test of the file: logins per account are rate limited.
let adminAPI = null;
async function asAdmin(baseURL) {
  if (!adminAPI) {
    const api = await request.newContext({ baseURL });
    const res = await api.post('/api/v1/auth/login', { data: { email: admin.email(), password: admin.password() } });
    expect(res.status(), await res.text()).toBe(200);
    adminAPI = api;
  }
  return adminAPI;
}

test.afterAll(async () => {
  await adminAPI?.dispose();
  adminAPI = null;
});

async function createPoll(api, fields = {}) {
  const res = await api.post('/api/v1/polls', {
    data: {
      question: { vi: unique('Ý kiến về Trang thông tin điện tử?'), en: unique('Your opinion of the portal?') },
      options: portalOptions,
      multiple: false,
      audience: 'everyone',
      results: 'always',
      status: 'open',
      baseline: [1180, 107, 57],
      ...fields,
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  return res.json();
}

function bar(page, n) {
  return page.locator('[data-poll-bars] li').nth(n);
}

test('an admin creates a poll through the pages and it opens with its imported counts', async ({ page }) => {
  await login(page, admin.email(), admin.password());
  await expect(page).toHaveURL('/');
  await page.getByRole('link', { name: 'Quản lý thăm dò' }).click();
  await page.getByRole('link', { name: 'Tạo cuộc thăm dò' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tạo cuộc thăm dò ý kiến');

  // Sent empty: the errors are next to their fields, in Vietnamese.
  await page.getByRole('button', { name: 'Tạo cuộc thăm dò' }).click();
  await expect(page.locator('.error-summary')).toBeVisible();
  await expect(page.locator('#f-question_vi-error')).toContainText('Trường này là bắt buộc.');
  await expect(page.locator('#f-options_vi-error')).toContainText('Cần ít nhất 2 phương án.');
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: test.info().outputPath('poll-form-errors.png'), fullPage: true });

  const question = unique('Ý kiến về Trang thông tin điện tử?');
  await page.getByLabel('Câu hỏi (tiếng Việt)').fill(question);
  await page.getByLabel('Câu hỏi (tiếng Anh)').fill('Your opinion of the portal?');
  await page.getByLabel('Các phương án (tiếng Việt)').fill('Đạt yêu cầu\nChưa đạt yêu cầu\nCần thêm chủ đề');
  await page.getByLabel('Các phương án (tiếng Anh)').fill('Satisfactory\nNot satisfactory\nNeeds more topics');
  await page.getByLabel('Số phiếu nhập từ cuộc thăm dò cũ').fill('1180, 107, 57');
  await page.getByLabel('Mọi người, ngay từ đầu').check();
  await page.getByLabel('Mở bình chọn (hoặc hẹn giờ mở)').check();
  await page.getByLabel('Thời điểm kết thúc').fill('2035-12-31T17:00');
  await page.getByLabel('Cơ quan tổ chức', { exact: true }).selectOption({ label: 'Sở Xây dựng' });
  await page.getByRole('button', { name: 'Tạo cuộc thăm dò' }).click();

  await expect(page.getByText('Đã tạo cuộc thăm dò.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(question);
  await expect(page.getByText('17:00 31/12/2035')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Tải kết quả (CSV)' })).toHaveAttribute('href', /\/results\.csv$/);
  const csv = await page.request.get(await page.getByRole('link', { name: 'Tải kết quả (CSV)' }).getAttribute('href'));
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain('Đạt yêu cầu');
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: test.info().outputPath('poll-admin.png'), fullPage: true });

  await page.getByRole('link', { name: 'Xem trang công khai' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(question);
  await expect(bar(page, 0)).toContainText('1. Đạt yêu cầu, 1.180 phiếu (88 %)');
  await expect(bar(page, 1)).toContainText('2. Chưa đạt yêu cầu, 107 phiếu (8 %)');
  await expect(bar(page, 2)).toContainText('3. Cần thêm chủ đề, 57 phiếu (4 %)');
  await expect(page.locator('.poll-total')).toHaveText('Tổng số phiếu: 1.344');
  await expect(page.getByText('Cơ quan: Sở Xây dựng')).toBeVisible();
});

test('a guest votes without JavaScript and sees the result', async ({ browser, baseURL }) => {
  const api = await asAdmin(baseURL);
  const poll = await createPoll(api);
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false, locale: 'vi-VN' });
  const page = await context.newPage();
  await page.goto(`/polls/${poll.id}`);

  // Nothing chosen: the error is next to the options.
  await page.getByRole('button', { name: 'Bình chọn' }).click();
  await expect(page.locator(`#option-${poll.id}-error`)).toContainText('Hãy chọn ít nhất một phương án.');

  await page.getByRole('radio', { name: 'Cần thêm chủ đề' }).check();
  await page.getByRole('button', { name: 'Bình chọn' }).click();
  await expect(page).toHaveURL(`/polls/${poll.id}`);
  await expect(page.getByText('Cảm ơn bạn đã bình chọn!')).toBeVisible();
  await expect(page.getByText('Bạn đã bình chọn. Cảm ơn bạn đã cho ý kiến!')).toBeVisible();
  await expect(bar(page, 2)).toContainText('3. Cần thêm chủ đề, 58 phiếu (4 %)');
  await expect(page.locator('.poll-total')).toHaveText('Tổng số phiếu: 1.345');
  await expect(page.getByRole('button', { name: 'Bình chọn' })).toHaveCount(0);
  await context.close();
});

test('a vote in one browser moves the bars in another without a reload', async ({ browser, baseURL }) => {
  const api = await asAdmin(baseURL);
  const poll = await createPoll(api);
  const watching = await browser.newContext({ baseURL, locale: 'vi-VN' });
  const watcher = await watching.newPage();
  await watcher.goto(`/polls/${poll.id}`);
  await expect(bar(watcher, 0)).toContainText('1.180 phiếu');

  const voting = await browser.newContext({ baseURL, locale: 'vi-VN' });
  const voter = await voting.newPage();
  await voter.goto(`/polls/${poll.id}`);
  await voter.getByRole('radio', { name: 'Đạt yêu cầu', exact: true }).check();
  await voter.getByRole('button', { name: 'Bình chọn' }).click();
  // The script sent the vote: the page was not left, the form is gone.
  await expect(voter.getByRole('status')).toHaveText('Bạn đã bình chọn. Cảm ơn bạn đã cho ý kiến!');
  await expect(bar(voter, 0)).toContainText('1. Đạt yêu cầu, 1.181 phiếu (88 %)');

  await expect(bar(watcher, 0)).toContainText('1. Đạt yêu cầu, 1.181 phiếu (88 %)');
  await expect(watcher.locator('.poll-total')).toHaveText('Tổng số phiếu: 1.345');
  await expect(watcher.getByRole('button', { name: 'Bình chọn' })).toBeVisible(); // not reloaded: still the form
  await watching.close();
  await voting.close();
});

test('results shown after voting or closing appear live, and hidden ones are not in the page', async ({ browser, baseURL }) => {
  const api = await asAdmin(baseURL);
  const afterVote = await createPoll(api, { results: 'after_vote' });
  const afterClose = await createPoll(api, { results: 'after_close' });
  const context = await browser.newContext({ baseURL, locale: 'vi-VN' });
  const page = await context.newPage();

  await page.goto(`/polls/${afterVote.id}`);
  await expect(page.getByText('Kết quả được hiển thị sau khi bạn bình chọn.')).toBeVisible();
  expect(await page.content()).not.toMatch(/1\.180|>88</);
  await expect(page.locator('.poll-total')).toHaveText('Tổng số phiếu: 1.344');
  await page.getByRole('radio', { name: 'Chưa đạt yêu cầu' }).check();
  await page.getByRole('button', { name: 'Bình chọn' }).click();
  await expect(bar(page, 1)).toContainText('2. Chưa đạt yêu cầu, 108 phiếu (8 %)');
  await expect(page.getByText('Kết quả được hiển thị sau khi bạn bình chọn.')).toHaveCount(0);
  // Now following the full results: another vote shows up here.
  const other = await browser.newContext({ baseURL, locale: 'vi-VN' });
  const otherPage = await other.newPage();
  await otherPage.goto(`/polls/${afterVote.id}`);
  await otherPage.getByRole('radio', { name: 'Chưa đạt yêu cầu' }).check();
  await otherPage.getByRole('button', { name: 'Bình chọn' }).click();
  await expect(bar(page, 1)).toContainText('109 phiếu');

  await page.goto(`/polls/${afterClose.id}`);
  await expect(page.getByText('Kết quả được công bố khi cuộc thăm dò kết thúc.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Bình chọn' })).toBeEnabled();
  const closed = await api.post(`/api/v1/polls/${afterClose.id}/close`);
  expect(closed.status()).toBe(200);
  await expect(page.locator('[data-poll-status]')).toHaveText('Đã kết thúc');
  await expect(bar(page, 0)).toContainText('1. Đạt yêu cầu, 1.180 phiếu (88 %)');
  await expect(page.getByRole('button', { name: 'Bình chọn' })).toBeDisabled();
  await context.close();
  await other.close();
});

test('the home page shows the newest open poll and takes a vote', async ({ page, baseURL }) => {
  const api = await asAdmin(baseURL);
  const poll = await createPoll(api);
  await page.goto('/');
  const box = page.getByRole('region', { name: 'Thăm dò ý kiến' });
  await expect(box.getByRole('heading', { level: 3 })).toHaveText(poll.question.vi);
  await box.getByRole('radio', { name: 'Chưa đạt yêu cầu' }).check();
  await box.getByRole('button', { name: 'Bình chọn' }).click();
  await expect(box.locator('[data-poll-bars] li').nth(1)).toContainText('108 phiếu');
  await expect(box.getByRole('link', { name: 'Xem tất cả cuộc thăm dò' })).toHaveAttribute('href', '/polls');
});

// framedBy opens a page of portal that frames src.
async function framedBy(page, portal, src) {
  await page.goto(`${portal.origin}/tin-tuc?src=${encodeURIComponent(src)}`);
  await page.waitForLoadState('load');
}

test('the widget works inside a frame of an allowed portal and is refused elsewhere', async ({ browser, baseURL }) => {
  const api = await asAdmin(baseURL);
  const poll = await createPoll(api);
  const widget = `${baseURL}/embed/poll/${poll.id}`;
  const portal = await servePortal(process.env.CIVICHUB_E2E_PORTAL);
  const crossSitePortal = await servePortal(process.env.CIVICHUB_E2E_CROSS_SITE_PORTAL);
  const notAllowed = await servePortal('http://127.0.0.2:0');
  const contexts = [];
  const newPage = async (options = {}) => {
    const context = await browser.newContext({ locale: 'vi-VN', ...options });
    contexts.push(context);
    return context.newPage();
  };

  try {
    // Another origin of this site: the widget shows and takes a vote.
    const page = await newPage();
    await framedBy(page, portal, widget);
    const frame = page.frameLocator('iframe');
    await expect(frame.getByRole('heading', { level: 1 })).toHaveText(poll.question.vi);
    await expect(frame.locator('[data-poll-bars] li').first()).toContainText('1. Đạt yêu cầu, 1.180 phiếu (88 %)');
    await frame.getByRole('radio', { name: 'Đạt yêu cầu', exact: true }).check();
    await frame.getByRole('button', { name: 'Bình chọn' }).click();
    await expect(frame.getByRole('status')).toHaveText('Bạn đã bình chọn. Cảm ơn bạn đã cho ý kiến!');
    await expect(frame.locator('[data-poll-bars] li').first()).toContainText('1.181 phiếu');
    await page.screenshot({ path: test.info().outputPath('poll-widget.png') });

    // The widget keeps its bars live inside the frame.
    const voter = await newPage({ baseURL });
    await voter.goto(`/polls/${poll.id}`);
    await voter.getByRole('radio', { name: 'Cần thêm chủ đề' }).check();
    await voter.getByRole('button', { name: 'Bình chọn' }).click();
    await expect(frame.locator('[data-poll-bars] li').nth(2)).toContainText('58 phiếu');

    // Any other page of civichub refuses the same frame.
    const other = await newPage();
    await framedBy(other, portal, `${baseURL}/polls/${poll.id}`);
    await expect(other.locator('iframe')).toBeVisible();
    await expect(other.frameLocator('iframe').getByRole('heading', { level: 1 })).toHaveCount(0);
    expect(other.frames()[1].url()).not.toContain('/polls/');

    // An allowed portal on another site shows the widget, live.
    const crossSite = await newPage();
    await framedBy(crossSite, crossSitePortal, widget);
    const crossFrame = crossSite.frameLocator('iframe');
    await expect(crossFrame.getByRole('heading', { level: 1 })).toHaveText(poll.question.vi);
    await expect(crossFrame.locator('.poll-total')).toHaveText('Tổng số phiếu: 1.346');

    // A site that is not allowed gets no widget.
    const refused = await newPage();
    await framedBy(refused, notAllowed, widget);
    await expect(refused.locator('iframe')).toBeVisible();
    await expect(refused.frameLocator('iframe').getByRole('heading', { level: 1 })).toHaveCount(0);
    expect(refused.frames()[1].url()).not.toContain('/embed/');
  } finally {
    for (const c of contexts) {
      await c.close();
    }
    await Promise.all([portal.close(), crossSitePortal.close(), notAllowed.close()]);
  }
});

test('poll pages pass axe', async ({ browser, baseURL }) => {
  const api = await asAdmin(baseURL);
  const always = await createPoll(api);
  const hidden = await createPoll(api, { results: 'after_close', multiple: true, max_choices: 2, baseline: null });
  const guest = await browser.newContext({ baseURL, locale: 'vi-VN' });
  let page = await guest.newPage();
  const check = async (path) => {
    const response = await page.goto(path);
    expect(response.status(), path).toBe(200);
    expect(await seriousViolations(page), path).toEqual([]);
  };
  await check('/polls');
  await check(`/polls/${always.id}`);
  await page.screenshot({ path: test.info().outputPath('poll.png'), fullPage: true });
  await check(`/polls/${hidden.id}`);
  await check(`/embed/poll/${always.id}`);
  await check('/');
  await page.screenshot({ path: test.info().outputPath('home-poll.png'), fullPage: true });
  await page.getByRole('button', { name: 'English' }).click();
  await check(`/polls/${always.id}`);
  await check('/polls');

  // The admin's pages, in the API client's session.
  const adminContext = await browser.newContext({ baseURL, locale: 'vi-VN', storageState: await api.storageState() });
  page = await adminContext.newPage();
  await check('/admin/polls');
  await check('/admin/polls/new');
  await check(`/admin/polls/${always.id}`);
  await check(`/admin/polls/${always.id}/edit`);
  await guest.close();
  await adminContext.close();
});
