// The Q&A section as people use it: a resident asks Sở Xây dựng through
// the form, the agency's demo staff member accepts it from the queue and
// answers while the resident's page is open in another browser, where the
// answer appears without a reload; the queue and the home page's box of
// recent answers fill live; a private question is a 404 for everyone else;
// the scorecard shows figures; the ask form works without JavaScript; the
// answers widget works, live, in an allowed portal's frame only; and axe
// finds no serious violation on the Q&A pages.
//
// Residents are registered through the API (registration is not limited
// per address in these tests); the demo staff member logs in once for the
// whole file, since logins are rate limited per account.
import { request } from '@playwright/test';
import { test, expect, staff, newResident, seriousViolations } from './fixtures.js';
import { servePortal } from './portal.js';

let seq = 0;
// tag makes titles no other test or run uses (the tests share one server).
function tag() {
  seq += 1;
  return `kt${Date.now().toString(36)}${seq}`;
}

const apis = [];
async function apiContext(baseURL) {
  const api = await request.newContext({ baseURL });
  apis.push(api);
  return api;
}

// person registers a resident and returns their API client and details.
async function person(baseURL, name) {
  const user = newResident(name);
  const api = await apiContext(baseURL);
  const res = await api.post('/api/v1/auth/register', { data: { email: user.email, password: user.password, name: user.name } });
  expect(res.status(), await res.text()).toBe(201);
  user.id = (await res.json()).id;
  user.api = api;
  return user;
}

let staffUser = null;
// asStaff logs the demo staff member of Sở Xây dựng in, once.
async function asStaff(baseURL) {
  if (!staffUser) {
    const api = await apiContext(baseURL);
    const res = await api.post('/api/v1/auth/login', { data: { email: staff.email(), password: staff.password() } });
    expect(res.status(), await res.text()).toBe(200);
    staffUser = { api, ...(await res.json()) };
  }
  return staffUser;
}

let agency = null;
async function soXayDung(baseURL) {
  if (!agency) {
    const api = await apiContext(baseURL);
    const list = await (await api.get('/api/v1/agencies?limit=100')).json();
    agency = list.items.find((a) => a.slug === 'so-xay-dung');
    expect(agency).toBeTruthy();
  }
  return agency;
}

const contexts = [];
// browse opens a browser context in the person's session (a guest's
// without one).
async function browse(browser, baseURL, user, options = {}) {
  const storageState = user ? await user.api.storageState() : undefined;
  const context = await browser.newContext({ baseURL, locale: 'vi-VN', storageState, ...options });
  contexts.push(context);
  return context.newPage();
}

test.afterEach(async () => {
  for (const c of contexts.splice(0)) {
    await c.close();
  }
});

test.afterAll(async () => {
  for (const api of apis.splice(0)) {
    await api.dispose();
  }
  staffUser = null;
  agency = null;
});

// askByAPI asks Sở Xây dựng a question as user and returns it.
async function askByAPI(baseURL, user, title, extra = {}) {
  const ag = await soXayDung(baseURL);
  const res = await user.api.post('/api/v1/questions', {
    data: { agency_id: ag.id, title, body: 'Xin cơ quan hướng dẫn thủ tục.', ...extra },
  });
  expect(res.status(), await res.text()).toBe(201);
  return res.json();
}

async function staffAction(baseURL, path, data) {
  const s = await asStaff(baseURL);
  const res = await s.api.post(path, { data });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return res.json();
}

