// The forum as people use it: a resident starts a thread and a reply shows
// up in another browser without a reload, a moderator hides a post and the
// reader's page shows the reason instead, the unread badge rises live, the
// review queue fills live, search ignores diacritics, the forms work
// without JavaScript, and axe finds no serious violation on the forum pages.
//
// People are registered through the API (registration is not limited per
// address in these tests) and promoted by the demo admin, whose one login
// serves the whole file: logins are rate limited per account. New accounts
// may post twice a minute, so each test posts as its own residents.
import { request } from '@playwright/test';
import { test, expect, admin, newResident, seriousViolations } from './fixtures.js';

let seq = 0;
// tag makes words and names no other test or run uses (the tests share one
// server); it is lowercase letters and digits, one search token.
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

let adminAPI = null;
async function asAdmin(baseURL) {
  if (!adminAPI) {
    adminAPI = await apiContext(baseURL);
    const res = await adminAPI.post('/api/v1/auth/login', { data: { email: admin.email(), password: admin.password() } });
    expect(res.status(), await res.text()).toBe(200);
  }
  return adminAPI;
}

// person registers a resident (or, with role, promotes them) and returns
// their API client and details.
async function person(baseURL, name, role) {
  const user = newResident(name);
  const api = await apiContext(baseURL);
  const res = await api.post('/api/v1/auth/register', { data: { email: user.email, password: user.password, name: user.name } });
  expect(res.status(), await res.text()).toBe(201);
  user.id = (await res.json()).id;
  user.api = api;
  if (role) {
    const patched = await (await asAdmin(baseURL)).patch(`/api/v1/users/${user.id}`, { data: { role } });
    expect(patched.status(), await patched.text()).toBe(200);
    // The role change rotates the session on its next use: use it now, so
    // that the API client and the browsers share the new one.
    const me = await api.get('/api/v1/me');
    expect((await me.json()).role).toBe(role);
  }
  return user;
}

// browse opens a browser context in the person's session (a guest's
// without one).
async function browse(browser, baseURL, user, options = {}) {
  const storageState = user ? await user.api.storageState() : undefined;
  const context = await browser.newContext({ baseURL, locale: 'vi-VN', storageState, ...options });
  contexts.push(context);
  return context.newPage();
}

const contexts = [];
test.afterEach(async () => {
  for (const c of contexts.splice(0)) {
    await c.close();
  }
});

test.afterAll(async () => {
  for (const api of apis.splice(0)) {
    await api.dispose();
  }
  adminAPI = null;
});

let category = null;
async function forumCategory(baseURL) {
  if (!category) {
    const t = tag();
    const res = await (await asAdmin(baseURL)).post('/api/v1/categories', {
      data: { name: { vi: `Góp ý kiểm thử ${t}`, en: `Test feedback ${t}` }, slug: `gop-y-${t}`, agency_id: null },
    });
    expect(res.status(), await res.text()).toBe(201);
    category = await res.json();
  }
  return category;
}

// makeStaff makes user staff of the demo agency with slug, with a title.
async function makeStaff(baseURL, user, slug, title) {
  const api = await asAdmin(baseURL);
  const list = await (await api.get('/api/v1/agencies?limit=100')).json();
  const agency = list.items.find((a) => a.slug === slug);
  expect(agency, slug).toBeTruthy();
  const res = await api.post(`/api/v1/agencies/${agency.id}/staff`, { data: { user_id: user.id, title } });
  expect(res.status(), await res.text()).toBe(201);
}

async function newThread(baseURL, user, title, body) {
  const c = await forumCategory(baseURL);
  const res = await user.api.post('/api/v1/threads', { data: { category_id: c.id, title, body } });
  expect(res.status(), await res.text()).toBe(201);
  return res.json();
}

async function reply(user, threadID, body) {
  const res = await user.api.post(`/api/v1/threads/${threadID}/posts`, { data: { body } });
  expect(res.status(), await res.text()).toBe(201);
  return res.json();
}

function post(page, n) {
  return page.locator(`#post-${n}`);
}

