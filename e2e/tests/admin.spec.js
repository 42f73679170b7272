import { test, expect, admin, newResident, register, login } from './fixtures.js';

test('a guest is sent to the login page and comes back after logging in', async ({ page }) => {
  await page.goto('/admin/users');
  await expect(page).toHaveURL('/login?next=%2Fadmin%2Fusers');
  await page.getByLabel('Địa chỉ email').fill(admin.email());
  await page.getByLabel('Mật khẩu').fill(admin.password());
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page).toHaveURL('/admin/users');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Quản lý người dùng');
});

test('admin pages are refused to a resident', async ({ page }) => {
  await register(page, newResident());
  await expect(page.getByRole('navigation', { name: 'Điều hướng chính' })).not.toContainText('Người dùng');
  for (const path of ['/admin/users', '/admin/agencies']) {
    const response = await page.goto(path);
    expect(response.status(), path).toBe(403);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Không có quyền truy cập');
  }
});

test('an admin changes a role, creates an agency and manages its staff', async ({ page, browser }) => {
  const resident = newResident('Đinh Văn Cán Bộ');
  const other = await browser.newPage();
  await register(other, resident);
  await other.close();

  await login(page, admin.email(), admin.password());
  await page.getByRole('navigation', { name: 'Điều hướng chính' }).getByRole('link', { name: 'Người dùng' }).click();
  const row = page.getByRole('row').filter({ hasText: resident.email });
  await row.getByLabel(`Vai trò của ${resident.name}`).selectOption('moderator');
  await row.getByRole('button', { name: 'Lưu' }).click();
  await expect(page.getByRole('status')).toHaveText('Đã lưu vai trò.');
  await expect(page.getByRole('row').filter({ hasText: resident.email }).getByRole('combobox')).toHaveValue('moderator');

  const slug = `so-kiem-thu-${Date.now().toString(36)}`;
  await page.getByRole('link', { name: 'Cơ quan', exact: true }).click();
  await page.getByLabel('Tên tiếng Việt').fill('Sở Kiểm thử');
  await page.getByLabel('Tên tiếng Anh').fill('Department of Testing');
  await page.getByLabel('Đường dẫn').fill(slug);
  await page.getByRole('button', { name: 'Thêm cơ quan' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sở Kiểm thử');
  await expect(page.getByRole('status')).toHaveText('Đã thêm cơ quan.');

  await page.getByLabel('Địa chỉ email').fill(resident.email);
  await page.getByLabel('Chức danh').fill('Chuyên viên');
  await page.getByRole('button', { name: 'Thêm cán bộ' }).click();
  const staffRow = page.getByRole('row').filter({ hasText: resident.name });
  await expect(staffRow).toContainText('Chuyên viên');

  page.once('dialog', (dialog) => dialog.accept());
  await staffRow.getByRole('button', { name: `Xoá ${resident.name}` }).click();
  await expect(page.getByRole('status')).toHaveText('Đã xoá cán bộ khỏi cơ quan.');
  await expect(page.getByRole('row').filter({ hasText: resident.name })).toHaveCount(0);
});

test('a slug that is taken is refused next to the field', async ({ page }) => {
  await login(page, admin.email(), admin.password());
  await page.goto('/admin/agencies');
  await page.getByLabel('Tên tiếng Việt').fill('Sở Xây dựng (bản sao)');
  await page.getByLabel('Đường dẫn').fill('so-xay-dung');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Thêm cơ quan' }).click(),
  ]);
  expect(response.status()).toBe(409);
  await expect(page.getByLabel('Đường dẫn')).toHaveAccessibleDescription(/đã được dùng/);
  await expect(page.getByLabel('Tên tiếng Việt')).toHaveValue('Sở Xây dựng (bản sao)');
});