test('a resident asks, the agency answers, and the answer appears on the open page without a reload', async ({ browser, baseURL }) => {
  const an = await person(baseURL, 'Nguyễn Văn An');
  const title = `Thủ tục cấp phép sửa chữa nhà ở ${tag()}`;

  const resident = await browse(browser, baseURL, an);
  await resident.goto('/questions');
  await resident.getByRole('link', { name: 'Đặt câu hỏi' }).first().click();
  await expect(resident.getByRole('heading', { level: 1 })).toHaveText('Đặt câu hỏi cho cơ quan nhà nước');
  await resident.getByLabel('Cơ quan', { exact: true }).selectOption({ label: 'Sở Xây dựng' });
  await resident.getByLabel('Lĩnh vực').fill('Cấp phép xây dựng');
  await resident.getByLabel('Tiêu đề').fill(title);
  await resident.getByLabel('Nội dung').fill('Nhà tôi cần **sửa mái**. Có phải xin phép không?');
  await resident.getByLabel('Số điện thoại').fill('0905 111 222');
  await resident.getByRole('button', { name: 'Gửi câu hỏi' }).click();
  await expect(resident.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(resident.getByRole('status').filter({ hasText: 'Đã gửi câu hỏi.' })).toBeVisible();
  await expect(resident.locator('[data-q-status]')).toHaveText('Chờ tiếp nhận');
  await expect(resident.locator('.question-body strong')).toHaveText('sửa mái');
  // The contact details are the asker's and the agency's.
  await expect(resident.getByText('0905 111 222')).toBeVisible();
  const questionURL = new URL(resident.url()).pathname;
  // Marks this very document: a reload would lose it.
  await resident.evaluate(() => { window.notReloaded = true; });

  // The staff member finds it in the agency's queue and accepts it there.
  const officer = await browse(browser, baseURL, await asStaff(baseURL));
  await officer.goto('/');
  await officer.getByRole('link', { name: 'Câu hỏi gửi: Sở Xây dựng' }).click();
  await expect(officer.getByRole('heading', { level: 1 })).toHaveText('Câu hỏi gửi Sở Xây dựng');
  await officer.getByRole('button', { name: `Tiếp nhận câu hỏi “${title}”` }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Đã tiếp nhận câu hỏi.' })).toBeVisible();

  // The resident's page shows the acceptance live.
  await expect(resident.locator('[data-q-status]')).toHaveText('Đã tiếp nhận');

  // The staff member answers on the question's page.
  await officer.goto(questionURL);
  await expect(officer.getByText('0905 111 222')).toBeVisible();
  await officer.locator('#body-answer').fill('Sửa chữa mái nhà **không phải xin giấy phép** xây dựng.');
  await officer.getByRole('button', { name: 'Đăng câu trả lời' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Đã đăng câu trả lời chính thức.' })).toBeVisible();

  // The answer appears on the resident's open page, attributed to the
  // agency and the staff member with their title.
  const answer = resident.locator('#answer .official-answer');
  await expect(answer).toBeVisible();
  await expect(answer.locator('.answer-body strong')).toHaveText('không phải xin giấy phép');
  await expect(answer).toContainText('Sở Xây dựng');
  await expect(answer).toContainText('Lê Văn Cán Bộ, Chuyên viên Phòng Quản lý xây dựng');
  await expect(resident.locator('[data-q-status]')).toHaveText('Đã trả lời');
  await expect(resident.locator('.qa-history')).toContainText('đăng câu trả lời chính thức');
  expect(await resident.evaluate(() => window.notReloaded)).toBe(true);
  // The resident may now close the question.
  await expect(resident.getByRole('button', { name: 'Đóng câu hỏi' })).toBeVisible();

  // A revision with its reason shows live too, the earlier text kept.
  await officer.locator('#body-revise').fill('Sửa chữa mái nhà **không cần giấy phép** xây dựng.');
  await officer.locator('#reason-revise').fill('Sửa cách diễn đạt');
  await officer.getByRole('button', { name: 'Đăng bản đính chính' }).click();
  await expect(answer.locator('.answer-body strong')).toHaveText('không cần giấy phép');
  await expect(answer).toContainText('Sửa cách diễn đạt');
  await answer.getByText(/Các bản của câu trả lời/).click();
  await expect(answer.locator('.answer-versions')).toContainText('không phải xin giấy phép');
  expect(await resident.evaluate(() => window.notReloaded)).toBe(true);
  expect(await seriousViolations(resident)).toEqual([]);
});

test('the queue and the home page fill live', async ({ browser, baseURL }) => {
  const binh = await person(baseURL, 'Trần Thị Bình');
  const ag = await soXayDung(baseURL);
  const officer = await browse(browser, baseURL, await asStaff(baseURL));
  await officer.goto(`/agencies/${ag.id}/questions`);
  const home = await browse(browser, baseURL, null);
  await home.goto('/');
  const box = home.getByRole('region', { name: 'Câu hỏi vừa được trả lời' });
  await expect(box).toBeVisible();

  const title = `Hạn giải quyết hồ sơ cấp phép ${tag()}`;
  const q = await askByAPI(baseURL, binh, title);
  await expect(officer.getByRole('link', { name: title })).toBeVisible();

  await staffAction(baseURL, `/api/v1/questions/${q.id}/status`, { status: 'accepted' });
  await staffAction(baseURL, `/api/v1/questions/${q.id}/answers`, { body: 'Thời hạn là 15 ngày làm việc.' });
  const item = box.getByRole('link', { name: title });
  await expect(item).toBeVisible();
  await expect(item).toHaveAttribute('href', `/questions/${q.id}`);
  await expect(box.locator(`[data-question="${q.id}"]`)).toContainText('Thời hạn là 15 ngày làm việc.');
});

test('the answers widget shows live inside an allowed portal and is refused elsewhere', async ({ browser, baseURL }) => {
  const portal = await servePortal(process.env.CIVICHUB_E2E_PORTAL);
  const notAllowed = await servePortal('http://127.0.0.2:0');
  const framed = await browse(browser, baseURL, null);
  const refused = await browse(browser, baseURL, null);
  try {
    await framed.goto(`${portal.origin}/tin-tuc?src=${encodeURIComponent(`${baseURL}/embed/answers`)}`);
    const frame = framed.frameLocator('iframe');
    await expect(frame.getByRole('heading', { level: 1 })).toHaveText('Câu hỏi vừa được trả lời');
    await expect(frame.getByRole('link', { name: /Xây nhà ở riêng lẻ 3 tầng/ })).toHaveAttribute('target', '_blank');

    const asker = await person(baseURL, 'Hồ Thị Nhúng');
    const title = `Lệ phí cấp giấy phép xây dựng ${tag()}`;
    const q = await askByAPI(baseURL, asker, title);
    await staffAction(baseURL, `/api/v1/questions/${q.id}/status`, { status: 'accepted' });
    await staffAction(baseURL, `/api/v1/questions/${q.id}/answers`, { body: 'Lệ phí theo nghị quyết của HĐND tỉnh.' });
    await expect(frame.getByRole('link', { name: title })).toBeVisible();

    // Any other page of civichub refuses the frame, and so does the widget
    // in a portal that is not allowed.
    await refused.goto(`${portal.origin}/tin-tuc?src=${encodeURIComponent(`${baseURL}/questions/${q.id}`)}`);
    await expect(refused.locator('iframe')).toBeVisible();
    await expect(refused.frameLocator('iframe').getByRole('heading', { level: 1 })).toHaveCount(0);
    await refused.goto(`${notAllowed.origin}/tin-tuc?src=${encodeURIComponent(`${baseURL}/embed/answers`)}`);
    await expect(refused.locator('iframe')).toBeVisible();
    await expect(refused.frameLocator('iframe').getByRole('heading', { level: 1 })).toHaveCount(0);
  } finally {
    await Promise.all([portal.close(), notAllowed.close()]);
  }
});

test('a private question is not found for another resident', async ({ browser, baseURL }) => {
  const asker = await person(baseURL, 'Lê Thị Hỏi');
  const other = await person(baseURL, 'Phạm Văn Khác');
  const title = `Tranh chấp ranh giới đất ${tag()}`;

  const page = await browse(browser, baseURL, asker);
  await page.goto('/questions/new');
  await page.getByLabel('Cơ quan', { exact: true }).selectOption({ label: 'Sở Xây dựng' });
  await page.getByLabel('Tiêu đề').fill(title);
  await page.getByLabel('Nội dung').fill('Nhà bên cạnh xây lấn 20 cm.');
  await page.getByLabel('Câu hỏi riêng tư').check();
  await page.getByRole('button', { name: 'Gửi câu hỏi' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.locator('.question-meta .badge-private')).toHaveText('Riêng tư');
  const questionURL = new URL(page.url()).pathname;
  await page.goto('/questions?mine=true');
  await expect(page.getByRole('link', { name: title })).toBeVisible();

  const stranger = await browse(browser, baseURL, other);
  const res = await stranger.goto(questionURL);
  expect(res.status()).toBe(404);
  await expect(stranger.getByRole('heading', { level: 1 })).toHaveText('Không tìm thấy trang');
  await expect(stranger.getByText(title)).toHaveCount(0);
  await stranger.goto('/questions');
  await expect(stranger.getByText(title)).toHaveCount(0);

  const guest = await browse(browser, baseURL, null);
  expect((await guest.goto(questionURL)).status()).toBe(404);

  // Once accepted, it stays private: still not found.
  const q = questionURL.split('/').pop();
  await staffAction(baseURL, `/api/v1/questions/${q}/status`, { status: 'accepted' });
  expect((await stranger.goto(questionURL)).status()).toBe(404);
});

test('the scorecard shows the agency figures', async ({ page, baseURL }) => {
  const ag = await soXayDung(baseURL);
  await page.goto('/agencies');
  await page.getByRole('link', { name: 'Sở Xây dựng', exact: true }).click();
  await expect(page).toHaveURL(`/agencies/${ag.id}/scorecard`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Kết quả trả lời: Sở Xây dựng');
  const table = page.getByRole('table', { name: 'Số liệu theo khoảng thời gian gần nhất' });
  await expect(table.getByRole('columnheader', { name: '30 ngày qua' })).toBeVisible();
  // The demo content has an answered question of Sở Xây dựng's.
  const answered = Number(await page.locator('[data-figure="answered-365"]').innerText());
  expect(answered).toBeGreaterThanOrEqual(1);
  expect(Number(await page.locator('[data-figure="received-365"]').innerText())).toBeGreaterThanOrEqual(answered);
  await expect(page.locator('[data-figure="share-365"]')).toHaveText(/^\d+(,\d+)?%$/);
  await expect(page.locator('[data-figure="median-365"]')).toContainText('ngày làm việc');
  await expect(page.getByText('Thời hạn trả lời', { exact: true })).toBeVisible();
});

test('the ask form shows its errors next to the fields without JavaScript', async ({ browser, baseURL }) => {
  const user = await person(baseURL, 'Võ Văn Không Script');
  const page = await browse(browser, baseURL, user, { javaScriptEnabled: false });
  await page.goto('/questions/new');
  await page.getByLabel('Tiêu đề').fill('Ngắn');
  await page.getByRole('button', { name: 'Gửi câu hỏi' }).click();
  await expect(page).toHaveTitle(/^Lỗi: /);
  await expect(page.locator('#f-agency-error')).toContainText('Trường này là bắt buộc.');
  await expect(page.getByLabel('Tiêu đề')).toHaveValue('Ngắn');
  await page.getByLabel('Cơ quan', { exact: true }).selectOption({ label: 'Sở Xây dựng' });
  await page.getByRole('button', { name: 'Gửi câu hỏi' }).click();
  await expect(page.locator('#f-subject-error')).toContainText('Tiêu đề câu hỏi phải có ít nhất 10 ký tự.');
  await page.getByLabel('Tiêu đề').fill(`Câu hỏi gửi không dùng JavaScript ${tag()}`);
  await page.getByLabel('Nội dung').fill('Nội dung câu hỏi.');
  await page.getByRole('button', { name: 'Gửi câu hỏi' }).click();
  await expect(page.locator('[data-q-status]')).toHaveText('Chờ tiếp nhận');
});

test('axe finds no serious violation on the Q&A pages', async ({ browser, baseURL }) => {
  const ag = await soXayDung(baseURL);
  const user = await person(baseURL, 'Đặng Thị Kiểm Tra');
  const q = await askByAPI(baseURL, user, `Kiểm tra khả năng tiếp cận ${tag()}`, { contact: { name: 'Đặng Thị Kiểm Tra', phone: '0905 333 444' } });
  const check = async (page, path) => {
    const res = await page.goto(path);
    expect(res.status(), path).toBeLessThan(400);
    expect(await seriousViolations(page), path).toEqual([]);
  };

  const guest = await browse(browser, baseURL, null);
  for (const path of ['/questions', '/agencies', `/agencies/${ag.id}/scorecard`, '/embed/answers', '/']) {
    await check(guest, path);
  }
  await guest.goto('/questions');
  await guest.getByRole('link', { name: /Xây nhà ở riêng lẻ 3 tầng/ }).click();
  expect(await seriousViolations(guest)).toEqual([]);

  const resident = await browse(browser, baseURL, user);
  for (const path of ['/questions/new', `/questions/${q.id}`, '/questions?mine=true']) {
    await check(resident, path);
  }
  await resident.goto('/questions/new');
  await resident.getByRole('button', { name: 'Gửi câu hỏi' }).click();
  await expect(resident.locator('.error-summary')).toBeVisible();
  expect(await seriousViolations(resident)).toEqual([]);

  const officer = await browse(browser, baseURL, await asStaff(baseURL));
  for (const path of [`/agencies/${ag.id}/questions`, `/agencies/${ag.id}/questions?tab=accepted`, `/questions/${q.id}`]) {
    await check(officer, path);
  }
  // A refused staff form: a rejection without its reason. The error stays
  // when the page's script has fetched its live parts.
  const synced = officer.waitForResponse((r) => r.url().endsWith(`/questions/${q.id}/parts`));
  await officer.getByRole('button', { name: 'Từ chối câu hỏi' }).click();
  await synced;
  await expect(officer.locator('#reason-reject-error')).toHaveText(/Trường này là bắt buộc/);
  expect(await seriousViolations(officer)).toEqual([]);

  // In English too.
  const english = await browse(browser, baseURL, user);
  await english.goto('/');
  await english.getByRole('button', { name: 'English' }).click();
  for (const path of ['/questions', `/questions/${q.id}`, `/agencies/${ag.id}/scorecard`, '/embed/answers?lang=en']) {
    await check(english, path);
  }
});