test('a resident starts a thread and another browser sees the reply appear without a reload', async ({ browser, baseURL }) => {
  const c = await forumCategory(baseURL);
  const an = await person(baseURL, 'Nguyễn Văn An');
  const binh = await person(baseURL, 'Trần Thị Bình');
  const title = `Đường Nguyễn Huệ ngập nước ${tag()}`;

  const author = await browse(browser, baseURL, an);
  await author.goto('/forum');
  await author.getByRole('link', { name: c.name.vi }).click();
  await author.getByRole('link', { name: 'Tạo chủ đề mới' }).click();
  await author.getByLabel('Tiêu đề').fill(title);
  await author.getByLabel('Nội dung').fill('Mưa lớn làm **ngập** cả đoạn đường.');
  await author.getByRole('button', { name: 'Đăng chủ đề' }).click();
  await expect(author.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(author.getByText('Đã đăng chủ đề.')).toBeVisible();
  await expect(post(author, 1).locator('strong')).toHaveText('ngập');
  const threadURL = new URL(author.url()).pathname;

  const reader = await browse(browser, baseURL, null);
  await reader.goto(threadURL);
  await expect(post(reader, 1)).toContainText('Mưa lớn làm ngập cả đoạn đường.');
  await reader.evaluate(() => { window.notReloaded = true; });

  // Bình replies through the form; the reader's page and the author's get it.
  const replier = await browse(browser, baseURL, binh);
  await replier.goto(threadURL);
  await replier.getByLabel('Nội dung').fill('Sở Xây dựng đã **tiếp nhận** phản ánh.');
  await replier.getByRole('button', { name: 'Gửi trả lời' }).click();
  await expect(replier).toHaveURL(`${threadURL}#post-2`);

  await expect(post(reader, 2)).toContainText('Sở Xây dựng đã tiếp nhận phản ánh.');
  await expect(post(reader, 2).locator('strong')).toHaveText('tiếp nhận');
  await expect(post(reader, 2).locator('.post-name')).toHaveText('Trần Thị Bình');
  await expect(post(reader, 2).locator('time')).not.toBeEmpty();
  expect(await reader.evaluate(() => window.notReloaded)).toBe(true);
  await expect(post(author, 2)).toContainText('Sở Xây dựng đã tiếp nhận phản ánh.');

  // Agency staff answer as their agency's official voice.
  const staff = await person(baseURL, 'Lê Văn Chuyên Viên');
  await makeStaff(baseURL, staff, 'so-xay-dung', 'Chuyên viên Phòng Quản lý xây dựng');
  await reply(staff, threadURL.split('/').pop(), 'Sở đã cử đoàn kiểm tra hệ thống thoát nước.');
  await expect(post(reader, 3)).toContainText('Sở đã cử đoàn kiểm tra hệ thống thoát nước.');
  await expect(post(reader, 3)).toHaveClass(/post-official/);
  await expect(post(reader, 3).locator('.post-author')).toHaveText(
    /Lê Văn Chuyên Viên\s*Trả lời chính thức\s*Sở Xây dựng, Chuyên viên Phòng Quản lý xây dựng/);
  await reader.screenshot({ path: test.info().outputPath('forum-live.png'), fullPage: true });
  // The author may report it; the guest sees no links for members.
  await expect(post(author, 2).getByRole('link', { name: /Báo cáo vi phạm/ })).toBeVisible();
  await expect(post(reader, 2).getByRole('link')).toHaveCount(1); // its number
});

test('the unread badge rises without a reload', async ({ browser, baseURL }) => {
  const an = await person(baseURL, 'Lê Văn Theo Dõi');
  const binh = await person(baseURL, 'Phạm Thị Trả Lời');
  const thread = await newThread(baseURL, an, `Xin cấp nước sạch ${tag()}`, 'Khu phố 4 chưa có nước máy.');

  const page = await browse(browser, baseURL, an);
  await page.goto('/forum');
  const link = page.getByRole('banner').getByRole('link', { name: /^Thông báo/ });
  await expect(link).toBeVisible();
  await expect(link.locator('[data-unread]')).toBeHidden();
  await page.evaluate(() => { window.notReloaded = true; });

  await reply(binh, thread.id, 'Tôi cũng chưa có nước.');
  await expect(link.locator('[data-unread]')).toBeVisible();
  await expect(link).toHaveAccessibleName('Thông báo 1 chưa đọc');
  await reply(binh, thread.id, 'Đã gửi đơn lên phường.');
  await expect(link.locator('[data-unread-count]')).toHaveText('2');
  expect(await page.evaluate(() => window.notReloaded)).toBe(true);

  // The notifications page lists them and marks them read.
  await link.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thông báo');
  await expect(page.getByRole('link', { name: `Phạm Thị Trả Lời đã viết trong chủ đề “${thread.title}”` })).toHaveCount(2);
  await page.getByRole('button', { name: 'Đánh dấu tất cả là đã đọc' }).click();
  await expect(page.getByText('Đã đánh dấu tất cả thông báo là đã đọc.')).toBeVisible();
  await expect(page.getByRole('banner').locator('[data-unread]')).toBeHidden();
});

test('a moderator hides a post and the reader sees the reason in its place without a reload', async ({ browser, baseURL }) => {
  const an = await person(baseURL, 'Võ Văn Chủ Đề');
  const binh = await person(baseURL, 'Đỗ Thị Thô Lỗ');
  const mod = await person(baseURL, 'Trần Kiểm Duyệt', 'moderator');
  const thread = await newThread(baseURL, an, `Rác thải ở kênh Nhiêu Lộc ${tag()}`, 'Cần nạo vét kênh.');
  const rude = await reply(binh, thread.id, 'Lời lẽ khiếm nhã nhắm vào người khác.');

  const reader = await browse(browser, baseURL, null);
  await reader.goto(`/forum/t/${thread.id}`);
  await expect(post(reader, 2)).toContainText('Lời lẽ khiếm nhã');
  await reader.evaluate(() => { window.notReloaded = true; });

  const moderator = await browse(browser, baseURL, mod);
  await moderator.goto(`/forum/t/${thread.id}`);
  await post(moderator, 2).getByRole('link', { name: /Kiểm duyệt/ }).click();
  await expect(moderator.getByRole('heading', { level: 1 })).toHaveText('Kiểm duyệt bài viết số 2');
  await moderator.getByLabel('Lý do', { exact: true }).selectOption({ label: 'Xúc phạm, lăng mạ' });
  await moderator.locator('#note-hide').fill('Ngôn từ xúc phạm');
  await moderator.getByRole('button', { name: 'Ẩn bài viết' }).click();
  await expect(moderator.getByText('Đã ẩn bài viết.')).toBeVisible();

  await expect(post(reader, 2)).toContainText('Bài viết đã bị ẩn. Lý do: Xúc phạm, lăng mạ');
  await expect(post(reader, 2)).not.toContainText('khiếm nhã');
  expect(await reader.evaluate(() => window.notReloaded)).toBe(true);

  // Restored, it comes back in place; the audit log has both actions.
  await moderator.getByRole('button', { name: 'Hiện lại' }).click();
  await expect(post(reader, 2)).toContainText('Lời lẽ khiếm nhã');
  await moderator.goto('/mod/audit');
  const row = moderator.getByRole('row').filter({ has: moderator.locator(`a[href="/mod/p/${rude.id}"]`) });
  await expect(row.filter({ hasText: 'Ẩn bài viết' })).toContainText('Xúc phạm, lăng mạ');
  await expect(row.filter({ hasText: 'Hiện lại bài viết' })).toContainText('Trần Kiểm Duyệt');

  // Its author's edit, then its deletion, show in place too.
  const edited = await binh.api.patch(`/api/v1/posts/${rude.id}`, { data: { body: 'Xin lỗi, tôi đã viết **lại** cho đúng mực.' } });
  expect(edited.status(), await edited.text()).toBe(200);
  await expect(post(reader, 2)).toContainText('Xin lỗi, tôi đã viết lại cho đúng mực.');
  await expect(post(reader, 2).locator('strong')).toHaveText('lại');
  await expect(post(reader, 2).getByText('(đã sửa)')).toBeVisible();
  const deleted = await mod.api.post(`/api/v1/mod/posts/${rude.id}/delete`, { data: { note: 'Trùng lặp' } });
  expect(deleted.status(), await deleted.text()).toBe(200);
  await expect(post(reader, 2)).toContainText('Bài viết đã bị xoá.');
  await expect(post(reader, 2)).not.toContainText('Xin lỗi');
  expect(await reader.evaluate(() => window.notReloaded)).toBe(true);

  // Locking shows at once, and the reply form goes away.
  const member = await browse(browser, baseURL, an);
  await member.goto(`/forum/t/${thread.id}`);
  await expect(member.getByLabel('Nội dung')).toBeVisible();
  await moderator.goto(`/forum/t/${thread.id}`);
  await moderator.getByRole('button', { name: 'Khóa chủ đề' }).click();
  await expect(moderator.getByText('Đã khóa chủ đề.')).toBeVisible();
  await expect(member.getByText('Chủ đề đã bị khóa: không thể gửi thêm bài trả lời.')).toBeVisible();
  await expect(member.getByLabel('Nội dung')).toBeHidden();
});

test('the review queue fills and empties live', async ({ browser, baseURL }) => {
  const mod = await person(baseURL, 'Ngô Văn Duyệt', 'moderator');
  const writer = await person(baseURL, 'Hồ Thị Viết');
  const word = tag();

  const dashboard = await browse(browser, baseURL, mod);
  await dashboard.goto('/mod/words');
  await dashboard.getByLabel('Từ ngữ').fill(word);
  await dashboard.getByLabel('Đưa vào hàng chờ duyệt').check();
  await dashboard.getByRole('button', { name: 'Lưu từ' }).click();
  await expect(dashboard.getByRole('cell', { name: word, exact: true })).toBeVisible();
  await dashboard.getByRole('link', { name: 'Hàng chờ duyệt' }).click();
  await expect(dashboard.getByRole('heading', { level: 1 })).toHaveText('Kiểm duyệt');
  await dashboard.evaluate(() => { window.notReloaded = true; });

  const thread = await newThread(baseURL, writer, `Chủ đề có từ ${word}`, `Bài viết nhắc đến ${word} cần duyệt.`);
  const queued = thread.posts[0];
  const item = dashboard.locator(`[data-queue-item="${queued.id}"]`);
  await expect(item).toBeVisible();
  await expect(item).toContainText(`Bài viết nhắc đến ${word} cần duyệt.`);
  expect(await dashboard.evaluate(() => window.notReloaded)).toBe(true);

  // Approved in another tab, it leaves this one.
  const other = await dashboard.context().newPage();
  await other.goto(`/mod/p/${queued.id}`);
  await other.getByRole('button', { name: 'Hiện lại' }).click();
  await expect(other.getByText('Đã hiện lại bài viết.')).toBeVisible();
  await expect(item).toHaveCount(0);
  expect(await dashboard.evaluate(() => window.notReloaded)).toBe(true);
});

test('search finds "Sở Xây dựng" by "so xay dung"', async ({ page, baseURL }) => {
  const writer = await person(baseURL, 'Lý Thị Tìm');
  const t = tag();
  const thread = await newThread(baseURL, writer, `Góp ý gửi Sở Xây dựng ${t}`, `Về quy hoạch khu dân cư Đà Nẵng ${t}.`);

  await page.goto('/search');
  await page.getByLabel('Tìm trong diễn đàn').fill('');
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await expect(page.locator('#f-q-error')).toContainText('Hãy nhập từ khóa tìm kiếm.');

  await page.getByLabel('Tìm trong diễn đàn').fill(`so xay dung ${t}`);
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await expect(page.getByRole('link', { name: thread.title })).toHaveAttribute('href', `/forum/t/${thread.id}`);
  await page.goto(`/search?q=${encodeURIComponent(`sở xây dựng ${t}`)}`);
  await expect(page.getByRole('link', { name: thread.title })).toBeVisible();
  await page.goto(`/search?q=${encodeURIComponent(`da nang ${t}`)}`);
  await page.getByRole('link', { name: thread.title }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(thread.title);
  await expect(page).toHaveURL(new RegExp(`/forum/t/${thread.id}#post-1$`));
});

test('the forum forms work without JavaScript', async ({ browser, baseURL }) => {
  const c = await forumCategory(baseURL);
  const an = await person(baseURL, 'Mai Văn Không Script');
  const binh = await person(baseURL, 'Đặng Thị Báo Cáo');
  const mod = await person(baseURL, 'Tạ Văn Kiểm', 'moderator');
  const noJS = { javaScriptEnabled: false };
  const title = `Cấp phép sửa nhà ${tag()}`;

  const page = await browse(browser, baseURL, an, noJS);
  await page.goto(`/forum/c/${c.slug}/new`);
  await page.getByRole('button', { name: 'Đăng chủ đề' }).click();
  await expect(page.locator('#f-subject-error')).toContainText('Trường này là bắt buộc.');
  await expect(page.locator('#f-body-error')).toContainText('Trường này là bắt buộc.');
  await page.getByLabel('Tiêu đề').fill(title);
  await page.getByLabel('Nội dung').fill('Nhà 3 tầng có cần giấy phép không?');
  await page.getByRole('button', { name: 'Đăng chủ đề' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  const threadURL = new URL(page.url()).pathname;

  const other = await browse(browser, baseURL, binh, noJS);
  await other.goto(threadURL);
  await other.getByRole('button', { name: 'Gửi trả lời' }).click();
  await expect(other.locator('#body-reply-error')).toContainText('Trường này là bắt buộc.');
  await other.getByLabel('Nội dung').fill('Cần, theo quy định hiện hành.');
  await other.getByRole('button', { name: 'Gửi trả lời' }).click();
  await expect(other).toHaveURL(`${threadURL}#post-2`);
  await expect(post(other, 2)).toContainText('Cần, theo quy định hiện hành.');

  // Bình reports the opening post.
  await post(other, 1).getByRole('link', { name: /Báo cáo vi phạm/ }).click();
  await other.getByRole('button', { name: 'Gửi báo cáo' }).click();
  await expect(other.locator('#f-reason-error')).toBeVisible();
  await other.getByLabel('Lý do').selectOption({ label: 'Không đúng chủ đề' });
  await other.getByLabel('Ghi chú').fill('Nên chuyển sang chuyên mục khác');
  await other.getByRole('button', { name: 'Gửi báo cáo' }).click();
  await expect(other.getByText('Cảm ơn bạn. Báo cáo đã được gửi tới điều hành viên.')).toBeVisible();

  // An follows, edits, unfollows.
  await page.reload();
  await post(page, 1).getByRole('link', { name: /^Sửa/ }).click();
  await page.getByLabel('Nội dung').fill('Nhà 3 tầng có cần giấy phép không? Xin cảm ơn.');
  await page.getByRole('button', { name: 'Lưu bài viết' }).click();
  await expect(post(page, 1)).toContainText('Xin cảm ơn.');
  await expect(post(page, 1)).toContainText('(đã sửa)');
  await page.getByRole('button', { name: 'Bỏ theo dõi' }).click();
  await expect(page.getByText('Bạn đã bỏ theo dõi chủ đề này.')).toBeVisible();

  // The moderator hides Bình's reply and pins the thread with forms.
  const moderator = await browse(browser, baseURL, mod, noJS);
  await moderator.goto(threadURL);
  await post(moderator, 2).getByRole('link', { name: /Kiểm duyệt/ }).click();
  await moderator.getByLabel('Lý do', { exact: true }).selectOption({ label: 'Quảng cáo, tin rác' });
  await moderator.getByRole('button', { name: 'Ẩn bài viết' }).click();
  await expect(moderator.getByText('Đã ẩn bài viết.')).toBeVisible();
  await moderator.goto(threadURL);
  await moderator.getByRole('button', { name: 'Ghim chủ đề' }).click();
  await expect(moderator.getByText('Đã ghim chủ đề.')).toBeVisible();
  await other.goto(threadURL);
  await expect(post(other, 2)).toContainText('Bài viết đã bị ẩn. Lý do: Quảng cáo, tin rác');
  await expect(other.locator('[data-badge="pinned"]')).toBeVisible();

  // Search without JavaScript is a plain GET form.
  await other.goto('/search');
  await other.getByLabel('Tìm trong diễn đàn').fill(title.toLowerCase());
  await other.getByRole('button', { name: 'Tìm', exact: true }).click();
  await expect(other.getByRole('link', { name: title })).toBeVisible();
});

test('residents are refused the moderation pages and admins add categories', async ({ browser, baseURL }) => {
  const resident = await person(baseURL, 'Cao Văn Tò Mò');
  const page = await browse(browser, baseURL, resident);
  for (const path of ['/mod', '/mod/words', '/mod/audit']) {
    const response = await page.goto(path);
    expect(response.status(), path).toBe(403);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Không có quyền truy cập');
  }
  await expect(page.getByRole('navigation', { name: 'Điều hướng chính' })).not.toContainText('Kiểm duyệt');

  const t = tag();
  const adminPage = await browser.newContext({ baseURL, locale: 'vi-VN', storageState: await (await asAdmin(baseURL)).storageState() })
    .then((context) => { contexts.push(context); return context.newPage(); });
  await adminPage.goto('/admin/categories');
  await adminPage.getByRole('button', { name: 'Thêm chuyên mục' }).click();
  await expect(adminPage.locator('#f-name_vi-error')).toContainText('Trường này là bắt buộc.');
  await adminPage.getByLabel('Tên tiếng Việt').fill(`Hỏi đáp xây dựng ${t}`);
  await adminPage.getByLabel('Tên tiếng Anh').fill(`Construction Q&A ${t}`);
  await adminPage.getByLabel('Đường dẫn').fill(`hoi-dap-${t}`);
  await adminPage.getByLabel('Cơ quan phụ trách').selectOption({ label: 'Sở Xây dựng' });
  await adminPage.getByRole('button', { name: 'Thêm chuyên mục' }).click();
  await expect(adminPage.getByText('Đã thêm chuyên mục.')).toBeVisible();
  await adminPage.getByRole('link', { name: `Hỏi đáp xây dựng ${t}` }).click();
  await expect(adminPage.getByRole('heading', { level: 1 })).toHaveText(`Hỏi đáp xây dựng ${t}`);
  await expect(adminPage.getByText('Cơ quan trả lời: Sở Xây dựng')).toBeVisible();
});

test('forum pages pass axe', async ({ browser, baseURL }) => {
  const c = await forumCategory(baseURL);
  const writer = await person(baseURL, 'Kiều Thị Truy Cập');
  const mod = await person(baseURL, 'Bùi Văn Soát', 'moderator');
  const t = tag();
  const thread = await newThread(baseURL, writer, `Góp ý về vỉa hè ${t}`, 'Vỉa hè bị **lấn chiếm**.\n\n- Bán hàng\n- Để xe');
  const staff = await person(baseURL, 'Đinh Thị Cán Bộ');
  await makeStaff(baseURL, staff, 'so-xay-dung', 'Chuyên viên');
  await reply(staff, thread.id, `Đã chuyển cho phường xử lý ${t}. [Xem quy định](https://example.gov.vn/quy-dinh)`);
  await reply(mod, thread.id, 'Chủ đề đã được chuyển đúng chuyên mục.');

  const check = async (page, path, status = 200) => {
    const response = await page.goto(path);
    expect(response.status(), path).toBe(status);
    expect(await seriousViolations(page), path).toEqual([]);
  };
  const guest = await browse(browser, baseURL, null);
  await check(guest, '/forum');
  await check(guest, `/forum/c/${c.slug}`);
  await check(guest, `/forum/t/${thread.id}`);
  await guest.screenshot({ path: test.info().outputPath('forum-thread.png'), fullPage: true });
  await check(guest, `/search?q=${t}`);
  await check(guest, '/search?q=', 400);

  const member = await browse(browser, baseURL, writer);
  await check(member, `/forum/t/${thread.id}`);
  await check(member, `/forum/c/${c.slug}/new`);
  await check(member, `/forum/p/${thread.posts[0].id}/edit`);
  await check(member, '/notifications');

  const moderator = await browse(browser, baseURL, mod);
  await check(moderator, '/mod');
  await moderator.screenshot({ path: test.info().outputPath('mod-dashboard.png'), fullPage: true });
  await check(moderator, `/mod/p/${thread.posts[0].id}`);
  await check(moderator, `/mod/users/${writer.id}`);
  await check(moderator, '/mod/words');
  await check(moderator, '/mod/audit');
  await check(moderator, `/forum/t/${thread.id}`);
  await moderator.getByRole('button', { name: 'English' }).click();
  await check(moderator, `/forum/t/${thread.id}`);
  await check(moderator, '/mod');
});
